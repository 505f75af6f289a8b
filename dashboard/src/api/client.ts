// The one HTTP client of the dashboard: same-origin JSON calls to /api/v1 with the session
// cookie. Every failure becomes an ApiError carrying the status and the API's own message.

export const API_BASE = '/api/v1';

export class ApiError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();

/** Called whenever an authenticated call answers 401: the session ended or expired. */
export function onUnauthorized(listener: Listener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

/** Calls whose 401 means "wrong credentials", not "session over". */
const CREDENTIAL_CHECKS = new Set(['/auth/login', '/auth/register', '/auth/setup']);

/**
 * How long a read may take before it is given up (and, for queries, tried again): a request the
 * server never answers must not leave a page loading forever. Reads of a git remote wait longer
 * (the gateway gives each remote call 30 s). Writes have no deadline: a delete waits for its agent.
 */
export const READ_DEADLINE_MS = 15_000;
export const REMOTE_READ_DEADLINE_MS = 70_000;

export async function request<T>(method: string, path: string, body?: unknown, deadlineMs?: number): Promise<T> {
  const response = await send(method, path, body, deadlineMs);
  if (response.status === 204) {
    return undefined as T;
  }
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** One page of a list route: its items and how many match in all (the X-Total-Count header). */
export interface Page<T> {
  items: T[];
  total: number;
}

/** GETs a page of a list route (GET /applications?limit=...): the items, and the total the server counted. */
export async function requestPage<T>(path: string): Promise<Page<T>> {
  const response = await send('GET', path);
  const items = JSON.parse(await response.text()) as T[];
  const total = Number.parseInt(response.headers.get('X-Total-Count') ?? '', 10);
  return { items, total: Number.isNaN(total) ? items.length : total };
}

/** Sends the call; an answer that is not 2xx becomes an ApiError. */
async function send(method: string, path: string, body?: unknown, deadlineMs?: number): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const init: RequestInit = { method, credentials: 'same-origin', headers };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const deadline = deadlineMs ?? (method === 'GET' ? READ_DEADLINE_MS : undefined);
  if (deadline !== undefined) {
    init.signal = AbortSignal.timeout(deadline);
  }
  let response: Response;
  try {
    response = await fetch(API_BASE + path, init);
  } catch (error) {
    if (error instanceof DOMException && error.name === 'TimeoutError') {
      throw new ApiError(0, `Orca did not answer within ${Math.round((deadline ?? 0) / 1000)} s`);
    }
    throw new ApiError(0, 'Orca cannot be reached; check that it is running');
  }
  if (response.status === 401 && !CREDENTIAL_CHECKS.has(path)) {
    unauthorizedListeners.forEach((listener) => listener());
  }
  if (!response.ok) {
    throw new ApiError(response.status, await errorMessage(response));
  }
  return response;
}

async function errorMessage(response: Response): Promise<string> {
  try {
    const body: unknown = await response.json();
    if (body && typeof body === 'object' && typeof (body as { error?: unknown }).error === 'string') {
      return (body as { error: string }).error;
    }
  } catch {
    // not JSON: fall through to the status line
  }
  return `${response.status} ${response.statusText || 'request failed'}`.trim();
}

export const api = {
  get: <T>(path: string, deadlineMs?: number) => request<T>('GET', path, undefined, deadlineMs),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {}),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
  delete: <T = void>(path: string) => request<T>('DELETE', path),
};

/**
 * The form field an API error is about, when its message names one of {@code fields} first
 * ("pollingInterval must be at least 30 seconds" → pollingInterval). Undefined otherwise, so
 * the caller shows it as a notification instead.
 */
export function fieldOf<F extends string>(error: unknown, fields: readonly F[]): F | undefined {
  if (!(error instanceof ApiError) || error.status === 0 || error.status >= 500) {
    return undefined;
  }
  const first = error.message.trim().split(/[\s:,]/, 1)[0] ?? '';
  return fields.find((field) => field === first);
}
