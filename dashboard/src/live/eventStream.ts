import { API_BASE, api } from '../api/client';
import type { LiveEvent } from './liveCache';

export type StreamStatus = 'connecting' | 'live' | 'reconnecting';

/** The entity events the server sends; each is applied to the cache as it arrives. */
export const EVENT_TYPES = ['application', 'repository', 'agent', 'deployment', 'notification'] as const;

const MAX_BACKOFF_MILLIS = 30_000;

/**
 * The dashboard's one EventSource on /api/v1/events. While the connection drops the browser
 * retries by itself and resumes with Last-Event-ID. When the server refuses it (the browser then
 * gives up for good), the session is checked first — a 401 there sends the user to the login
 * page — and a new EventSource resumes from the last event seen (?lastEventId=, as a new
 * EventSource sends no Last-Event-ID), after a growing pause. When the browser goes offline the
 * stream is closed at once and reopened, resuming the same way, when it is back online.
 */
export class EventStream {
  private source: EventSource | null = null;
  private lastEventId: string | null = null;
  private status: StreamStatus = 'connecting';
  private readonly listeners = new Set<() => void>();
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private failures = 0;
  private stopped = false;
  private readonly onEvent: (event: LiveEvent) => void;
  private readonly onReset: () => void;

  /** {@code onReset}: what the page missed is gone from the server's log; everything must be loaded afresh. */
  constructor(onEvent: (event: LiveEvent) => void, onReset: () => void = () => undefined) {
    this.onEvent = onEvent;
    this.onReset = onReset;
  }

  start() {
    this.stopped = false;
    window.addEventListener('offline', this.wentOffline);
    window.addEventListener('online', this.cameOnline);
    this.open();
  }

  stop() {
    this.stopped = true;
    window.removeEventListener('offline', this.wentOffline);
    window.removeEventListener('online', this.cameOnline);
    clearTimeout(this.retryTimer);
    this.source?.close();
    this.source = null;
  }

  /** The browser knows the network is gone before a socket times out: say so at once. */
  private readonly wentOffline = () => {
    clearTimeout(this.retryTimer);
    this.source?.close();
    this.source = null;
    this.setStatus('reconnecting');
  };

  /** Back online: resume from the last event seen rather than wait for the next retry. */
  private readonly cameOnline = () => {
    if (this.stopped || this.source) {
      return;
    }
    this.failures = 0;
    this.open();
  };

  getStatus = (): StreamStatus => this.status;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private setStatus(status: StreamStatus) {
    if (status !== this.status) {
      this.status = status;
      this.listeners.forEach((l) => l());
    }
  }

  private open() {
    const url = `${API_BASE}/events${this.lastEventId ? `?lastEventId=${encodeURIComponent(this.lastEventId)}` : ''}`;
    const source = new EventSource(url, { withCredentials: true });
    this.source = source;
    source.onopen = () => {
      this.failures = 0;
      this.setStatus('live');
    };
    source.onerror = () => {
      if (this.stopped || source !== this.source) {
        return;
      }
      this.setStatus('reconnecting');
      if (source.readyState === EventSource.CLOSED) {
        this.reopenLater();
      }
    };
    // The events since the last one seen are no longer kept (or this is another server's log):
    // load everything again; the stream event that follows says where it continues.
    source.addEventListener('reset', () => this.onReset());
    // Where the stream continues after: the resume point even before any change arrived.
    source.addEventListener('stream', (message: MessageEvent<string>) => {
      if (message.lastEventId) {
        this.lastEventId = message.lastEventId;
      }
    });
    for (const type of EVENT_TYPES) {
      source.addEventListener(type, (message: MessageEvent<string>) => {
        if (message.lastEventId) {
          this.lastEventId = message.lastEventId;
        }
        let data: unknown;
        try {
          data = JSON.parse(message.data);
        } catch {
          return;
        }
        const seq = Number.parseInt(message.lastEventId, 10);
        this.onEvent({ type, data, seq: Number.isNaN(seq) ? null : seq });
      });
    }
  }

  private reopenLater() {
    this.source?.close();
    this.source = null;
    const delay = Math.min(MAX_BACKOFF_MILLIS, 1000 * 2 ** this.failures);
    this.failures += 1;
    this.retryTimer = setTimeout(() => {
      if (this.stopped) {
        return;
      }
      // A 401 here ends the session (the client's unauthorized listeners take the user to login).
      api.get('/auth/profile').then(
        () => !this.stopped && this.open(),
        () => !this.stopped && this.reopenLater(),
      );
    }, delay);
  }
}
