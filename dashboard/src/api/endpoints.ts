import { api, REMOTE_READ_DEADLINE_MS, requestPage } from './client';
import type {
  NotificationBody,
  NotificationChannel,
  NotificationDelivery,
  Agent,
  ApiToken,
  Application,
  ApplicationBody,
  ApplicationCounts,
  ApplicationListQuery,
  ApplicationSummary,
  AuditEntry,
  AuditFilter,
  ConnectionBody,
  ConnectionResult,
  CreatedAgent,
  Deployment,
  DeploymentDetail,
  EnvironmentNames,
  NewApiToken,
  NewUserBody,
  OidcProvider,
  OidcProviderBody,
  OidcProviderButton,
  RemoteBranches,
  Repository,
  RepositoryBody,
  RepositoryTree,
  SystemInfo,
  User,
  UserChangeBody,
} from './types';

const id = (value: string) => encodeURIComponent(value);

/** The query's parameters, empty ones left out. */
function listParams(query: ApplicationListQuery): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') {
      params.set(name, String(value));
    }
  }
  return params.toString();
}

export const authApi = {
  setup: () => api.get<{ setupRequired: boolean; localLogin: boolean }>('/auth/setup'),
  /** The OpenID providers people may sign in with (public): the login page's buttons. */
  oidcProviders: () => api.get<OidcProviderButton[]>('/auth/oidc/providers'),
  register: (body: { email: string; name: string; password: string }) => api.post<User>('/auth/register', body),
  login: (body: { email: string; password: string }) => api.post<User>('/auth/login', body),
  logout: () => api.post<void>('/auth/logout'),
  profile: () => api.get<User>('/auth/profile'),
  updateProfile: (body: { email?: string; name?: string }) => api.put<User>('/auth/profile', body),
  changePassword: (body: { currentPassword: string; newPassword: string }) =>
    api.post<void>('/auth/change-password', body),
  tokens: () => api.get<ApiToken[]>('/auth/tokens'),
  createToken: (name: string) => api.post<NewApiToken>('/auth/tokens', { name }),
  deleteToken: (tokenId: string) => api.delete(`/auth/tokens/${id(tokenId)}`),
};

export const applicationsApi = {
  list: () => api.get<ApplicationSummary[]>('/applications'),
  /** One page, filtered and searched by the server, in name order; total counts every match. */
  page: (query: ApplicationListQuery) => requestPage<ApplicationSummary>(`/applications?${listParams(query)}`),
  counts: () => api.get<ApplicationCounts>('/applications/counts'),
  get: (appId: string) => api.get<Application>(`/applications/${id(appId)}`),
  create: (body: ApplicationBody) => api.post<Application>('/applications', body),
  update: (appId: string, body: ApplicationBody) => api.put<Application>(`/applications/${id(appId)}`, body),
  /** Waits for the agent: 200 removed, 502 the agent failed, 504 the deadline passed. */
  remove: (appId: string) => api.delete<{ deleted: boolean }>(`/applications/${id(appId)}?wait=true`),
  /** Admins only: deletes at once; the agent removes the stack if it ever comes back. */
  forceRemove: (appId: string) =>
    api.delete<{ deleted: boolean; requestId: string }>(`/applications/${id(appId)}?force=true`),
  deploy: (appId: string) => api.post<{ deploymentId: string }>(`/applications/${id(appId)}/deploy`),
  /** The newest {@code limit} deployments, or those older than deployment {@code before}. */
  deployments: (appId: string, limit = 50, before?: string) =>
    api.get<Deployment[]>(
      `/applications/${id(appId)}/deployments?limit=${limit}${before ? `&before=${encodeURIComponent(before)}` : ''}`,
    ),
  /** One deployment with its compose file and the files it carried. */
  deployment: (appId: string, deploymentId: string) =>
    api.get<DeploymentDetail>(`/applications/${id(appId)}/deployments/${id(deploymentId)}`),
  /** Deploys again what an earlier successful deployment ran, and pins the application there. */
  rollback: (appId: string, deploymentId: string) =>
    api.post<{ deploymentId: string }>(`/applications/${id(appId)}/rollback`, { deploymentId }),
  /** Ends the pin: the branch's newest commit is deployed. */
  unpin: (appId: string) => api.delete(`/applications/${id(appId)}/pin`),
  environment: (appId: string) => api.get<EnvironmentNames>(`/applications/${id(appId)}/environment`),
  /** Replaces every variable (an empty object removes them all). */
  setEnvironment: (appId: string, variables: Record<string, string>) =>
    api.put<EnvironmentNames>(`/applications/${id(appId)}/environment`, { variables }),
};

