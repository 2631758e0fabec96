import { Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import passport from 'passport';
import { HeaderAPIKeyStrategy } from 'passport-headerapikey';
import { KEYWARD_RUNTIME } from './keyward.constants';
import { presentedKey } from './key-headers';
import { KeywardProblem } from './problem';
import type { KeywardRuntime } from './keyward-runtime';

type KeywardRequest = IncomingMessage & { ip?: string; [KEYWARD_RUNTIME]?: KeywardRuntime };

/**
 * The passport strategy `keyward`: passport-headerapikey reading the header that holds the key.
 * Which header that is comes first from Keyward's rules (`x-api-key`, `api-key`, any-case
 * `Authorization: Bearer`; two different keys are ambiguous; a malformed key is refused with no
 * I/O). The key is then checked by the runtime the guard put on the request, so one registered
 * strategy serves every Nest application of the process.
 */
@Injectable()
export class KeywardStrategy extends HeaderAPIKeyStrategy {
  constructor() {
    super({ header: 'x-api-key', prefix: '' }, true, (apiKey, done, req) => {
      const runtime = (req as KeywardRequest | undefined)?.[KEYWARD_RUNTIME];
      if (!runtime) return done(new Error('KeywardStrategy used without KeywardGuard'));
      runtime.authenticateKey(apiKey.trim(), req?.ip).then(
        (authenticated) => done(null, authenticated),
        (err: unknown) => (err instanceof KeywardProblem && err.statusCode === 401 ? done(null, false, err) : done(err as Error)),
      );
    });
    this.name = 'keyward';
    passport.use('keyward', this);
  }

  override authenticate(req: any, options?: object): void {
    const presented = presentedKey(req);
    if (presented.kind !== 'key') {
      // passport-strategy's fail(challenge, status), bound by passport to this request
      return (this as unknown as { fail(challenge: unknown, status: number): void }).fail(KeywardProblem.unauthenticated(presented.code, presented.detail), 401);
    }
    // `this` is passport's per-request copy of the strategy: read the header the key came in
    this.apiKeyHeader = { header: presented.header, prefix: presented.prefix };
    super.authenticate(req, options);
  }
}
