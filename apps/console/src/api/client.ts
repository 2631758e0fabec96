import { ApiError, toProblem } from './problem';

export type Query = Record<string, string | number | boolean | string[] | null | undefined>;

/** Builds `?a=1&b=x,y` from the set values only (lists are comma-separated, as the API takes them). */
export function toQueryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) {
      if (value.length) params.set(name, value.join(','));
    } else params.set(name, String(value));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

export interface RawResponse {
  status: number;
  statusText: string;
  headers: [string, string][];
  body: string;
  durationMs: number;
}

/**
 * The console's only way to the API: the public HTTP routes of CONTRACT.md, the key in
 * the x-api-key header (never in a URL), problem+json refusals thrown as ApiError.
 */
export class ApiClient {
  constructor(
    private readonly key: string,
    private readonly onUnauthorized: (error: ApiError) => void = () => undefined,
  ) {}

  /**
   * `withCookies`: the one call that sets or clears a cookie (the queue dashboard session,
   * HttpOnly, Path=/admin/queues); every other call sends and accepts none.
   */
  async request<T>(method: string, path: string, options: { query?: Query; body?: unknown; withCookies?: boolean } = {}): Promise<T> {
    const response = await this.send(method, path + toQueryString(options.query), options.body, options.withCookies);
    const text = await response.text();
    const body = text ? parseJson(text) : undefined;
    if (!response.ok) {
      const retryAfter = Number(response.headers.get('retry-after'));
      const error = new ApiError(toProblem(response.status, response.statusText, body), Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null);
      if (response.status === 401) this.onUnauthorized(error);
      throw error;
    }
    return body as T;
  }

  get<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>('GET', path, { query });
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, { body: body ?? {} });
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', path, { body });
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', path, { body });
  }

  delete(path: string): Promise<void> {
    return this.request<void>('DELETE', path);
  }

  /** A file download (export): the body as a Blob, refusals as ApiError. */
  async download(path: string, query?: Query): Promise<{ blob: Blob; filename: string }> {
    const response = await this.send('GET', path + toQueryString(query));
    if (!response.ok) {
      const text = await response.text();
      throw new ApiError(toProblem(response.status, response.statusText, text ? parseJson(text) : undefined));
    }
    const disposition = response.headers.get('content-disposition') ?? '';
    const filename = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? 'export';
    return { blob: await response.blob(), filename };
  }

  /** Any request, answered as it came (the playground). */
  async raw(method: string, pathAndQuery: string, body?: string, key: string = this.key): Promise<RawResponse> {
    const started = performance.now();
    const response = await fetch(pathAndQuery, {
      method,
      headers: { 'x-api-key': key, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body,
      credentials: 'omit',
      cache: 'no-store',
    });
    const text = await response.text();
    return {
      status: response.status,
      statusText: response.statusText,
      headers: [...response.headers.entries()],
      body: text,
      durationMs: Math.round(performance.now() - started),
    };
  }

  private async send(method: string, pathAndQuery: string, body?: unknown, withCookies = false): Promise<Response> {
    try {
      return await fetch(pathAndQuery, {
        method,
        headers: {
          'x-api-key': this.key,
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: body !== undefined ? JSON.stringify(body) : undefined,
        credentials: withCookies ? 'same-origin' : 'omit',
        cache: 'no-store',
      });
    } catch {
      throw new ApiError({ status: 0, title: 'The API could not be reached' });
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
