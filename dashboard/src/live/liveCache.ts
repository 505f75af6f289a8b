import type { QueryClient, QueryKey } from '@tanstack/react-query';
import { queryKeys } from '../api/queryKeys';
import type { Page } from '../api/client';
import type { Application, ApplicationSummary, Deployment } from '../api/types';

/** One event of GET /api/v1/events: named after the entity, its data the entity as its GET returns it. */
export interface LiveEvent {
  /** The SSE id (the server's event sequence), null when absent. */
  seq: number | null;
  type: string;
  data: unknown;
}

interface Entity {
  id: string;
  updatedAt?: string | null;
  deleted?: boolean;
}

/** How long events are kept to be replayed over a fetch that was in flight when they arrived. */
const REPLAY_MILLIS = 60_000;

/**
 * At most this often, pages of the applications list and the counts are fetched again after
 * events that may move rows in or out of them: on a busy fleet, one fetch a second, not one per
 * event.
 */
export const LIST_REFRESH_MILLIS = 1_000;

/**
 * Writes live events into the query cache, in place: the entity's own entry and the list it
 * belongs to. Three rules keep the cache right whatever order things arrive in:
 * - an event whose seq is not newer than the last one applied to that entity is ignored;
 * - an entity is never replaced by a copy with an older updatedAt (an event rendered before a
 *   fetch that already saw a newer state);
 * - a fetch answer is reconciled with the events that arrived while it was in flight
 *   ({@link reconcile}), so a slow fetch cannot undo them.
 * Pages of the applications list hold what the server filtered and sorted: an event patches a
 * row they show in place; one that may move rows in or out of a page (a new application, a
 * deletion, a change of what the list filters, searches or sorts by) also has the pages and the
 * counts fetched again, at most once each {@link LIST_REFRESH_MILLIS}.
 */
export class LiveCache {
  private readonly client: QueryClient;
  private readonly now: () => number;
  private readonly lastSeq = new Map<string, number>();
  private readonly recent: { at: number; event: LiveEvent }[] = [];
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(client: QueryClient, now: () => number = () => Date.now()) {
    this.client = client;
    this.now = now;
  }

  /** Applies one event; returns whether it changed what the cache holds. */
  apply(event: LiveEvent): boolean {
    const entity = asEntity(event.data);
    if (!entity) {
      return false;
    }
    const key = `${event.type}:${entity.id}`;
    if (event.seq !== null) {
      const last = this.lastSeq.get(key);
      if (last !== undefined && event.seq <= last) {
        return false;
      }
      this.lastSeq.set(key, event.seq);
    }
    const at = this.now();
    // Arrival order is time order: what expired is at the front.
    let expired = 0;
    while (expired < this.recent.length && at - this.recent[expired]!.at >= REPLAY_MILLIS) {
      expired += 1;
    }
    if (expired > 0) {
      this.recent.splice(0, expired);
    }
    this.recent.push({ at, event });
    return this.write(event.type, entity);
  }

  /** After a reset of the stream: the sequence numbers seen so far mean nothing any more. */
  reset() {
    this.lastSeq.clear();
    this.recent.splice(0, this.recent.length);
  }

  /** When a fetch starts: pass the answer and this mark to {@link reconcile}. */
  mark(): number {
    return this.now();
  }

  /** The fetched answer of {@code key} with every event that arrived since {@code since} applied on top. */
  reconcile<T>(key: QueryKey, fetched: T, since: number): T {
    let data = fetched;
    for (const { at, event } of this.recent) {
      const entity = asEntity(event.data);
      if (at < since || !entity) {
        continue;
      }
      const next = applyTo(key, event.type, entity, data);
      // A deletion during the fetch is the cache's business (the entry is removed), not the answer's.
      if (next !== REMOVED) {
        data = next as T;
      }
    }
    return data;
  }

  private write(type: string, entity: Entity): boolean {
    let changed = false;
    for (const key of keysFor(type, entity)) {
      const current = this.client.getQueryData(key);
      if (current === undefined) {
        continue;
      }
      const next = applyTo(key, type, entity, current);
      if (next === REMOVED) {
        this.client.removeQueries({ queryKey: key, exact: true });
        changed = true;
      } else if (next !== current) {
        this.client.setQueryData(key, next);
        changed = true;
      }
    }
    if (type === 'application' && this.writePages(entity)) {
      changed = true;
    }
    if (entity.deleted && type === 'application') {
      this.client.removeQueries({ queryKey: queryKeys.deployments(entity.id), exact: true });
    }
    if (type === 'notification') {
      // A channel's event follows each of its deliveries: its log is fetched again if it is open.
      void this.client.invalidateQueries({ queryKey: queryKeys.notificationDeliveries(entity.id), exact: true });
    }
    return changed;
  }

  /** Patches the cached pages of the list; schedules their refetch when the event may move rows. */
  private writePages(entity: Entity): boolean {
    let changed = false;
    let refresh = false;
    const pages = this.client.getQueriesData<Page<ApplicationSummary>>({ queryKey: queryKeys.applicationPages });
    for (const [key, page] of pages) {
      if (!page) {
        continue;
      }
      const patched = patchPage(page, entity);
      refresh ||= patched.mayMove;
      if (patched.page !== page) {
        this.client.setQueryData(key, patched.page);
        changed = true;
      }
    }
    // Without a page to compare with, the counts may have changed all the same.
    if (refresh || pages.length === 0) {
      this.scheduleListRefresh();
    }
    return changed;
  }

