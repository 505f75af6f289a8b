import type { ApplicationListQuery, HealthStatus, SyncStatus } from '../../api/types';

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

/** Far past any fleet's last page at any page size, and an offset the API takes. */
const MAX_PAGE = 10_000;

export function filtersFrom(params: URLSearchParams): ApplicationFilters {
  return {
    q: params.get('q') ?? '',
    // Bounded, so no link however old asks the server for an offset it refuses.
    page: Math.min(MAX_PAGE, Math.max(1, Number.parseInt(params.get('page') ?? '1', 10) || 1)),
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

/** The page of the list these filters ask the server for ({@code search} is the search as typing paused). */
export function queryOf(filters: ApplicationFilters, search: string, pageSize: number): ApplicationListQuery {
  return {
    q: search || undefined,
    syncStatus: filters.sync ?? undefined,
    healthStatus: filters.health ?? undefined,
    agentId: filters.agent ?? undefined,
    repositoryId: filters.repository ?? undefined,
    limit: pageSize,
    offset: (filters.page - 1) * pageSize,
  };
}
