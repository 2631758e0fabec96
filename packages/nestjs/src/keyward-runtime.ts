import { KeywardClient, KeywardClientOptions, KeywardHttpError, KeywardUnavailableError, VerifyAnswer } from './client';
import { ipMatcher } from './ip-allow';
import { KeyCache, KeyRecord } from './key-cache';
import { cacheKeyOf } from './key-format';
import { HeaderSource, presentedKey } from './key-headers';
import { KeywardProblem } from './problem';
import { QuotaLeases, QuotaLeasesOptions } from './quota-leases';
import { UsageInput, UsageReporter, UsageReporterOptions } from './usage-reporter';
import { KeywardLogger, VerifierStream, VerifierStreamOptions } from './verifier-stream';

/** What a handler learns of the key that authenticated its request (`@KeywardKey()`). */
export type KeywardKeyInfo = Omit<KeyRecord, 'allowedIps' | 'rateLimit'>;

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

/** An authenticated request: the key's record (kept by the runtime) and what handlers see. */
export interface Authenticated {
  record: KeyRecord;
  key: KeywardKeyInfo;
}

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
  }

  /**
   * The key a request presents, authenticated: from the cache while the lease is trusted, else
   * by a fresh verify (`record: false`). Throws a `KeywardProblem`: 401 for a missing, malformed
   * (no I/O), ambiguous, unknown, revoked, expired key or a refused address; 503 when Keyward is
   * unreachable and the key is not in a trusted cache.
   */
  async authenticate(req: RequestFacts): Promise<Authenticated> {
    const presented = presentedKey(req);
    if (presented.kind !== 'key') throw KeywardProblem.unauthenticated(presented.code, presented.detail);
    return this.authenticateKey(presented.key, req.ip);
  }

  async authenticateKey(key: string, ip: string | undefined): Promise<Authenticated> {
    const hash = cacheKeyOf(key);
    let record = this.useCache ? this.cache.get(hash) : undefined;
    if (!record) {
      const mark = this.cache.mark();
      const answer = await this.verifyAfresh(key, ip);
      record = recordOf(answer);
      if (!record) throw KeywardProblem.unauthenticated('INVALID_API_KEY', REFUSED);
      // an answer without allowedIps cannot be checked locally later: used once, not cached
      if (this.useCache && answer.allowedIps !== undefined) this.cache.put(hash, record, mark);
    }
    if (record.expiresAt !== null && Date.parse(record.expiresAt) <= Date.now()) {
      throw KeywardProblem.unauthenticated('INVALID_API_KEY', REFUSED);
    }
    if (record.allowedIps && record.allowedIps.length > 0 && !ipMatcher(record.allowedIps)(ip)) {
      throw KeywardProblem.unauthenticated('INVALID_API_KEY', REFUSED);
    }
    return { record, key: infoOf(record) };
  }

  /**
   * One request of the key's rate limit, exact across services: the rate-limit headers to send,
   * or a 429 `RATE_LIMITED` problem carrying them; 503 when a new block is needed and Keyward is away.
   */
  async spend(record: KeyRecord): Promise<Record<string, string>> {
    let decision;
    try {
      decision = await this.quota.take(record.keyId, record.rateLimit);
    } catch (err) {
      throw this.unavailable(err);
    }
    if (!decision) return {};
    const headers: Record<string, string> = { 'RateLimit-Limit': String(decision.limit), 'RateLimit-Reset': String(decision.resetSeconds) };
    if (!decision.allowed) {
      Object.assign(headers, { 'RateLimit-Remaining': '0', 'Retry-After': String(Math.max(1, decision.resetSeconds)) });
      throw new KeywardProblem(429, 'RATE_LIMITED', `rate limit of ${decision.limit} requests reached; retry in ${Math.max(1, decision.resetSeconds)} s`, headers);
    }
    return headers;
  }

  /** 403 `INSUFFICIENT_PERMISSIONS` unless the key holds every permission named. */
  checkPermissions(record: KeyRecord, required: readonly string[]): void {
    const missing = required.filter((p) => !record.permissions.includes(p));
    if (missing.length > 0) throw new KeywardProblem(403, 'INSUFFICIENT_PERMISSIONS', `this key lacks the permission ${missing.join(', ')}`);
  }

  /** The request's use of the key, reported in the next batch. */
  recordUse(use: UsageInput): void {
    this.usage.record(use);
  }

  private async verifyAfresh(key: string, ip: string | undefined): Promise<VerifyAnswer> {
    try {
      return await this.client.verify({ key, ...(ip ? { ip } : {}), record: false });
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

function infoOf({ allowedIps: _ips, rateLimit: _limit, ...key }: KeyRecord): KeywardKeyInfo {
  return { ...key, permissions: [...key.permissions], roles: [...key.roles] };
}
