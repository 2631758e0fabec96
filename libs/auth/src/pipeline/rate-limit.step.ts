import { Injectable } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { Problem } from '@keyward/common';
import { Principal } from '../auth-record';
import { KeyRateLimiter, RateDecision, rateLimitHeaders } from '../rate-limits';
import { KeyedRequest, setAuthOutcome } from './request';

/**
 * Step 2 of the pipeline: one request of the key's rate limit. The RateLimit-* headers go on
 * the response; over the limit, 429 RATE_LIMITED. Synchronous while the instance holds quota
 * for the key (no promise on the common path).
 */
@Injectable()
export class RateLimitStep {
  constructor(private readonly limits: KeyRateLimiter) {}

  apply(req: KeyedRequest, res: ServerResponse, principal: Principal): void | Promise<void> {
    const decision: RateDecision | Promise<RateDecision> = this.limits.consume(principal.keyId, principal.rateLimit);
    if (decision instanceof Promise) return decision.then((d) => applyDecision(req, res, d));
    applyDecision(req, res, decision);
  }
}

function applyDecision(req: KeyedRequest, res: ServerResponse, decision: RateDecision): void {
  if (!decision.allowed) {
    setAuthOutcome(req, 'RATE_LIMITED');
    throw new Problem(
      429,
      'RATE_LIMITED',
      `rate limit of ${decision.limit} requests reached; retry in ${decision.resetSeconds} s`,
      undefined,
      rateLimitHeaders(decision),
    );
  }
  res.setHeader('RateLimit-Limit', decision.limit);
  res.setHeader('RateLimit-Remaining', decision.remaining);
  res.setHeader('RateLimit-Reset', decision.resetSeconds);
}
