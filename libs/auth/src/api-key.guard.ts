import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { userAgentOf } from '@keyward/observability';
import { Problem } from '@keyward/common';
import { UsageBuffer } from '@keyward/usage';
import { ApiKeyStrategies, AuthFailure } from './api-key.strategies';
import { Principal } from './auth-record';
import { IS_PUBLIC, REQUIRED_PERMISSIONS } from './decorators';
import { PresentedKey, presentedKey } from './key-headers';
import { Permission } from './permissions';
import { AuthFailureThrottle, KeyRateLimiter, rateLimitHeaders } from './rate-limits';

const CHALLENGE = { 'WWW-Authenticate': 'Bearer' };

/** The guard's verdict, left on the request for metrics: OK or the refusal's code. */
export type AuthOutcomeRequest = Request & { authOutcome?: string };

function outcome(req: Request, code: string): void {
  (req as AuthOutcomeRequest).authOutcome = code;
}

/** The route as declared (`/v1/keys/:id`), never the raw URL. */
export function routeOf(req: Request): string {
  return req.route?.path ? `${req.baseUrl ?? ''}${req.route.path}` : 'unmatched';
}

/** A refusal recorded as AuthenticationFailed: why, and the key and company when known (never the key itself). */
type RecordedRefusal = Omit<AuthFailure, 'reason'> & { reason: AuthFailure['reason'] | 'AMBIGUOUS' };

type KeyedRequest = Request & { user?: Principal; id?: unknown };

/**
 * The one global guard. In order:
 * 1. the key headers — missing, malformed or ambiguous is refused here, with no I/O;
 * 2. authentication — passport, through the strategy of the header that holds the key;
 * 3. a refused key — counted against the client address; 429 while the address is
 *    throttled, else 401 (a valid key is never throttled);
 * 4. the key's rate limit;
 * 5. the route's permissions.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly strategies: ApiKeyStrategies,
    private readonly throttle: AuthFailureThrottle,
    private readonly limits: KeyRateLimiter,
    private readonly usage: UsageBuffer,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = context.switchToHttp().getRequest<KeyedRequest>();
    const res = context.switchToHttp().getResponse<Response>();

    const presented = presentedKey(req);
    if (presented.kind !== 'key') throw this.headerRefusal(req, presented);

    const authentication = await this.strategies.authenticate(presented.header, req, res);
    if (!authentication.ok) throw await this.keyRefusal(req, authentication.failure);
    const principal = authentication.principal;
    req.user = principal;

    const decision = await this.limits.consume(principal.keyId, principal.rateLimit);
    const headers = rateLimitHeaders(decision);
    if (!decision.allowed) {
      outcome(req, 'RATE_LIMITED');
      throw new Problem(429, 'RATE_LIMITED', `rate limit of ${decision.limit} requests reached; retry in ${decision.resetSeconds} s`, undefined, headers);
    }
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);

    const required = this.reflector.getAllAndOverride<Permission[]>(REQUIRED_PERMISSIONS, targets) ?? [];
    const missing = required.filter((p) => !principal.permissions.includes(p));
    if (missing.length > 0) {
      outcome(req, 'INSUFFICIENT_PERMISSIONS');
      throw new Problem(403, 'INSUFFICIENT_PERMISSIONS', `this key lacks the permission ${missing.join(', ')}`);
    }
    outcome(req, 'OK');
    return true;
  }

  /**
   * No key, a malformed one, or different keys in several headers: 401 at once. Only the
   * ambiguous request is an attempt with keys: it is counted (not awaited) and recorded.
   */
  private headerRefusal(req: KeyedRequest, presented: Exclude<PresentedKey, { kind: 'key' }>): Problem {
    const code = { missing: 'MISSING_API_KEY', malformed: 'MALFORMED_API_KEY', ambiguous: 'AMBIGUOUS_API_KEY' }[presented.kind];
    outcome(req, code);
    if (presented.kind === 'ambiguous') {
      void this.throttle.countFailure(req.ip);
      this.recordFailure(req, { reason: 'AMBIGUOUS' }, 401);
    }
    return new Problem(401, code, presented.detail, undefined, CHALLENGE);
  }

  /**
   * A well-formed key that authentication refused: counted against the address, recorded,
   * and answered 429 while the address is throttled, else 401 — the same answer for every
   * reason, no hint whether the key exists.
   */
  private async keyRefusal(req: KeyedRequest, failure: AuthFailure): Promise<Problem> {
    if (failure.reason === 'MALFORMED') {
      outcome(req, 'MALFORMED_API_KEY'); // the headers' shape check already refuses these; never counted
      return new Problem(401, 'MALFORMED_API_KEY', 'the key is not a well-formed Keyward key', undefined, CHALLENGE);
    }
    const wait = await this.throttle.countFailure(req.ip);
    this.recordFailure(req, failure, wait > 0 ? 429 : 401);
    if (wait > 0) {
      outcome(req, 'TOO_MANY_FAILED_AUTHENTICATIONS');
      return new Problem(429, 'TOO_MANY_FAILED_AUTHENTICATIONS', `the key is not valid, and this address sent too many keys that are not; retry in ${wait} s`, undefined, {
        'Retry-After': String(wait),
      });
    }
    outcome(req, 'INVALID_API_KEY');
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
      method: req.method,
      route: routeOf(req),
      status,
      ip: req.ip ?? null,
      userAgent: userAgentOf(req),
      requestId: req.id !== undefined ? String(req.id) : null,
      durationMs: 0,
    });
  }
}
