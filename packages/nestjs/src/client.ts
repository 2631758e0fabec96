import { HttpAnswer, HttpJson } from './http-json';

/** A rate-limit setting of a key. */
export interface RateLimitSetting {
  limit: number;
  windowSeconds: number;
}

export type VerifyCode = 'VALID' | 'NOT_FOUND' | 'EXPIRED' | 'REVOKED' | 'FORBIDDEN' | 'OWNER_DISABLED' | 'INSUFFICIENT_PERMISSIONS' | 'RATE_LIMITED';

export interface VerifyRequest {
  key: string;
  /** The end client's address, checked against the key's allowedIps. */
  ip?: string;
  permissions?: string[];
  /** false: no KeyUsed and no rate limit spent (the caller reports usage and leases quota itself). */
  record?: boolean;
  /** The service's request that presented the key: the trail records it (a refusal included) instead of the verify call. */
  request?: { method: string; route: string; userAgent?: string; requestId?: string };
}

export interface VerifyAnswer {
  valid: boolean;
  code: VerifyCode;
  keyId?: string;
  ownerId?: string;
  companyId?: string;
  permissions?: string[];
  expiresAt?: string | null;
  rateLimit?: RateLimitSetting | null;
  name?: string;
  roles?: string[];
  meta?: Record<string, unknown>;
  externalId?: string | null;
  allowedIps?: string[] | null;
  missingPermissions?: string[];
  ip?: string | null;
}

export interface UsageRecord {
  eventId: string;
  keyId: string;
  method: string;
  route: string;
  status: number;
  ip: string | null;
  userAgent?: string | null;
  requestId?: string | null;
  durationMs: number;
  occurredAt: string;
}

export interface QuotaGrant {
  granted: number;
  limit: number;
  windowSeconds: number;
  resetSeconds: number;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A key resource as Keyward answers it (CONTRACT.md); fields added later pass through. */
export interface KeyResource {
  id: string;
  name: string;
  start: string;
  status: 'active' | 'revoked' | 'expired';
  permissions: string[];
  roles?: string[];
  ownerId: string;
  companyId: string;
  expiresAt: string | null;
  allowedIps: string[] | null;
  rateLimit: RateLimitSetting | null;
  meta?: Record<string, unknown>;
  externalId?: string | null;
  [field: string]: unknown;
}

export interface CreateKeyRequest {
  name: string;
  description?: string;
  permissions?: string[];
  role?: string;
  roles?: string[];
  expiresAt?: string;
  allowedIps?: string[];
  rateLimit?: RateLimitSetting;
  ownerId?: string;
  meta?: Record<string, unknown>;
  externalId?: string;
}

export interface AuditEvent {
  position: number | string;
  type: string;
  occurredAt: string;
  companyId: string;
  data: Record<string, unknown>;
  [field: string]: unknown;
}

export type Query = Record<string, string | number | boolean | undefined>;

/** Keyward answered with a problem (4xx): its status and stable code. */
export class KeywardHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
  ) {
    super(`Keyward answered ${status} ${code}: ${detail}`);
    this.name = 'KeywardHttpError';
  }
}

/** Keyward could not be reached, timed out or failed (5xx): the answer is unknown. */
export class KeywardUnavailableError extends Error {
  constructor(readonly reason: string) {
    super(`Keyward is unavailable: ${reason}`);
    this.name = 'KeywardUnavailableError';
  }
}

export interface KeywardClientOptions {
  /** Keyward's base URL, e.g. http://127.0.0.1:3000 */
  url: string;
  /** The service's own key (a `keys:verify` key for the guard; other routes need their permission). */
  apiKey: string;
  /** Per request (the verifier stream's opening included); default 5000 ms. */
  timeoutMs?: number;
  /** Sends every request through this `fetch` instead (tests, custom transports); default: Node's http with keep-alive, and `fetch` for the verifier stream. */
  fetch?: typeof fetch;
}

function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/**
 * Keyward's HTTP API for a service (Node ≥ 20 `fetch`). Errors never carry a key: a refusal is a
 * `KeywardHttpError` with Keyward's code, anything else a `KeywardUnavailableError`.
 */
export class KeywardClient {
  private readonly base: string;
  private readonly apiKey: string;
  private readonly timeoutMs: number;
  private readonly fetchFn: typeof fetch;
  private readonly http?: HttpJson;

  readonly keys = {
    list: (query?: Query) => this.request<Page<KeyResource>>('GET', withQuery('/v1/keys', query)),
    get: (id: string) => this.request<KeyResource>('GET', `/v1/keys/${encodeURIComponent(id)}`),
    create: (body: CreateKeyRequest) => this.request<KeyResource & { key: string }>('POST', '/v1/keys', body),
    revoke: (id: string, reason?: string) => this.request<KeyResource>('POST', `/v1/keys/${encodeURIComponent(id)}/revoke`, reason ? { reason } : {}),
  };

  readonly audit = {
    list: (query?: Query) => this.request<Page<AuditEvent>>('GET', withQuery('/v1/audit-events', query)),
  };

