import createClient, { type FetchOptions, type FetchResponse } from 'openapi-fetch';
import type { PathsWithMethod, RequiredKeysOf } from 'openapi-typescript-helpers';
import { ApiError, toProblem } from './problem';
import type { paths } from './schema.generated';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
/** The document's paths that have this method, as it spells them (`/v1/keys/{id}`). */
export type ApiPath<M extends Method> = PathsWithMethod<paths, M>;
type Operation<M extends Method, P extends ApiPath<M>> = Extract<paths[P][M], Record<string | number, unknown>>;
/** What a call takes beside its path: `params: { path, query }` and `body` as the document types them, and fetch options. */
export type CallInit<M extends Method, P extends ApiPath<M>> = FetchOptions<Operation<M, P>>;
type CallArgs<M extends Method, P extends ApiPath<M>> = RequiredKeysOf<CallInit<M, P>> extends never ? [init?: CallInit<M, P>] : [init: CallInit<M, P>];
/** A GET's query parameters, as the document types them. */
export type QueryOf<P extends ApiPath<'get'>> = NonNullable<NonNullable<CallInit<'get', P>['params']>['query']>;
/** The 2xx answer as the document describes it (void when it has no body). */
export type Answer<M extends Method, P extends ApiPath<M>> = Body<NonNullable<FetchResponse<Operation<M, P>, object, 'application/json'>['data']>>;
type Body<T> = [T] extends [never] ? void : T;

type Query = Record<string, unknown>;
type Sent = { data?: unknown; error?: unknown; response: Response };
/** openapi-fetch's `request` with the typing left to the methods below (they alone decide what a path takes and answers). */
type UntypedRequest = (method: string, path: string, init?: object) => Promise<Sent>;

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

/** fetch that turns "no answer at all" into an ApiError with status 0. */
async function reach(request: Request): Promise<Response> {
  try {
    return await fetch(request);
  } catch {
    throw new ApiError({ status: 0, title: 'The API could not be reached' });
  }
}

/**
 * The console's only way to the API: the routes of the OpenAPI document the API serves
 * (types generated from it: schema.generated.ts), through openapi-fetch. The key goes in the
 * x-api-key header (never in a URL); problem+json refusals are thrown as ApiError.
 */
export class ApiClient {
  private readonly send: UntypedRequest;

  constructor(
    private readonly key: string,
    private readonly onUnauthorized: (error: ApiError) => void = () => undefined,
  ) {
    const api = createClient<paths>({
      headers: { 'x-api-key': key, accept: 'application/json' },
      // every call sends and accepts no cookie, except the one that asks for it (withCookies)
      credentials: 'omit',
      cache: 'no-store',
      querySerializer: (query) => toQueryString(query as Query), // openapi-fetch drops the leading ?
      fetch: reach,
    });
    this.send = api.request as UntypedRequest;
  }

  get<P extends ApiPath<'get'>>(path: P, ...init: CallArgs<'get', P>): Promise<Answer<'get', P>> {
    return this.call('get', path, init[0]);
  }

  post<P extends ApiPath<'post'>>(path: P, ...init: CallArgs<'post', P>): Promise<Answer<'post', P>> {
    // a POST without a body still sends {} (the API takes JSON bodies only)
    return this.call('post', path, { body: {}, ...init[0] });
  }

  patch<P extends ApiPath<'patch'>>(path: P, ...init: CallArgs<'patch', P>): Promise<Answer<'patch', P>> {
    return this.call('patch', path, init[0]);
  }

  put<P extends ApiPath<'put'>>(path: P, ...init: CallArgs<'put', P>): Promise<Answer<'put', P>> {
    return this.call('put', path, init[0]);
  }

  delete<P extends ApiPath<'delete'>>(path: P, ...init: CallArgs<'delete', P>): Promise<Answer<'delete', P>> {
    return this.call('delete', path, init[0]);
  }

  /**
   * The one call that sets or clears a cookie (the queue dashboard session, HttpOnly,
   * Path=/admin/queues); every other call sends and accepts none.
   */
  dashboardSession(action: 'open'): Promise<Answer<'post', '/v1/system/dashboard-session'>>;
  dashboardSession(action: 'close'): Promise<void>;
  dashboardSession(action: 'open' | 'close') {
    return action === 'open'
      ? this.call('post', '/v1/system/dashboard-session', { body: {}, credentials: 'same-origin' })
      : this.call('delete', '/v1/system/dashboard-session', { credentials: 'same-origin' });
  }

  /** The audit export as a file: the body as a Blob, refusals as ApiError. */
  async download(query: CallInit<'get', '/v1/audit-events/export'>['params']['query']): Promise<{ blob: Blob; filename: string }> {
    const { data, response } = await this.checked('get', '/v1/audit-events/export', { params: { query }, parseAs: 'blob' });
    const filename = /filename="?([^";]+)"?/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'export';
    return { blob: data as Blob, filename };
  }

  /** The OpenAPI document the API serves (the playground's route list); not one of its own paths. */
  openApiDocument(): Promise<unknown> {
    return this.call('get', '/docs/openapi.json', undefined);
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

  private async call<T>(method: Method, path: string, init: object | undefined): Promise<T> {
    return (await this.checked(method, path, init)).data as T;
  }

  /** The answer, or its refusal thrown as ApiError (with Retry-After; a 401 also ends the session). */
  private async checked(method: Method, path: string, init: object | undefined): Promise<Sent> {
    const sent = await this.send(method, path, init);
    const { response } = sent;
    if (response.ok) return sent;
    const retryAfter = Number(response.headers.get('retry-after'));
    const refusal = new ApiError(toProblem(response.status, response.statusText, sent.error), Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null);
    if (response.status === 401) this.onUnauthorized(refusal);
    throw refusal;
  }
}
