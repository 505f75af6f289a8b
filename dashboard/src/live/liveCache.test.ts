import { QueryClient } from '@tanstack/react-query';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { queryKeys } from '../api/queryKeys';
import type { Agent, Application, ApplicationSummary, Deployment, Repository } from '../api/types';
import type { Page } from '../api/client';
import { LIST_REFRESH_MILLIS, LiveCache, type LiveEvent } from './liveCache';

function app(id: string, overrides: Partial<Application> = {}): Application {
  return {
    id,
    name: `app-${id}`,
    repositoryId: 'r1',
    agentId: 'a1',
    branch: 'main',
    path: 'compose.yaml',
    syncStatus: 'unknown',
    healthStatus: 'unknown',
    commit: null,
    commitMessage: null,
    lastSyncedAt: null,
    lastSyncError: null,
    composeFile: 'services: {}',
    previousComposeFile: null,
    selfHeal: false,
    readinessTimeoutSeconds: null,
    allowedPolicyRules: [],
    imagePolling: false,
    imagePollIntervalSeconds: 120,
    removeSupersededImages: false,
    autoRollback: false,
    hasImageWebhookSecret: false,
    imageWebhookUrl: null,
    pinned: null,
    latestCommit: null,
    latestCommitMessage: null,
    commitsBehind: null,
    createdAt: '2026-12-01T10:00:00Z',
    updatedAt: '2026-12-01T10:00:00Z',
    ...overrides,
  };
}

function listItem(application: Application): ApplicationSummary {
  const { composeFile: _c, previousComposeFile: _p, latestCommitMessage: _m, ...rest } = application;
  return rest;
}

function deployment(id: string, startedAt: string, overrides: Partial<Deployment> = {}): Deployment {
  return {
    id,
    applicationId: 'x',
    agentId: 'a1',
    generation: 1,
    reason: 'sync',
    actor: null,
    commit: 'abc',
    digest: 'd',
    state: 'in_progress',
    outcome: null,
    error: null,
    startedAt,
    endedAt: null,
    deadline: null,
    updatedAt: startedAt,
    ...overrides,
  };
}

const event = (type: string, data: unknown, seq: number | null): LiveEvent => ({ type, data, seq });