  constructor(options: KeywardClientOptions) {
    if (!options.url) throw new Error('KeywardClient: url is required');
    if (!options.apiKey) throw new Error('KeywardClient: apiKey is required');
    this.base = options.url.replace(/\/+$/, '');
    this.apiKey = options.apiKey;
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.fetchFn = options.fetch ?? fetch;
    if (!options.fetch) this.http = new HttpJson(this.base);
  }

  verify(body: VerifyRequest): Promise<VerifyAnswer> {
    return this.request<VerifyAnswer>('POST', '/v1/keys/verify', body);
  }

  /** `POST /v1/verifiers/:id/ack`: every change up to `seq` applied; renews the lease. */
  ack(verifierId: string, seq: number, timeoutMs?: number): Promise<{ leaseMs: number }> {
    return this.request('POST', `/v1/verifiers/${encodeURIComponent(verifierId)}/ack`, { seq }, timeoutMs);
  }

  /** `DELETE /v1/verifiers/:id`: this verifier stopped answering from its cache; changes stop waiting for it. */
  releaseVerifier(verifierId: string, timeoutMs?: number): Promise<unknown> {
    return this.request('DELETE', `/v1/verifiers/${encodeURIComponent(verifierId)}`, undefined, timeoutMs);
  }

  /** `POST /v1/usage`: 1..1000 records, appended once each (by eventId). */
  reportUsage(records: UsageRecord[]): Promise<{ appended: number }> {
    return this.request('POST', '/v1/usage', { records });
  }

  /** `POST /v1/keys/:id/quota`: up to `want` requests of the key's current window. */
  takeQuota(keyId: string, want: number): Promise<QuotaGrant> {
    return this.request('POST', `/v1/keys/${encodeURIComponent(keyId)}/quota`, { want });
  }

  /** Opens `GET /v1/verifiers/stream`; the body is the event stream. `signal` ends it. */
  async openVerifierStream(signal: AbortSignal): Promise<ReadableStream<Uint8Array>> {
    // the opening times out; the stream itself lasts until `signal` ends it
    const local = new AbortController();
    const end = () => local.abort();
    signal.addEventListener('abort', end, { once: true });
    const timer = setTimeout(end, this.timeoutMs);
    let res: Response;
    try {
      res = await this.fetchFn(`${this.base}/v1/verifiers/stream`, { headers: { ...this.auth(), accept: 'text/event-stream' }, signal: local.signal });
    } catch (err) {
      signal.removeEventListener('abort', end);
      throw new KeywardUnavailableError(reasonOf(err));
    } finally {
      clearTimeout(timer);
    }
    if (!res.ok || !res.body) {
      signal.removeEventListener('abort', end);
      throw failure({ status: res.status, statusText: res.statusText, text: await res.text().catch(() => '') });
    }
    return res.body;
  }

  async request<T>(method: string, path: string, body?: unknown, timeoutMs = this.timeoutMs): Promise<T> {
    const headers = { ...this.auth(), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) };
    const text = body !== undefined ? JSON.stringify(body) : undefined;
    let answer: HttpAnswer;
    try {
      answer = this.http
        ? await this.http.request(`${this.base}${path}`, method, headers, text, timeoutMs)
        : await this.viaFetch(`${this.base}${path}`, method, headers, text, timeoutMs);
    } catch (err) {
      throw new KeywardUnavailableError(reasonOf(err));
    }
    if (answer.status < 200 || answer.status > 299) throw failure(answer);
    try {
      return (answer.text ? JSON.parse(answer.text) : undefined) as T;
    } catch (err) {
      throw new KeywardUnavailableError(`unreadable answer: ${reasonOf(err)}`);
    }
  }

  /** Closes the client's idle connections. */
  close(): void {
    this.http?.close();
  }

  private async viaFetch(url: string, method: string, headers: Record<string, string>, body: string | undefined, timeoutMs: number): Promise<HttpAnswer> {
    const res = await this.fetchFn(url, { method, headers, body, signal: AbortSignal.timeout(timeoutMs) });
    return { status: res.status, statusText: res.statusText, text: await res.text() };
  }

  private auth(): Record<string, string> {
    return { 'x-api-key': this.apiKey };
  }
}

/** Keyward's problem answer as an error: 5xx (or no problem code) unavailable, 4xx a refusal with its code. */
function failure(answer: HttpAnswer): Error {
  let problem: { code?: string; detail?: string } = {};
  try {
    problem = JSON.parse(answer.text) as typeof problem;
  } catch {
    // not a problem document
  }
  if (answer.status >= 500) return new KeywardUnavailableError(`HTTP ${answer.status}${problem.code ? ` ${problem.code}` : ''}`);
  return new KeywardHttpError(answer.status, problem.code ?? `HTTP_${answer.status}`, problem.detail ?? answer.statusText);
}

function reasonOf(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string } };
  if (e?.name === 'TimeoutError') return 'timed out';
  return e?.cause?.code ?? (e as { code?: string })?.code ?? e?.message ?? String(err);
}
