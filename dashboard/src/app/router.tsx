import { createBrowserRouter, Navigate } from 'react-router';
import { lazyPage } from './lazyPage';
import { AgentsPage } from '../features/agents/AgentsPage';
import { ApplicationFormPage } from '../features/applications/ApplicationFormPage';
import { ApplicationsPage } from '../features/applications/ApplicationsPage';
import { ChangePasswordPage } from '../features/auth/ChangePasswordPage';
import { LoginPage } from '../features/auth/LoginPage';
import { RequireAuth } from '../features/auth/RequireAuth';
import { SetupPage } from '../features/auth/SetupPage';
import { RequireAdmin } from '../features/admin/RequireAdmin';
import { ProfilePage } from '../features/profile/ProfilePage';
import { RepositoriesPage } from '../features/repositories/RepositoriesPage';
import { RepositoryDetailsPage } from '../features/repositories/RepositoryDetailsPage';
import { RepositoryFormPage } from '../features/repositories/RepositoryFormPage';
import { Layout } from './Layout';
import { NotFoundPage } from './NotFoundPage';

export const router = createBrowserRouter([
  { path: '/setup', element: <SetupPage /> },
  { path: '/login', element: <LoginPage /> },
  { path: '/change-password', element: <ChangePasswordPage /> },
  {
    element: <RequireAuth />,
    children: [
      {
        element: <Layout />,
        children: [
          { index: true, element: <Navigate to="/applications" replace /> },
          { path: 'applications', element: <ApplicationsPage /> },
          { path: 'applications/new', element: <ApplicationFormPage /> },
          { path: 'applications/:id', lazy: lazyPage(() => import('../features/applications/ApplicationDetailsPage'), 'ApplicationDetailsPage') },
          { path: 'applications/:id/edit', element: <ApplicationFormPage /> },
          { path: 'repositories', element: <RepositoriesPage /> },
          { path: 'repositories/new', element: <RepositoryFormPage /> },
          { path: 'repositories/:id', element: <RepositoryDetailsPage /> },
          { path: 'repositories/:id/edit', element: <RepositoryFormPage /> },
          { path: 'agents', element: <AgentsPage /> },
          { path: 'profile', element: <ProfilePage /> },
          { path: 'notifications', lazy: lazyPage(() => import('../features/notifications/NotificationsPage'), 'NotificationsPage') },
          { path: 'api-reference', lazy: lazyPage(() => import('../features/reference/ApiReferencePage'), 'ApiReferencePage') },
          {
            path: 'admin',
            element: <RequireAdmin />,
            children: [
              { index: true, element: <Navigate to="/admin/users" replace /> },
              { path: 'users', lazy: lazyPage(() => import('../features/admin/UsersPage'), 'UsersPage') },
              { path: 'sign-in', lazy: lazyPage(() => import('../features/admin/OidcProvidersPage'), 'OidcProvidersPage') },
              { path: 'audit-log', lazy: lazyPage(() => import('../features/admin/AuditLogPage'), 'AuditLogPage') },
              { path: 'system', lazy: lazyPage(() => import('../features/admin/SystemInfoPage'), 'SystemInfoPage') },
            ],
          },
          { path: '*', element: <NotFoundPage /> },
        ],
      },
    ],
  },
]);
