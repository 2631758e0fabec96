import { ExecutionContext, HttpException, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { Request, Response } from 'express';
import { userAgentOf } from '@keyward/observability';
import { Problem } from '@keyward/common';
import { UsageBuffer } from '@keyward/usage';
import { AuthFailure, AuthenticatedRequest, STRATEGIES } from './api-key.strategies';
import { Principal } from './auth-record';
import { IS_PUBLIC, REQUIRED_PERMISSIONS } from './decorators';
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

/**
 * The one global guard. In order: an address throttled for failed authentication is
 * refused with no I/O; the key is authenticated (passport); its rate limit is counted;
 * the route's permissions are checked.
 */
@Injectable()
export class ApiKeyGuard extends AuthGuard([...STRATEGIES]) {
  constructor(
    private readonly reflector: Reflector,
    private readonly throttle: AuthFailureThrottle,
    private readonly limits: KeyRateLimiter,
    private readonly usage: UsageBuffer,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const res = context.switchToHttp().getResponse<Response>();

    const wait = this.throttle.retryAfter(req.ip);
    if (wait > 0) {
      outcome(req, 'TOO_MANY_FAILED_AUTHENTICATIONS');
      throw new Problem(429, 'TOO_MANY_FAILED_AUTHENTICATIONS', `too many failed authentications from this address; retry in ${wait} s`, undefined, {
        'Retry-After': String(wait),
      });
    }

    try {
      await super.canActivate(context);
    } catch (err) {
      if (err instanceof HttpException && err.getStatus() === 401) {
        outcome(req, (err.getResponse() as { code?: string }).code ?? 'INVALID_API_KEY');
        await this.recordFailure(req, req.authFailure);
      }
      throw err;
    }

    const principal = req.user as Principal;
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

  override handleRequest<T>(err: unknown, user: T, _info: unknown, context: ExecutionContext): T {
    if (err) throw err;
    if (user) return user;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const reason = req.authFailure?.reason ?? (hasAnyKeyHeader(req) ? 'MALFORMED' : 'MISSING');
    if (reason === 'MISSING') {
      throw new Problem(401, 'MISSING_API_KEY', 'send a key in x-api-key or Authorization: Bearer', undefined, CHALLENGE);
    }
    if (reason === 'MALFORMED') {
      throw new Problem(401, 'MALFORMED_API_KEY', 'the key is not a well-formed Keyward key', undefined, CHALLENGE);
    }
    // one answer for every other reason: no hint whether the key exists
    throw new Problem(401, 'INVALID_API_KEY', 'the key is not valid', undefined, CHALLENGE);
  }

  /** Counts the failure against the address and, for a key that reached lookup, records AuthenticationFailed. */
  private async recordFailure(req: AuthenticatedRequest, failure: AuthFailure | undefined): Promise<void> {
    const wellFormed = failure !== undefined && failure.reason !== 'MALFORMED';
    if (failure === undefined && !hasAnyKeyHeader(req)) return; // no key at all: not an attempt
    await this.throttle.fail(req.ip, wellFormed);
    if (!wellFormed) return;
    this.usage.record({
      type: 'AuthenticationFailed',
      occurredAt: new Date().toISOString(),
      companyId: failure.companyId ?? null,
      keyId: failure.keyId ?? null,
      reason: failure.reason,
      method: req.method,
      route: routeOf(req),
      status: 401,
      ip: req.ip ?? null,
      userAgent: userAgentOf(req),
      requestId: req.id !== undefined ? String(req.id) : null,
      durationMs: 0,
    });
  }
}

function hasAnyKeyHeader(req: AuthenticatedRequest): boolean {
  return req.headers['x-api-key'] !== undefined || req.headers.authorization !== undefined;
}
