import dayjs from 'dayjs';
import relativeTime from 'dayjs/plugin/relativeTime';
import { useSyncExternalStore } from 'react';

dayjs.extend(relativeTime);

// One clock for every relative time on the page: re-renders them twice a minute. This is a
// display timer; nothing is fetched.
let now = Date.now();
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | undefined;

function subscribe(listener: () => void) {
  listeners.add(listener);
  if (!timer) {
    timer = setInterval(() => {
      now = Date.now();
      listeners.forEach((l) => l());
    }, 30_000);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

export function useNow(): number {
  return useSyncExternalStore(subscribe, () => now);
}

export function formatDateTime(value: string | null | undefined): string {
  return value ? dayjs(value).format('YYYY-MM-DD HH:mm:ss') : '—';
}

/**
 * "3 minutes ago", the exact time as its title. A plain element, not a Mantine component: it
 * renders in every row of long lists.
 */
export function RelativeTime({ value, empty = 'never', size }: { value: string | null | undefined; empty?: string; size?: 'xs' | 'sm' }) {
  const current = useNow();
  const fontSize = size ? `var(--mantine-font-size-${size})` : undefined;
  if (!value) {
    return (
      <span className="dimmed" style={{ fontSize }}>
        {empty}
      </span>
    );
  }
  const at = dayjs(value);
  return (
    <time dateTime={value} title={formatDateTime(value)} style={{ fontSize }}>
      {at.isAfter(current) ? 'just now' : at.from(current)}
    </time>
  );
}

/** "1.2 s", "3 min 4 s": a deployment's duration. */
export function formatDuration(millis: number | null): string {
  if (millis === null || Number.isNaN(millis)) {
    return '—';
  }
  if (millis < 1000) {
    return `${Math.max(0, Math.round(millis))} ms`;
  }
  const seconds = millis / 1000;
  if (seconds < 60) {
    return `${seconds.toFixed(1)} s`;
  }
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}
