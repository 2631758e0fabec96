import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import passport from 'passport';
import { HeaderAPIKeyStrategy } from 'passport-headerapikey';
import { AuthFailureReason, KeyVerdict, Principal } from '../auth-record';
import { KeyHeader, bearerToken } from '../key-headers';
import { KeyLookupService } from '../key-lookup.service';
import { RoutedRequest } from './request';

/** Why a presented key was refused, and which key and company it was when it exists. */
export interface AuthFailure {
  reason: AuthFailureReason;
  keyId?: string;
  companyId?: string;
}

/**
 * Where the Nest mixin registers each strategy (passport's global instance): nowhere. The
 * pipeline holds its strategies as providers and runs them itself (AuthenticationStep), so two
 * apps in one process (the tests start several) each keep their own lookup.
 */
const NOT_GLOBAL = { use: () => NOT_GLOBAL } as unknown as passport.PassportStatic;

type Verified = (err: Error | null, user?: object | false, info?: object) => void;
type Validated = [Principal] | [false, AuthFailure];

/** passport's verify answer for a verdict: the principal, or false and why. */
function validated(verdict: KeyVerdict): Validated {
  if (verdict.ok) return [verdict.principal];
  return [false, { reason: verdict.reason, keyId: verdict.keyId, companyId: verdict.companyId }];
}

/**
 * A passport-headerapikey strategy for one key header. `validate` looks the key up
 * (KeyLookupService: cache, then the projected key table) and answers the principal, or `false`
 * with why (passport's `info`).
 *
 * passport-headerapikey calls `verify(value, done, req)`. The Nest mixin's own callback awaits
 * `validate` (a promise per request even when the cache answers); `verify` here calls `validate`
 * itself and answers `done` at once when the answer is at hand, later when it is a promise (a
 * cache miss reads the key table).
 */
abstract class KeyHeaderStrategy extends PassportStrategy(HeaderAPIKeyStrategy) {
  protected constructor(
    readonly header: KeyHeader,
    private readonly lookup: KeyLookupService,
  ) {
    // prefix '': the Authorization strategy takes the whole value (its Bearer scheme is matched in any case below)
    super({ header, prefix: '' }, true);
    this.verify = (value: string, done: Verified, req?: RoutedRequest) => {
      let answer: Validated | Promise<Validated>;
      try {
        answer = this.validate(req!, value); // passReqToCallback (true above): the request is always there
      } catch (err) {
        return done(err as Error);
      }
      if (answer instanceof Promise) answer.then((a) => done(null, ...a), (err: Error) => done(err));
      else done(null, ...answer);
    };
  }

  getPassportInstance(): passport.PassportStatic {
    return NOT_GLOBAL;
  }

  /** The key this header's value holds. */
  protected keyOf(value: string): string {
    return value;
  }

  validate(req: RoutedRequest, value: string): Validated | Promise<Validated> {
    const verdict = this.lookup.evaluate(this.keyOf(value), req.ip);
    return verdict instanceof Promise ? verdict.then(validated) : validated(verdict);
  }
}

/** `x-api-key: <key>` */
@Injectable()
export class XApiKeyStrategy extends KeyHeaderStrategy {
  constructor(lookup: KeyLookupService) {
    super('x-api-key', lookup);
  }
}

/** `api-key: <key>` */
@Injectable()
export class ApiKeyHeaderStrategy extends KeyHeaderStrategy {
  constructor(lookup: KeyLookupService) {
    super('api-key', lookup);
  }
}

/** `Authorization: Bearer <key>`, the scheme in any case (passport-headerapikey compares a prefix case-sensitively). */
@Injectable()
export class BearerStrategy extends KeyHeaderStrategy {
  constructor(lookup: KeyLookupService) {
    super('authorization', lookup);
  }

  protected override keyOf(value: string): string {
    return bearerToken(value) ?? '';
  }
}

export const KEY_STRATEGIES = [XApiKeyStrategy, ApiKeyHeaderStrategy, BearerStrategy];
