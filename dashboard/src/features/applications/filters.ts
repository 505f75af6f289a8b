import type { ApplicationSummary, HealthStatus, SyncStatus } from '../../api/types';

/** What the applications list shows, as kept in the page's URL (?q=&sync=&health=&agent=&repository=&page=). */
export interface ApplicationFilters {
  q: string;
  /** 1-based page of the list; a change of any other filter goes back to the first. */
  page: number;
  sync: SyncStatus | null;
  health: HealthStatus | null;
  agent: string | null;
  repository: string | null;
}

export function filtersFrom(params: URLSearchParams): ApplicationFilters {
  return {
    q: params.get('q') ?? '',
    page: Math.max(1, Number.parseInt(params.get('page') ?? '1', 10) || 1),
    sync: (params.get('sync') as SyncStatus | null) || null,
    health: (params.get('health') as HealthStatus | null) || null,
    agent: params.get('agent') || null,
    repository: params.get('repository') || null,
  };
}

/** The same filters as URL parameters, empty ones left out. */
export function paramsFrom(filters: ApplicationFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.q) params.set('q', filters.q);
  if (filters.sync) params.set('sync', filters.sync);
  if (filters.health) params.set('health', filters.health);
  if (filters.agent) params.set('agent', filters.agent);
  if (filters.repository) params.set('repository', filters.repository);
  if (filters.page > 1) params.set('page', String(filters.page));
  return params;
}

export function matches(
  app: ApplicationSummary,
  filters: ApplicationFilters,
  names: { repository: (id: string) => string; agent: (id: string) => string },
): boolean {
  if (filters.sync && app.syncStatus !== filters.sync) return false;
  if (filters.health && app.healthStatus !== filters.health) return false;
  if (filters.agent && app.agentId !== filters.agent) return false;
  if (filters.repository && app.repositoryId !== filters.repository) return false;
  const q = filters.q.trim().toLowerCase();
  if (!q) return true;
  return [app.name, app.branch, app.path, app.commit ?? '', app.commitMessage ?? '', names.repository(app.repositoryId), names.agent(app.agentId)]
    .some((text) => text.toLowerCase().includes(q));
}

export function countBy<K extends string>(apps: ApplicationSummary[], key: (app: ApplicationSummary) => K): Map<K, number> {
  const counts = new Map<K, number>();
  for (const app of apps) {
    counts.set(key(app), (counts.get(key(app)) ?? 0) + 1);
  }
  return counts;
}
