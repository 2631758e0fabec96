import { Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import passport from 'passport';
import { HeaderAPIKeyStrategy } from 'passport-headerapikey';
import { KEYWARD_RUNTIME } from './keyward.constants';
import { presentedKey } from './key-headers';
import { KeywardProblem } from './problem';
import type { Authenticated, KeywardRuntime } from './keyward-runtime';

type KeywardRequest = IncomingMessage & { ip?: string; [KEYWARD_RUNTIME]?: KeywardRuntime };

/** The outcome methods passport gives each request's copy of a strategy. */
interface Outcome {
  success(user: Authenticated): void;
  fail(challenge: unknown, status: number): void;
  error(err: Error): void;
}

/**
 * The passport strategy `keyward`, a passport-headerapikey strategy. Which header holds the key
 * follows Keyward's rules, which a single configured header and prefix cannot express:
 * `x-api-key`, `api-key` and any-case `Authorization: Bearer` count, two different keys are
 * ambiguous, a malformed key is refused with no I/O. So `authenticate` reads the headers itself
 * (once) and hands the key to the same check passport-headerapikey's verify callback runs: the
 * runtime the guard put on the request, so that one registered strategy serves every Nest
 * application of the process. A cached key is answered within the call.
 */
@Injectable()
export class KeywardStrategy extends HeaderAPIKeyStrategy {
  constructor() {
    super({ header: 'x-api-key', prefix: '' }, true, (apiKey, done, req) =>
      KeywardStrategy.check(apiKey.trim(), req as KeywardRequest, {
        success: (user) => done(null, user),
        fail: (challenge) => done(null, false, challenge as object),
        error: (err) => done(err),
      }),
    );
    this.name = 'keyward';
    passport.use('keyward', this);
  }

  /** `this` is passport's (or the guard's) per-request copy of the strategy, with its outcome methods. */
  override authenticate(req: KeywardRequest): void {
    const outcome = this as unknown as Outcome;
    const presented = presentedKey(req);
    if (presented.kind !== 'key') return outcome.fail(KeywardProblem.unauthenticated(presented.code, presented.detail), 401);
    KeywardStrategy.check(presented.key, req, outcome);
  }

  private static check(key: string, req: KeywardRequest | undefined, outcome: Outcome): void {
    const runtime = req?.[KEYWARD_RUNTIME];
    if (!req || !runtime) return outcome.error(new Error('KeywardStrategy used without KeywardGuard'));
    let authenticated;
    try {
      authenticated = runtime.authenticateKey(key, req);
    } catch (err) {
      return refuse(outcome, err);
    }
    if (authenticated instanceof Promise) {
      authenticated.then(
        (a) => outcome.success(a),
        (err: unknown) => refuse(outcome, err),
      );
    } else {
      outcome.success(authenticated);
    }
  }
}

/** 401 problems are failures (passport's `fail`); anything else is an error (503). */
function refuse(outcome: Outcome, err: unknown): void {
  if (err instanceof KeywardProblem && err.statusCode === 401) outcome.fail(err, 401);
  else outcome.error(err as Error);
}
