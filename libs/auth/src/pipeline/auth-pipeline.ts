import { Injectable } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { Principal } from '../auth-record';
import { Permission } from '../permissions';
import { AuthenticationStep } from './authentication.step';
import { PermissionStep } from './permission.step';
import { RateLimitStep } from './rate-limit.step';
import { KeyedRequest, setAuthOutcome } from './request';

const NONE: readonly Permission[] = Object.freeze([]);

/**
 * Every keyed request goes through these three steps, whoever serves it: the global guard
 * (every Nest route not @Public), and the routes outside it — /docs when not public,
 * /metrics when not public, /admin/queues:
 * 1. authentication (AuthenticationStep: key headers, passport, the failure throttle, AuthenticationFailed);
 * 2. the key's rate limit (RateLimitStep);
 * 3. the route's permissions (PermissionStep).
 * Each refusal is a Problem (problem+json with its code), and `req.authOutcome` says which.
 *
 * One guard with three steps rather than separate authentication and authorisation guards: the
 * routes outside Nest's router need all three in one call, and the order (no rate limit spent by a
 * refused key, no permission check before the limit) is then written once.
 */
@Injectable()
export class AuthPipeline {
  constructor(
    private readonly authentication: AuthenticationStep,
    private readonly rateLimit: RateLimitStep,
    private readonly permissions: PermissionStep,
  ) {}

  /**
   * The request's principal once all three steps admitted it — at once when none of them waits (a
   * cached key, quota the instance holds), else a promise; a refusal is the Problem of the step
   * that refused, thrown or rejected.
   */
  admit(req: KeyedRequest, res: ServerResponse, required: readonly Permission[] = NONE): Principal | Promise<Principal> {
    const principal = this.authentication.authenticate(req);
    if (principal instanceof Promise) return principal.then((p) => this.limitAndCheck(req, res, p, required));
    return this.limitAndCheck(req, res, principal, required);
  }

  private limitAndCheck(req: KeyedRequest, res: ServerResponse, principal: Principal, required: readonly Permission[]): Principal | Promise<Principal> {
    const limited = this.rateLimit.apply(req, res, principal); // synchronous while the instance holds quota
    if (limited) return limited.then(() => this.checked(req, principal, required));
    return this.checked(req, principal, required);
  }

  private checked(req: KeyedRequest, principal: Principal, required: readonly Permission[]): Principal {
    this.permissions.check(req, principal, required);
    setAuthOutcome(req, 'OK');
    return principal;
  }

  /**
   * A dashboard session (its key read by id, valid now): held to the route's permissions only. The
   * session was opened by a keyed request, rate-limited and recorded then; the dashboard's own
   * requests (pages, assets, a poll every few seconds) neither spend the key's limit nor become
   * KeyUsed events one by one (no `req.user`: the usage trail records nothing for them).
   */
  admitSession(req: KeyedRequest, principal: Principal, required: readonly Permission[] = NONE): Principal {
    return this.checked(req, principal, required);
  }
}
