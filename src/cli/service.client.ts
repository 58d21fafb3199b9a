// The CLI's connection to a running pipescope: the public HTTP API, with the key as a Bearer header
// (never in a URL, never printed).

/** The service answered with an error body, or could not be reached (status 0). */
export class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** Seconds the service asked us to wait (Retry-After). */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'ServiceError';
  }

  /** Worth trying again later: no answer, overload, or a storage outage. */
  get retryable(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

export interface Answer<T> {
  status: number;
  body: T;
  retryAfter?: number;
}

type Params = Record<string, string | number | boolean | undefined>;

export class ServiceClient {
  private readonly base: string;

  constructor(
    url: string,
    private readonly key: string | undefined,
    private readonly timeoutMs = 60_000,
  ) {
    this.base = url.replace(/\/+$/, '');
  }

  get<T>(path: string, params: Params = {}): Promise<T> {
    return this.send<T>('GET', path + queryString(params)).then((a) => a.body);
  }

  post<T>(path: string, body: unknown): Promise<Answer<T>> {
    return this.send<T>('POST', path, JSON.stringify(body));
  }

  /** POSTs `text` as it is (already JSON), so the service stores exactly these bytes. */
  postText<T>(path: string, text: string): Promise<Answer<T>> {
    return this.send<T>('POST', path, text);
  }

  /** The body as text, untouched (for `event --raw`). */
  async getText(path: string): Promise<string> {
    return (await this.request('GET', path)).text();
  }

  private async send<T>(method: string, path: string, body?: string): Promise<Answer<T>> {
    const res = await this.request(method, path, body);
    const text = await res.text();
    const retryAfter = Number(res.headers.get('retry-after')) || undefined;
    return { status: res.status, body: parse(text) as T, retryAfter };
  }

  private async request(method: string, path: string, body?: string): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'pipescope-cli' };
    if (this.key) headers.authorization = `Bearer ${this.key}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(this.base + path, {
        method,
        headers,
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      throw new ServiceError(0, 'NETWORK', `no answer from ${this.base}: ${cause ?? (err as Error).message}`);
    }
    if (res.ok) return res;
    const text = await res.text();
    const error = (
      parse(text) as { error?: { code?: string; message?: string; details?: unknown } } | undefined
    )?.error;
    throw new ServiceError(
      res.status,
      error?.code ?? `HTTP_${res.status}`,
      error?.message ?? (text.slice(0, 200) || res.statusText),
      error?.details,
      Number(res.headers.get('retry-after')) || undefined,
    );
  }
}

function parse(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return text;
  }
}

export function queryString(params: Params): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