describe('LiveCache', () => {
  let client: QueryClient;
  let clock: number;
  let cache: LiveCache;

  beforeEach(() => {
    client = new QueryClient();
    clock = 1_000;
    cache = new LiveCache(client, () => clock);
  });

  it('updates an application in place in its details and in the list, without compose files in the list', () => {
    const before = app('x');
    client.setQueryData(queryKeys.application('x'), before);
    client.setQueryData(queryKeys.applications, [listItem(app('w')), listItem(before)]);
    const after = app('x', { syncStatus: 'synced', healthStatus: 'healthy', updatedAt: '2026-12-01T10:01:00Z' });

    expect(cache.apply(event('application', after, 5))).toBe(true);

    expect(client.getQueryData(queryKeys.application('x'))).toEqual(after);
    const list = client.getQueryData<ApplicationSummary[]>(queryKeys.applications)!;
    expect(list.map((a) => a.id)).toEqual(['w', 'x']);
    expect(list[1]).toEqual(listItem(after));
    expect(list[1]).not.toHaveProperty('composeFile');
  });

  it('applies events of a new log after a reset, whatever their sequence numbers', () => {
    client.setQueryData(queryKeys.application('x'), app('x'));
    expect(cache.apply(event('application', app('x', { syncStatus: 'synced', updatedAt: '2026-12-01T10:01:00Z' }), 900))).toBe(true);
    // A restored server starts its log again: without a reset its events would read as old ones.
    const restored = app('x', { syncStatus: 'out_of_sync', updatedAt: '2026-12-01T10:02:00Z' });
    expect(cache.apply(event('application', restored, 3))).toBe(false);

    cache.reset();

    expect(cache.apply(event('application', restored, 3))).toBe(true);
    expect(client.getQueryData(queryKeys.application('x'))).toEqual(restored);
  });

  it('adds an application it did not know to the list, and caches no details nobody asked for', () => {
    client.setQueryData(queryKeys.applications, [listItem(app('w'))]);

    cache.apply(event('application', app('new'), 7));

    expect(client.getQueryData<ApplicationSummary[]>(queryKeys.applications)!.map((a) => a.id)).toEqual(['w', 'new']);
    expect(client.getQueryData(queryKeys.application('new'))).toBeUndefined();
  });

  it('changes nothing for an entity nobody has loaded', () => {
    expect(cache.apply(event('repository', { id: 'r9', name: 'r9' }, 1))).toBe(false);
    expect(client.getQueryCache().getAll()).toHaveLength(0);
  });

  it('removes a deleted application from the list, its details and its deployments', () => {
    client.setQueryData(queryKeys.application('x'), app('x'));
    client.setQueryData(queryKeys.deployments('x'), [deployment('d1', '2026-12-01T10:00:00Z')]);
    client.setQueryData(queryKeys.applications, [listItem(app('w')), listItem(app('x'))]);

    expect(cache.apply(event('application', { id: 'x', deleted: true }, 9))).toBe(true);

    expect(client.getQueryData<ApplicationSummary[]>(queryKeys.applications)!.map((a) => a.id)).toEqual(['w']);
    expect(client.getQueryCache().find({ queryKey: queryKeys.application('x'), exact: true })).toBeUndefined();
    expect(client.getQueryCache().find({ queryKey: queryKeys.deployments('x'), exact: true })).toBeUndefined();
  });

  it('ignores an event older than the last one applied to that entity', () => {
    client.setQueryData(queryKeys.applications, [listItem(app('x'))]);
    cache.apply(event('application', app('x', { syncStatus: 'synced' }), 12));

    expect(cache.apply(event('application', app('x', { syncStatus: 'syncing' }), 10))).toBe(false);

    expect(client.getQueryData<ApplicationSummary[]>(queryKeys.applications)![0]!.syncStatus).toBe('synced');
  });

  it('never replaces an entity with a copy of an older updatedAt', () => {
    client.setQueryData(queryKeys.application('x'), app('x', { syncStatus: 'synced', updatedAt: '2026-12-01T10:05:00Z' }));
    client.setQueryData(queryKeys.applications, [listItem(app('x', { syncStatus: 'synced', updatedAt: '2026-12-01T10:05:00Z' }))]);

    expect(cache.apply(event('application', app('x', { syncStatus: 'syncing', updatedAt: '2026-12-01T10:04:00Z' }), 3))).toBe(false);

    expect(client.getQueryData<Application>(queryKeys.application('x'))!.syncStatus).toBe('synced');
    expect(client.getQueryData<ApplicationSummary[]>(queryKeys.applications)![0]!.syncStatus).toBe('synced');
  });

  it('keeps one entity per id for other kinds too: agents and repositories', () => {
    const agent: Agent = {
      id: 'a1', name: 'local', status: 'online', lastSeen: null, dockerAvailable: true, dockerVersion: '28',
      composeCommand: 'docker compose', statusMessage: null, createdAt: '2026-12-01T10:00:00Z',
    };
    client.setQueryData(queryKeys.agents, [agent]);
    cache.apply(event('agent', { ...agent, status: 'offline' }, 1));
    expect(client.getQueryData<Agent[]>(queryKeys.agents)).toEqual([{ ...agent, status: 'offline' }]);

    const repo = { id: 'r1', name: 'stacks', syncStatus: 'success', updatedAt: '2026-12-01T10:00:00Z' } as Repository;
    client.setQueryData(queryKeys.repository('r1'), repo);
    cache.apply(event('repository', { ...repo, syncStatus: 'failed', lastSyncError: 'boom' }, 2));
    expect(client.getQueryData<Repository>(queryKeys.repository('r1'))!.syncStatus).toBe('failed');
  });

  it('puts a new deployment first and updates a known one in place', () => {
    client.setQueryData(queryKeys.deployments('x'), [
      deployment('d2', '2026-12-01T10:02:00Z', { applicationId: 'x' }),
      deployment('d1', '2026-12-01T10:01:00Z', { applicationId: 'x' }),
    ]);

    cache.apply(event('deployment', deployment('d3', '2026-12-01T10:03:00Z', { applicationId: 'x' }), 20));
    cache.apply(event('deployment', deployment('d2', '2026-12-01T10:02:00Z', {
      applicationId: 'x', state: 'superseded', updatedAt: '2026-12-01T10:03:00Z',
    }), 21));

    const list = client.getQueryData<Deployment[]>(queryKeys.deployments('x'))!;
    expect(list.map((d) => [d.id, d.state])).toEqual([
      ['d3', 'in_progress'],
      ['d2', 'superseded'],
      ['d1', 'in_progress'],
    ]);
  });

  it('applies to a fetch answer the events that arrived while it was in flight, and only those', () => {
    cache.apply(event('application', app('old', { syncStatus: 'synced' }), 1));
    clock = 2_000;
    const since = cache.mark();
    clock = 2_500;
    cache.apply(event('application', app('x', { syncStatus: 'synced', updatedAt: '2026-12-01T10:02:00Z' }), 2));
    cache.apply(event('application', { id: 'gone', deleted: true }, 3));

    const fetched = [
      listItem(app('old', { syncStatus: 'out_of_sync' })),
      listItem(app('x', { syncStatus: 'syncing', updatedAt: '2026-12-01T10:01:00Z' })),
      listItem(app('gone')),
    ];
    const reconciled = cache.reconcile(queryKeys.applications, fetched, since);

    expect(reconciled.map((a) => [a.id, a.syncStatus])).toEqual([
      ['old', 'out_of_sync'],
      ['x', 'synced'],
    ]);
  });

  it('keeps events for replay over a fetch for a minute, not longer', () => {
    cache.apply(event('application', app('a', { syncStatus: 'synced' }), 1));
    clock += 61_000;
    cache.apply(event('application', app('b', { syncStatus: 'synced' }), 2));

    const fetched = [listItem(app('a')), listItem(app('b'))];
    const reconciled = cache.reconcile(queryKeys.applications, fetched, 0);

    expect(reconciled.map((a) => [a.id, a.syncStatus])).toEqual([
      ['a', 'unknown'],
      ['b', 'synced'],
    ]);
  });

  it('ignores events it cannot read and event types it does not know', () => {
    client.setQueryData(queryKeys.applications, [listItem(app('x'))]);
    expect(cache.apply(event('application', 'not an entity', 1))).toBe(false);
    expect(cache.apply(event('application', { name: 'no id' }, 2))).toBe(false);
    expect(cache.apply(event('notification', { id: 'x' }, 3))).toBe(false);
    expect(client.getQueryData<ApplicationSummary[]>(queryKeys.applications)).toEqual([listItem(app('x'))]);
  });

  describe('pages of the list the server filtered', () => {
    const pageKey = queryKeys.applicationPage({ healthStatus: 'healthy', limit: 2, offset: 0 });
    const page = (...items: Application[]): Page<ApplicationSummary> => ({ items: items.map(listItem), total: 7 });
    let refetched: string[];

    beforeEach(() => {
      vi.useFakeTimers();
      refetched = [];
      const invalidate = client.invalidateQueries.bind(client);
      vi.spyOn(client, 'invalidateQueries').mockImplementation((filters, options) => {
        refetched.push(JSON.stringify(filters?.queryKey));
        return invalidate(filters, options);
      });
      client.setQueryData(pageKey, page(app('a', { healthStatus: 'healthy' }), app('b', { healthStatus: 'healthy' })));
    });

    afterEach(() => vi.useRealTimers());

    it('patches a row in place and fetches nothing when what the list filters by is unchanged', () => {
      const synced = app('b', { healthStatus: 'healthy', lastSyncedAt: '2026-12-01T10:05:00Z', updatedAt: '2026-12-01T10:05:00Z' });

      expect(cache.apply(event('application', synced, 3))).toBe(true);
      vi.advanceTimersByTime(LIST_REFRESH_MILLIS * 2);

      const held = client.getQueryData<Page<ApplicationSummary>>(pageKey)!;
      expect(held.items[1]).toEqual(listItem(synced));
      expect(held.total).toBe(7);
      expect(refetched).toEqual([]);
    });

    it('patches the row and fetches the pages and counts again, once, when rows may move', () => {
      const failing = app('a', { healthStatus: 'unhealthy', updatedAt: '2026-12-01T10:05:00Z' });

      cache.apply(event('application', failing, 3));
      // Unknown to the page: it may belong to it now.
      cache.apply(event('application', app('z', { healthStatus: 'healthy' }), 4));
      expect(client.getQueryData<Page<ApplicationSummary>>(pageKey)!.items[0]).toEqual(listItem(failing));
      expect(refetched).toEqual([]);

      vi.advanceTimersByTime(LIST_REFRESH_MILLIS);

      expect(refetched).toEqual([JSON.stringify(queryKeys.applicationPages), JSON.stringify(queryKeys.applicationCounts)]);
    });

    it('takes a deleted application out of the page and its total', () => {
      cache.apply(event('application', { id: 'a', deleted: true }, 5));

      const held = client.getQueryData<Page<ApplicationSummary>>(pageKey)!;
      expect(held.items.map((a) => a.id)).toEqual(['b']);
      expect(held.total).toBe(6);
    });

    it('keeps the newer row when an older copy arrives', () => {
      client.setQueryData(pageKey, page(app('a', { healthStatus: 'healthy', updatedAt: '2026-12-01T10:09:00Z' })));

      cache.apply(event('application', app('a', { healthStatus: 'missing', updatedAt: '2026-12-01T10:01:00Z' }), 6));

      expect(client.getQueryData<Page<ApplicationSummary>>(pageKey)!.items[0]!.healthStatus).toBe('healthy');
    });
  });
});
