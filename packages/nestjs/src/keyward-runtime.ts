import { KeywardClient, KeywardClientOptions, KeywardHttpError, KeywardUnavailableError, VerifyAnswer } from './client';
import { KeyCache, KeyRecord } from './key-cache';
import { cacheKeyOf } from './key-format';
import { HeaderSource, presentedKey } from './key-headers';
import { KeywardProblem } from './problem';
import { QuotaDecision, QuotaLeases, QuotaLeasesOptions } from './quota-leases';
import { UsedRequest, describedRequest } from './request-use';
import { KeywardKeyInfo, ResolvedKey, resolveKey } from './resolved-key';
import { UsageInput, UsageReporter, UsageReporterOptions } from './usage-reporter';
import { KeywardLogger, VerifierStream, VerifierStreamOptions } from './verifier-stream';

export type { KeywardKeyInfo } from './resolved-key';

export interface KeywardOptions extends KeywardClientOptions {
  /** Keep a local cache coherent through the verifier stream (default true). Without it every request is verified afresh. */
  cache?: boolean;
  /** How long start-up waits for the first lease before serving (default 5000 ms; the guard verifies afresh meanwhile). */
  connectTimeoutMs?: number;
  stream?: VerifierStreamOptions;
  usage?: UsageReporterOptions;
  quota?: QuotaLeasesOptions;
  logger?: KeywardLogger;
  now?: () => number;
}

/** An authenticated request: the key's record (kept by the runtime) and what handlers see (frozen). */
export interface Authenticated {
  readonly record: KeyRecord;
  readonly key: KeywardKeyInfo;
}

/** Who presented a key: its address, and (from a framework's request) what Keyward's trail names a refusal by. */
export type KeyPresenter = { readonly ip?: string } & Partial<UsedRequest>;

/** A request as the runtime reads it. */
export interface RequestFacts extends HeaderSource {
  ip?: string;
}

const REFUSED = 'the key is not valid';

/**
 * The guard's logic without any framework: authentication from the coherent cache or a fresh
 * verify, the key's own checks (expiry, allowedIps, permissions), quota and usage. The Nest
 * module and the Express middleware are thin wrappers around one runtime each.
 */
export class KeywardRuntime {
  readonly client: KeywardClient;
  readonly cache: KeyCache;
  readonly stream: VerifierStream;
  readonly usage: UsageReporter;
  readonly quota: QuotaLeases;
  private readonly useCache: boolean;
  private readonly now: () => number;
  private readonly logger: KeywardLogger;

  constructor(private readonly options: KeywardOptions) {
    this.logger = options.logger ?? { warn: (message) => process.emitWarning(message, 'KeywardWarning') };
    this.now = options.now ?? (() => performance.now());
    this.client = new KeywardClient(options);
    this.cache = new KeyCache(this.now);
    this.stream = new VerifierStream(this.client, this.cache, this.logger, { now: this.now, ...options.stream });
    this.usage = new UsageReporter(this.client, this.logger, { now: this.now, ...options.usage });
    this.quota = new QuotaLeases(this.client, { now: this.now, ...options.quota });
    this.useCache = options.cache !== false;
  }