export const repositoriesApi = {
  list: () => api.get<Repository[]>('/repositories'),
  get: (repoId: string) => api.get<Repository>(`/repositories/${id(repoId)}`),
  create: (body: RepositoryBody) => api.post<Repository>('/repositories', body),
  update: (repoId: string, body: RepositoryBody) => api.put<Repository>(`/repositories/${id(repoId)}`, body),
  remove: (repoId: string) => api.delete(`/repositories/${id(repoId)}`),
  sync: (repoId: string) => api.post<{ syncId: string }>(`/repositories/${id(repoId)}/sync`),
  testConnection: (body: ConnectionBody) => api.post<ConnectionResult>('/repositories/test-connection', body),
  branches: (repoId: string) => api.get<RemoteBranches>(`/repositories/${id(repoId)}/branches`, REMOTE_READ_DEADLINE_MS),
  tree: (repoId: string, branch: string) =>
    api.get<RepositoryTree>(`/repositories/${id(repoId)}/tree?branch=${encodeURIComponent(branch)}`, REMOTE_READ_DEADLINE_MS),
};

export const agentsApi = {
  list: () => api.get<Agent[]>('/agents'),
  get: (agentId: string) => api.get<Agent>(`/agents/${id(agentId)}`),
  create: (name: string) => api.post<CreatedAgent>('/agents', { name }),
  rename: (agentId: string, name: string) => api.put<Agent>(`/agents/${id(agentId)}`, { name }),
  /** A new broker credential for the agent; the old one stops working at once (409 while another rotation runs). */
  rotateToken: (agentId: string) => api.post<CreatedAgent>(`/agents/${id(agentId)}/rotate-token`),
  remove: (agentId: string) => api.delete(`/agents/${id(agentId)}`),
};

/** Administration: answers 403 to anyone but an admin. */
export const adminApi = {
  users: () => api.get<User[]>('/admin/users'),
  createUser: (body: NewUserBody) => api.post<User>('/admin/users', body),
  updateUser: (userId: string, body: UserChangeBody) => api.put<User>(`/admin/users/${id(userId)}`, body),
  removeUser: (userId: string) => api.delete(`/admin/users/${id(userId)}`),
  /** A page of the audit log, newest first: entries older than `before` (an entry id). */
  auditLogs: (filter: AuditFilter, before?: number, limit = 50) => {
    const query = new URLSearchParams({ limit: String(limit) });
    for (const [key, value] of Object.entries(filter)) {
      if (value && value.trim()) query.set(key, value.trim());
    }
    if (before !== undefined) query.set('before', String(before));
    return api.get<AuditEntry[]>(`/admin/audit-logs?${query.toString()}`);
  },
  systemInfo: () => api.get<SystemInfo>('/admin/system-info'),
  oidcProviders: () => api.get<OidcProvider[]>('/admin/oidc-providers'),
  createOidcProvider: (body: OidcProviderBody) => api.post<OidcProvider>('/admin/oidc-providers', body),
  updateOidcProvider: (providerId: string, body: OidcProviderBody) =>
    api.put<OidcProvider>(`/admin/oidc-providers/${id(providerId)}`, body),
  removeOidcProvider: (providerId: string) => api.delete(`/admin/oidc-providers/${id(providerId)}`),
};

/** Where the browser goes to sign in with a provider; it comes back to `next` once signed in. */
export function oidcStartUrl(providerId: string, next: string | null): string {
  const query = next ? `?next=${encodeURIComponent(next)}` : '';
  return `/api/v1/auth/oidc/${id(providerId)}/start${query}`;
}

export const notificationsApi = {
  list: () => api.get<NotificationChannel[]>('/notifications'),
  create: (body: NotificationBody) => api.post<NotificationChannel>('/notifications', body),
  update: (channelId: string, body: NotificationBody) => api.put<NotificationChannel>(`/notifications/${id(channelId)}`, body),
  remove: (channelId: string) => api.delete(`/notifications/${id(channelId)}`),
  /** Sends a test message now: {delivered: true}, or a 502 ApiError saying why. */
  test: (channelId: string) => api.post<{ delivered: boolean; error: string | null }>(`/notifications/${id(channelId)}/test`),
  deliveries: (channelId: string) => api.get<NotificationDelivery[]>(`/notifications/${id(channelId)}/deliveries?limit=50`),
};
