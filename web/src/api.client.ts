// The console's only way to the service: the public API on this origin, with the key the user typed.
// The key lives in sessionStorage (gone when the tab closes) and travels only in the Authorization
// header, never in a URL.

const KEY_ITEM = 'pipescope.api_key';

/** An answer of the API that was not 2xx, or no answer at all (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type KeyListener = (key: string | null) => void;
const listeners = new Set<KeyListener>();
const authListeners = new Set<(err: ApiError) => void>();

export function storedKey(): string | null {
  return sessionStorage.getItem(KEY_ITEM);
}

export function saveKey(key: string | null): void {
  if (key) sessionStorage.setItem(KEY_ITEM, key);
  else sessionStorage.removeItem(KEY_ITEM);
  listeners.forEach((l) => l(key));
}

export function onKeyChange(listener: KeyListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Told of every 401 and 403, so the page asks for a key once rather than in every section. */
export function onAuthError(listener: (err: ApiError) => void): () => void {
  authListeners.add(listener);
  return () => authListeners.delete(listener);
}

/** Query string from defined, non-empty values only. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

interface ErrorBody {
  error?: { code?: string; message?: string; details?: unknown };
  request_id?: string;
}

export async function api<T>(
  path: string,
  init: { method?: string; body?: unknown; signal?: AbortSignal } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const key = storedKey();
  if (key) headers.authorization = `Bearer ${key}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, {
      method: init.method ?? 'GET',
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: init.signal,
      cache: 'no-store',
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'NETWORK', (err as Error).message);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const e = (body as ErrorBody | undefined)?.error;
    const err = new ApiError(
      res.status,
      e?.code ?? `HTTP_${res.status}`,
      e?.message ?? (text.slice(0, 200) || res.statusText),
      e?.details,
      (body as ErrorBody | undefined)?.request_id ?? res.headers.get('x-request-id') ?? undefined,
    );
    if (res.status === 401 || res.status === 403) authListeners.forEach((l) => l(err));
    throw err;
  }
  return body as T;
}

/** Follows `next_cursor` until the end or `max` items, for lists the console shows whole. */
export async function allPages<T>(
  path: (cursor: string | undefined) => string,
  max: number,
  signal?: AbortSignal,
): Promise<{ items: T[]; more: boolean }> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await api<{ items: T[]; next_cursor: string | null }>(path(cursor), { signal });
    items.push(...page.items);
    if (!page.next_cursor) return { items, more: false };
    if (items.length >= max) return { items, more: true };
    cursor = page.next_cursor;
  }
}

/** Runs `tasks` with at most `limit` in flight; results in task order. */
export async function pool<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const out: T[] = new Array<T>(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const i = next++;
      out[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return out;
}
