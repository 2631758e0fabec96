import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Principal } from '../auth-record';
import { Permission } from '../permissions';
import { AuthenticationStep } from './authentication.step';
import { PermissionStep } from './permission.step';
import { RateLimitStep } from './rate-limit.step';
import { KeyedRequest, outcome } from './request';

const NONE: readonly Permission[] = Object.freeze([]);

/**
 * Every keyed request goes through these three steps, whoever serves it: the global guard
 * (every Nest route not @Public), and the routes outside it — /docs when not public,
 * /metrics when not public, /admin/queues:
 * 1. authentication (AuthenticationStep: key headers, passport, the failure throttle, AuthenticationFailed);
 * 2. the key's rate limit (RateLimitStep);
 * 3. the route's permissions (PermissionStep).
 * Each refusal is a Problem (problem+json with its code), and `req.authOutcome` says which.
 */
@Injectable()
export class AuthPipeline {
  constructor(
    private readonly authentication: AuthenticationStep,
    private readonly rateLimit: RateLimitStep,
    private readonly permissions: PermissionStep,
  ) {}

  /** The request's principal once all three steps admitted it; rejects with the Problem of the step that refused. */
  async admit(req: Request, res: Response, required: readonly Permission[] = NONE): Promise<Principal> {
    const principal = await this.authentication.authenticate(req);
    return this.admitPrincipal(req, res, principal, required);
  }

  /**
   * Steps 2 and 3 for a principal authenticated another way (a dashboard session, whose key is
   * looked up by id): counted against the same limit, held to the same permissions.
   */
  async admitPrincipal(request: Request, res: Response, principal: Principal, required: readonly Permission[] = NONE): Promise<Principal> {
    const req = request as KeyedRequest;
    req.user = principal;
    await this.rateLimit.apply(req, res, principal);
    this.permissions.check(req, principal, required);
    outcome(req, 'OK');
    return principal;
  }
}