  /** Opens the verifier stream and waits (bounded) for the first lease; starts the usage timer. */
  async start(): Promise<void> {
    this.usage.start();
    if (!this.useCache) return;
    this.stream.start();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.stream.connected, new Promise((resolve) => (timer = setTimeout(resolve, this.options.connectTimeoutMs ?? 5_000)))]);
    clearTimeout(timer);
  }

  /** Closes the stream and sends the usage left. */
  async stop(): Promise<void> {
    await this.stream.stop();
    await this.usage.close();
    this.client.close();
  }

  /**
   * The key a request presents, authenticated: from the cache while the lease is trusted, else
   * by a fresh verify (`record: false`). Throws (or rejects with) a `KeywardProblem`: 401 for a
   * missing, malformed (no I/O), ambiguous, unknown, revoked, expired key or a refused address;
   * 503 when Keyward is unreachable and the key is not in a trusted cache. A cached key is
   * answered at once, without a promise.
   */
  authenticate(req: RequestFacts): Authenticated | Promise<Authenticated> {
    const presented = presentedKey(req);
    if (presented.kind !== 'key') throw KeywardProblem.unauthenticated(presented.code, presented.detail);
    return this.authenticateKey(presented.key, req);
  }

  /**
   * `key` presented by a request: `from.ip` (Express's `req.ip` is a getter that parses headers)
   * is read only when the key names addresses or Keyward is asked.
   */
  authenticateKey(key: string, from: KeyPresenter): Authenticated | Promise<Authenticated> {
    if (!this.useCache) return this.authenticateAfresh(key, undefined, from);
    const hash = cacheKeyOf(key);
    const cached = this.cache.get(hash);
    return cached ? admit(cached, from) : this.authenticateAfresh(key, hash, from);
  }

  private async authenticateAfresh(key: string, hash: string | undefined, from: KeyPresenter): Promise<Authenticated> {
    const mark = this.cache.mark();
    const answer = await this.verifyAfresh(key, from);
    const record = recordOf(answer);
    if (!record) throw KeywardProblem.unauthenticated('INVALID_API_KEY', REFUSED);
    const resolved = resolveKey(record);
    // an answer without allowedIps cannot be checked locally later: used once, not cached
    if (hash !== undefined && answer.allowedIps !== undefined) this.cache.put(hash, resolved, mark);
    return admit(resolved, from);
  }

  /**
   * One request of the key's rate limit, exact across services: the decision (undefined: the key
   * has no limit), at once while the key's block lasts; throws (rejects with) a 429
   * `RATE_LIMITED` problem carrying the headers, or 503 when a new block is needed and Keyward is away.
   */
  spend(record: KeyRecord): QuotaDecision | undefined | Promise<QuotaDecision | undefined> {
    let decision;
    try {
      decision = this.quota.take(record.keyId, record.rateLimit);
    } catch (err) {
      throw this.unavailable(err);
    }
    if (decision instanceof Promise) return decision.then(refuseIfLimited, (err: unknown) => Promise.reject(this.unavailable(err)));
    return refuseIfLimited(decision);
  }

  /** 403 `INSUFFICIENT_PERMISSIONS` unless the key holds every permission named. */
  checkPermissions(record: KeyRecord, required: readonly string[]): void {
    if (required.every((p) => record.permissions.includes(p))) return;
    const missing = required.filter((p) => !record.permissions.includes(p));
    throw new KeywardProblem(403, 'INSUFFICIENT_PERMISSIONS', `this key lacks the permission ${missing.join(', ')}`);
  }

  /** The request's use of the key, reported in the next batch. */
  recordUse(use: UsageInput): void {
    this.usage.record(use);
  }

  private async verifyAfresh(key: string, from: KeyPresenter): Promise<VerifyAnswer> {
    const request = describedRequest(from);
    try {
      return await this.client.verify({ key, ...(from.ip ? { ip: from.ip } : {}), record: false, ...(request ? { request } : {}) });
    } catch (err) {
      throw this.unavailable(err);
    }
  }

  private unavailable(err: unknown): KeywardProblem {
    if (err instanceof KeywardUnavailableError) return KeywardProblem.unavailable();
    if (err instanceof KeywardHttpError) {
      // the service's own key was refused (revoked, missing keys:verify): a configuration fault, not the caller's
      this.logger.warn(`Keyward refused the service's request: ${err.status} ${err.code}`);
      return KeywardProblem.unavailable();
    }
    this.logger.warn(`Keyward request failed: ${(err as Error).message}`);
    return KeywardProblem.unavailable();
  }
}

/** A verify answer's key, when it is one that may be used (an insufficient permission is checked locally). */
function recordOf(answer: VerifyAnswer): KeyRecord | undefined {
  const usable = answer.code === 'VALID' || answer.code === 'INSUFFICIENT_PERMISSIONS' || answer.code === 'RATE_LIMITED';
  if (!usable || !answer.keyId || !answer.ownerId || !answer.companyId) return undefined;
  return {
    keyId: answer.keyId,
    ownerId: answer.ownerId,
    companyId: answer.companyId,
    name: answer.name ?? '',
    permissions: answer.permissions ?? [],
    roles: answer.roles ?? [],
    meta: answer.meta ?? {},
    externalId: answer.externalId ?? null,
    expiresAt: answer.expiresAt ?? null,
    allowedIps: answer.allowedIps ?? null,
    rateLimit: answer.rateLimit ?? null,
  };
}

/** The key as cached or answered, for this request: refused once expired or from an address it does not allow. */
function admit(resolved: ResolvedKey, from: { readonly ip?: string }): Authenticated {
  if (Date.now() >= resolved.expiresAtMs) throw KeywardProblem.unauthenticated('INVALID_API_KEY', REFUSED);
  if (resolved.allowsIp !== null && !resolved.allowsIp(from.ip)) throw KeywardProblem.unauthenticated('INVALID_API_KEY', REFUSED);
  return resolved;
}

const headersOfDecision = new WeakMap<QuotaDecision, Readonly<Record<string, string>>>();

/** The rate-limit headers of an allowing decision (made once per decision: the quota hands the same one out for a second). */
export function rateLimitHeaders(decision: QuotaDecision): Readonly<Record<string, string>> {
  let headers = headersOfDecision.get(decision);
  if (!headers) {
    headers = Object.freeze({ 'RateLimit-Limit': String(decision.limit), 'RateLimit-Reset': String(decision.resetSeconds) });
    headersOfDecision.set(decision, headers);
  }
  return headers;
}

function refuseIfLimited(decision: QuotaDecision | undefined): QuotaDecision | undefined {
  if (decision === undefined || decision.allowed) return decision;
  const retry = String(Math.max(1, decision.resetSeconds));
  const headers = { ...rateLimitHeaders(decision), 'RateLimit-Remaining': '0', 'Retry-After': retry };
  throw new KeywardProblem(429, 'RATE_LIMITED', `rate limit of ${decision.limit} requests reached; retry in ${retry} s`, headers);
}
