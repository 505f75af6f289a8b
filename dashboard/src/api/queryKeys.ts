import type { ApplicationListQuery } from './types';

// Query keys of the server state the dashboard caches. The live event stream writes into
// exactly these entries (live/liveCache.ts), so pages never refetch to see a change.
export const queryKeys = {
  setup: ['auth', 'setup'] as const,
  profile: ['auth', 'profile'] as const,
  tokens: ['auth', 'tokens'] as const,
  applications: ['applications'] as const,
  application: (id: string) => ['applications', id] as const,
  // A page of the list as the server filtered it: live events patch its rows in place, and a
  // change that may move rows in or out refetches it (at most once a second).
  applicationPage: (query: ApplicationListQuery) => ['applications', 'page', query] as const,
  applicationPages: ['applications', 'page'] as const,
  applicationCounts: ['applications', 'counts'] as const,
  deployments: (applicationId: string) => ['applications', applicationId, 'deployments'] as const,
  // What a finished deployment ran never changes: fetched once, no live event needed.
  deployment: (applicationId: string, deploymentId: string) =>
    ['applications', applicationId, 'deployment', deploymentId] as const,
  // Names only, written by the environment form when it saves; no live event carries them.
  environment: (applicationId: string) => ['applications', applicationId, 'environment'] as const,
  repositories: ['repositories'] as const,
  notifications: ['notifications'] as const,
  notification: (id: string) => ['notifications', id] as const,
  // Refetched when the channel's live event says a delivery happened.
  notificationDeliveries: (id: string) => ['notifications', id, 'deliveries'] as const,
  repository: (id: string) => ['repositories', id] as const,
  // What a repository's remote holds now: asked for on demand, never written by live events.
  remoteBranches: (repositoryId: string) => ['remote', repositoryId, 'branches'] as const,
  remoteTree: (repositoryId: string, branch: string) => ['remote', repositoryId, 'tree', branch] as const,
  agents: ['agents'] as const,
  // Administration: read when an admin opens its pages; changes made here update them directly.
  adminUsers: ['admin', 'users'] as const,
  auditLogs: (filter: object) => ['admin', 'audit-logs', filter] as const,
  systemInfo: ['admin', 'system-info'] as const,
  oidcProviders: ['admin', 'oidc-providers'] as const,
  oidcButtons: ['auth', 'oidc-providers'] as const,
  agent: (id: string) => ['agents', id] as const,
};
