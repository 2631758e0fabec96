import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import passport from 'passport';
import { HeaderAPIKeyStrategy } from 'passport-headerapikey';
import { AuthFailureReason, Principal } from './auth-record';
import { KeyHeader, bearerToken } from './key-headers';
import { KeyLookupService } from './key-lookup.service';

/** Why a presented key was refused, and which key and company it was when it exists. */
export interface AuthFailure {
  reason: AuthFailureReason;
  keyId?: string;
  companyId?: string;
}

export type Authentication = { ok: true; principal: Principal } | { ok: false; failure: AuthFailure };

/**
 * One passport-headerapikey strategy per key header: `x-api-key`, `api-key` and
 * `Authorization` (Bearer). Each looks the key up with `KeyLookupService.evaluate`.
 *
 * The strategies are instances of this provider, not registered on the global `passport`
 * (two apps in one process would share them), and are built by hand rather than through
 * Nest's PassportStrategy mixin, which hands `validate` the wrong callback when the
 * strategy passes the request after `done`. The Authorization strategy takes the whole
 * value: passport-headerapikey compares its prefix case-sensitively, the Bearer scheme is not.
 */
@Injectable()
export class ApiKeyStrategies {
  private readonly strategies: Record<KeyHeader, HeaderAPIKeyStrategy>;

  constructor(private readonly lookup: KeyLookupService) {
    const asIs = (value: string) => value;
    this.strategies = {
      'x-api-key': new HeaderAPIKeyStrategy({ header: 'x-api-key', prefix: '' }, true, this.verify(asIs)),
      'api-key': new HeaderAPIKeyStrategy({ header: 'api-key', prefix: '' }, true, this.verify(asIs)),
      authorization: new HeaderAPIKeyStrategy({ header: 'authorization', prefix: '' }, true, this.verify((v) => bearerToken(v) ?? '')),
    };
  }

  /** Runs the strategy of one header through passport: the principal, or why the key was refused. */
  authenticate(header: KeyHeader, req: Request, res: Response): Promise<Authentication> {
    // passport binds success/fail to the strategy object it is given: one per request
    const strategy = Object.create(this.strategies[header]) as HeaderAPIKeyStrategy;
    return new Promise((resolve, reject) => {
      const done = (err: unknown, principal: Principal | false, failure?: AuthFailure) => {
        if (err) return reject(err);
        resolve(principal ? { ok: true, principal } : { ok: false, failure: failure?.reason ? failure : { reason: 'MALFORMED' } });
      };
      passport.authenticate(strategy, { session: false }, done)(req, res, reject);
    });
  }

  private verify(keyOf: (headerValue: string) => string) {
    return (value: string, done: (err: Error | null, principal?: object | false, failure?: AuthFailure) => void, req?: Request) => {
      this.lookup.evaluate(keyOf(value), req?.ip).then(
        (result) => {
          if (result.ok) return done(null, result.principal);
          done(null, false, { reason: result.reason, keyId: result.keyId, companyId: result.companyId });
        },
        (err: Error) => done(err),
      );
    };
  }
}
