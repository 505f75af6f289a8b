import { QueryClient, type QueryKey } from '@tanstack/react-query';
import { ApiError } from '../api/client';
import { LiveCache } from '../live/liveCache';

/**
 * Server state lives here and nowhere else. Entries never go stale on a timer: the live event
 * stream keeps them current, so nothing refetches on focus, on reconnect or on an interval.
 */
export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: Infinity,
      refetchOnWindowFocus: false,
      refetchOnReconnect: false,
      retry: (failures, error) => !(error instanceof ApiError && error.status > 0 && error.status < 500) && failures < 2,
    },
    mutations: { retry: false },
  },
});

export const liveCache = new LiveCache(queryClient);

/** A query function whose answer keeps the live events that arrived while it was in flight. */
export function liveQuery<T>(key: QueryKey, fetch: () => Promise<T>): () => Promise<T> {
  return async () => {
    const since = liveCache.mark();
    const data = await fetch();
    return liveCache.reconcile(key, data, since);
  };
}
