import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import passport from 'passport';
import { HeaderAPIKeyStrategy } from 'passport-headerapikey';
import { AuthFailureReason, Principal } from '../auth-record';
import { KeyHeader, bearerToken } from '../key-headers';
import { KeyLookupService } from '../key-lookup.service';

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

/**
 * A passport-headerapikey strategy for one key header. `validate` looks the key up
 * (KeyLookupService: cache, then the projected key table) and answers the principal, or `false`
 * with why (passport's `info`).
 *
 * passport-headerapikey hands the request after the callback (`verify(key, done, req)`) while
 * the Nest mixin takes its callback to be the last argument: the constructor puts the request
 * first, so `validate(req, value)` is called with `done` last, as the mixin expects.
 */
abstract class KeyHeaderStrategy extends PassportStrategy(HeaderAPIKeyStrategy) {
  protected constructor(
    readonly header: KeyHeader,
    private readonly lookup: KeyLookupService,
  ) {
    // prefix '': the Authorization strategy takes the whole value (its Bearer scheme is matched in any case below)
    super({ header, prefix: '' }, true);
    const mixinCallback = this.verify as unknown as (req: Request | undefined, value: string, done: Verified) => void;
    this.verify = (value, done, req) => mixinCallback(req, value, done);
  }

  getPassportInstance(): passport.PassportStatic {
    return NOT_GLOBAL;
  }

  /** The key this header's value holds. */
  protected keyOf(value: string): string {
    return value;
  }

  async validate(req: Request, value: string): Promise<[Principal] | [false, AuthFailure]> {
    const verdict = await this.lookup.evaluate(this.keyOf(value), req.ip);
    if (verdict.ok) return [verdict.principal];
    return [false, { reason: verdict.reason, keyId: verdict.keyId, companyId: verdict.companyId }];
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