  private scheduleListRefresh() {
    if (this.refreshTimer !== null) {
      return;
    }
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      void this.client.invalidateQueries({ queryKey: queryKeys.applicationPages });
      void this.client.invalidateQueries({ queryKey: queryKeys.applicationCounts, exact: true });
    }, LIST_REFRESH_MILLIS);
  }
}

/** What the list filters, searches or sorts by: a change of one may move the row to another page. */
const LISTED_BY = ['name', 'syncStatus', 'healthStatus', 'agentId', 'repositoryId', 'branch', 'path', 'commit',
  'commitMessage'] as const;

/**
 * The page after the event: the row replaced (unless the page holds a newer one) or removed;
 * {@code mayMove} when the page or the counts may now be wrong beyond that row.
 */
export function patchPage(
  page: Page<ApplicationSummary>,
  entity: Entity,
): { page: Page<ApplicationSummary>; mayMove: boolean } {
  const index = page.items.findIndex((item) => item.id === entity.id);
  if (index < 0) {
    return { page, mayMove: true };
  }
  if (entity.deleted) {
    return { page: { items: page.items.filter((item) => item.id !== entity.id), total: page.total - 1 }, mayMove: true };
  }
  const held = page.items[index]!;
  if (isStale(held, entity)) {
    return { page, mayMove: false };
  }
  const item = summary(entity as unknown as Application);
  const items = page.items.slice();
  items[index] = item;
  const mayMove = LISTED_BY.some((field) => held[field] !== item[field]);
  return { page: { items, total: page.total }, mayMove };
}

function isPageKey(key: QueryKey): boolean {
  return key.length === 3 && key[0] === queryKeys.applicationPages[0] && key[1] === queryKeys.applicationPages[1];
}

/** Returned for a single-entity entry whose entity was deleted. */
const REMOVED = Symbol('removed');

/** The cache entries an event about this entity may change. */
function keysFor(type: string, entity: Entity): QueryKey[] {
  switch (type) {
    case 'application':
      return [queryKeys.application(entity.id), queryKeys.applications];
    case 'repository':
      return [queryKeys.repository(entity.id), queryKeys.repositories];
    case 'agent':
      return [queryKeys.agent(entity.id), queryKeys.agents];
    case 'notification':
      return [queryKeys.notification(entity.id), queryKeys.notifications];
    case 'deployment': {
      const applicationId = (entity as Partial<Deployment>).applicationId;
      return applicationId ? [queryKeys.deployments(applicationId)] : [];
    }
    default:
      return [];
  }
}

/** The value of cache entry {@code key} after the event; the same object when nothing changes. */
export function applyTo(key: QueryKey, type: string, entity: Entity, current: unknown): unknown {
  if (isPageKey(key)) {
    return type === 'application' && current ? patchPage(current as Page<ApplicationSummary>, entity).page : current;
  }
  if (!keysFor(type, entity).some((k) => sameKey(k, key))) {
    return current;
  }
  if (Array.isArray(current)) {
    const item = type === 'application' ? summary(entity as unknown as Application) : entity;
    return entity.deleted ? without(current as Entity[], entity.id) : upsert(current as Entity[], item as Entity, type);
  }
  if (entity.deleted) {
    return REMOVED;
  }
  return isStale(current as Entity | undefined, entity) ? current : entity;
}

function upsert(list: Entity[], item: Entity, type: string): Entity[] {
  const index = list.findIndex((e) => e.id === item.id);
  if (index >= 0) {
    if (isStale(list[index], item)) {
      return list;
    }
    const next = list.slice();
    next[index] = item;
    return next;
  }
  const next = [...list, item];
  return type === 'deployment' ? next.sort(newestFirst) : next;
}

function without(list: Entity[], id: string): Entity[] {
  return list.some((e) => e.id === id) ? list.filter((e) => e.id !== id) : list;
}

/** Whether {@code incoming} is older than what is held (by updatedAt; equal is not older). */
function isStale(held: Entity | undefined, incoming: Entity): boolean {
  if (!held?.updatedAt || !incoming.updatedAt) {
    return false;
  }
  return Date.parse(incoming.updatedAt) < Date.parse(held.updatedAt);
}

function newestFirst(a: Entity, b: Entity): number {
  const started = (e: Entity) => Date.parse((e as Partial<Deployment>).startedAt ?? '') || Number.MAX_SAFE_INTEGER;
  return started(b) - started(a);
}

/** The list item of an application: the list leaves out the compose files and the held-back commit's message. */
export function summary(app: Application | ApplicationSummary): ApplicationSummary {
  const { composeFile: _compose, previousComposeFile: _previous, latestCommitMessage: _message, ...rest } = app as Application;
  return rest;
}

function asEntity(data: unknown): Entity | null {
  if (!data || typeof data !== 'object' || typeof (data as { id?: unknown }).id !== 'string') {
    return null;
  }
  return data as Entity;
}

function sameKey(a: QueryKey, b: QueryKey): boolean {
  return a.length === b.length && a.every((part, i) => part === b[i]);
}
