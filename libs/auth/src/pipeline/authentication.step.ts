import { Injectable } from '@nestjs/common';
import { Problem } from '@keyward/common';
import { userAgentOf } from '@keyward/observability';
import { UsageBuffer } from '@keyward/usage';
import { Principal } from '../auth-record';
import { KeyHeader, PresentedKey, presentedKey } from '../key-headers';
import { AuthFailureThrottle } from '../rate-limits';
import { ApiKeyHeaderStrategy, AuthFailure, BearerStrategy, XApiKeyStrategy } from './key-strategies';
import { KeyedRequest, routeOf, setAuthOutcome } from './request';

const CHALLENGE = { 'WWW-Authenticate': 'Bearer' };

/** A refusal recorded as AuthenticationFailed: why, and the key and company when known (never the key itself). */
type RecordedRefusal = Omit<AuthFailure, 'reason'> & { reason: AuthFailure['reason'] | 'AMBIGUOUS' };

interface PassportStrategyLike {
  authenticate(req: unknown, options: object): void;
}
type StrategyAttempt = PassportStrategyLike & {
  success(principal: Principal): void;
  fail(failure?: AuthFailure): void;
  error(err: unknown): void;
};
const AS_PASSPORT_DOES = { session: false };

type Authentication = { ok: true; principal: Principal } | { ok: false; failure: AuthFailure };

/**
 * Step 1 of the pipeline: who is calling.
 * 1. the key headers — missing, malformed or ambiguous is refused here, with no I/O;
 * 2. the passport strategy of the header that holds the key;
 * 3. a refused key is counted against the client address and recorded as AuthenticationFailed:
 *    429 while the address is throttled, else 401 — the same answer for every reason, no hint
 *    whether the key exists (a valid key is never throttled).
 */
@Injectable()
export class AuthenticationStep {
  private readonly strategies: Record<KeyHeader, PassportStrategyLike>;

  constructor(
    xApiKey: XApiKeyStrategy,
    apiKey: ApiKeyHeaderStrategy,
    bearer: BearerStrategy,
    private readonly throttle: AuthFailureThrottle,
    private readonly usage: UsageBuffer,
  ) {
    this.strategies = { 'x-api-key': xApiKey, 'api-key': apiKey, authorization: bearer };
  }

  /**
   * The principal of the key the request presents, also set as `req.user`, at once when the
   * strategy answers at once (a cached key); a refusal is the Problem that refuses it, thrown or
   * rejected.
   */
  authenticate(req: KeyedRequest): Principal | Promise<Principal> {
    const presented = presentedKey(req);
    if (presented.kind !== 'key') throw this.headerRefusal(req, presented);
    const authentication = this.viaStrategy(presented.header, req);
    if (authentication instanceof Promise) return authentication.then((a) => this.admitted(req, a));
    return this.admitted(req, authentication);
  }

  private admitted(req: KeyedRequest, authentication: Authentication): Principal | Promise<never> {
    if (!authentication.ok) return this.keyRefusal(req, authentication.failure).then((problem) => Promise.reject(problem));
    return (req.user = authentication.principal);
  }

  /**
   * Runs the strategy of one header by passport's strategy protocol (an attempt object whose
   * success, fail and error settle it), as passport.authenticate does for one strategy without
   * a session — but without its middleware, which adds login/logout helpers and a session
   * manager to every request: measured with bench/profile-guard.js on this machine (one run
   * each), 757 µs of API CPU per guarded request through passport.authenticate against 410 µs
   * this way (the public route: 339 and 276 µs in the same runs). A strategy that settles
   * during `authenticate` (a cached key) is answered without a promise.
   */
  private viaStrategy(header: KeyHeader, req: KeyedRequest): Authentication | Promise<Authentication> {
    let settled: { value: Authentication } | { error: unknown } | undefined;
    let later: { resolve: (a: Authentication) => void; reject: (err: unknown) => void } | undefined;
    const settle = (outcome: { value: Authentication } | { error: unknown }) => {
      if (settled) return; // a strategy settles once
      settled = outcome;
      if (later) 'value' in outcome ? later.resolve(outcome.value) : later.reject(outcome.error);
    };
    const attempt = Object.create(this.strategies[header]) as StrategyAttempt;
    attempt.success = (principal) => settle({ value: { ok: true, principal } });
    attempt.fail = (failure) => settle({ value: { ok: false, failure: failure?.reason ? failure : { reason: 'MALFORMED' } } });
    attempt.error = (error) => settle({ error });
    attempt.authenticate(req, AS_PASSPORT_DOES);
    if (settled) {
      if ('error' in settled) throw settled.error;
      return settled.value;
    }
    return new Promise((resolve, reject) => (later = { resolve, reject }));
  }

  /**
   * No key, a malformed one, or different keys in several headers: 401 at once. Only the
   * ambiguous request is an attempt with keys: it is counted (not awaited) and recorded.
   */
  private headerRefusal(req: KeyedRequest, presented: Exclude<PresentedKey, { kind: 'key' }>): Problem {
    const code = { missing: 'MISSING_API_KEY', malformed: 'MALFORMED_API_KEY', ambiguous: 'AMBIGUOUS_API_KEY' }[presented.kind];
    setAuthOutcome(req, code);
    if (presented.kind === 'ambiguous') {
      void this.throttle.countFailure(req.ip);
      this.recordFailure(req, { reason: 'AMBIGUOUS' }, 401);
    }
    return new Problem(401, code, presented.detail, undefined, CHALLENGE);
  }

  private async keyRefusal(req: KeyedRequest, failure: AuthFailure): Promise<Problem> {
    if (failure.reason === 'MALFORMED') {
      setAuthOutcome(req, 'MALFORMED_API_KEY'); // the headers' shape check already refuses these; never counted
      return new Problem(401, 'MALFORMED_API_KEY', 'the key is not a well-formed Keyward key', undefined, CHALLENGE);
    }
    const wait = await this.throttle.countFailure(req.ip);
    this.recordFailure(req, failure, wait > 0 ? 429 : 401);
    if (wait > 0) {
      setAuthOutcome(req, 'TOO_MANY_FAILED_AUTHENTICATIONS');
      return new Problem(429, 'TOO_MANY_FAILED_AUTHENTICATIONS', `the key is not valid, and this address sent too many keys that are not; retry in ${wait} s`, undefined, {
        'Retry-After': String(wait),
      });
    }
    setAuthOutcome(req, 'INVALID_API_KEY');
    return new Problem(401, 'INVALID_API_KEY', 'the key is not valid', undefined, CHALLENGE);
  }

  /** AuthenticationFailed, buffered like every usage record: the reason, never the key. */
  private recordFailure(req: KeyedRequest, refusal: RecordedRefusal, status: number): void {
    this.usage.record({
      type: 'AuthenticationFailed',
      occurredAt: new Date().toISOString(),
      companyId: refusal.companyId ?? null,
      keyId: refusal.keyId ?? null,
      reason: refusal.reason,
      method: req.method ?? '',
      route: routeOf(req),
      status,
      ip: req.ip ?? null,
      userAgent: userAgentOf(req),
      requestId: req.id !== undefined ? String(req.id) : null,
      durationMs: 0,
    });
  }
}
