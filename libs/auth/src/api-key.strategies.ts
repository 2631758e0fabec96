import { Injectable, OnModuleInit } from '@nestjs/common';
import type { Request } from 'express';
import passport from 'passport';
import { HeaderAPIKeyStrategy } from 'passport-headerapikey';
import { AuthFailureReason } from './auth-record';
import { KeyLookupService } from './key-lookup.service';

export const STRATEGIES = ['api-key', 'bearer-api-key'] as const;

export interface AuthFailure {
  reason: AuthFailureReason;
  keyId?: string;
  companyId?: string;
}

export type AuthenticatedRequest = Request & { authFailure?: AuthFailure };

/**
 * Registers the two passport-headerapikey strategies: `x-api-key: <key>` and
 * `Authorization: Bearer <key>`. Registered by hand rather than through Nest's
 * PassportStrategy mixin, which hands `validate` the wrong callback when the
 * strategy passes the request after `done`.
 */
@Injectable()
export class ApiKeyStrategies implements OnModuleInit {
  constructor(private readonly lookup: KeyLookupService) {}

  onModuleInit(): void {
    const verify = (apiKey: string, done: (err: Error | null, user?: object | false) => void, req?: Request) => {
      const request = req as AuthenticatedRequest;
      this.lookup.evaluate(apiKey, request.ip).then(
        (result) => {
          if (result.ok) return done(null, result.principal);
          request.authFailure ??= { reason: result.reason, keyId: result.keyId, companyId: result.companyId };
          done(null, false);
        },
        (err: Error) => done(err),
      );
    };
    passport.use(STRATEGIES[0], new HeaderAPIKeyStrategy({ header: 'x-api-key', prefix: '' }, true, verify));
    passport.use(STRATEGIES[1], new HeaderAPIKeyStrategy({ header: 'Authorization', prefix: 'Bearer ' }, true, verify));
  }
}
