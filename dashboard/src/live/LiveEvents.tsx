import { createContext, useContext, useEffect, useState, useSyncExternalStore, type ReactNode } from 'react';
import { liveCache, queryClient } from '../app/queryClient';
import { EventStream, type StreamStatus } from './eventStream';

const StreamContext = createContext<EventStream | null>(null);

/** Opens the one event stream while a user is signed in and writes its events into the cache. */
export function LiveEvents({ children }: { children: ReactNode }) {
  const [stream] = useState(
    () =>
      new EventStream(
        (event) => liveCache.apply(event),
        // Events were missed for good: forget what was seen and load every page's data again.
        () => {
          liveCache.reset();
          void queryClient.invalidateQueries();
        },
      ),
  );
  useEffect(() => {
    stream.start();
    return () => stream.stop();
  }, [stream]);
  return <StreamContext.Provider value={stream}>{children}</StreamContext.Provider>;
}

export function useStreamStatus(): StreamStatus {
  const stream = useContext(StreamContext);
  return useSyncExternalStore(
    stream?.subscribe ?? (() => () => undefined),
    stream?.getStatus ?? (() => 'connecting' as const),
  );
}
