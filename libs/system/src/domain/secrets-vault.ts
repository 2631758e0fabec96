import { Inject, Injectable } from '@nestjs/common';
import { Problem } from '@keyward/common';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import { SealedSecret, SecretOpenError, openSecret, sealSecret, secretsKeyId } from '../crypto/secret-box';

/** What a sealed value is for: bound into its AES-GCM additional data. */
export const sealedFor = {
  sharedSecret: (companyId: string) => `keyward/shared-secret/v1/${companyId}`,
  centralKey: (installationId: string) => `keyward/central-key/v1/${installationId}`,
};

export const SECRETS_KEY_NOT_CONFIGURED = 'SECRETS_KEY_NOT_CONFIGURED';

/**
 * Seals and opens secrets under SECRETS_ENCRYPTION_KEY, turning every failure into a problem
 * that names the variable (never a 500 for a missing key, never key material in a message).
 * A missing or another key is a settled state of the configuration, not an outage: 409 with
 * its code (no retry helps; an operator sets the variable, or replaces the secret), never a
 * 5xx that pages someone as if the service were down. Only a ciphertext that does not
 * authenticate is a 500: stored data no longer matches what was written.
 */
@Injectable()
export class SecretsVault {
  constructor(@Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig) {}

  get configured(): boolean {
    return this.config.secretsKey !== null;
  }

  /** 409 SECRETS_KEY_NOT_CONFIGURED unless SECRETS_ENCRYPTION_KEY is set. */
  key(): Buffer {
    if (!this.config.secretsKey) throw notConfigured();
    return this.config.secretsKey;
  }

  seal(plaintext: string, aad: string): SealedSecret {
    return sealSecret(this.key(), plaintext, aad);
  }

  /** `what` names the secret in the problem's detail, e.g. "the shared secret". */
  open(sealed: SealedSecret, aad: string, what: string): string {
    const key = this.key();
    try {
      return openSecret(key, sealed, aad);
    } catch (err) {
      if (!(err instanceof SecretOpenError)) throw err;
      if (err.reason === 'KEY_MISMATCH') {
        throw new Problem(
          409,
          'SECRETS_KEY_MISMATCH',
          `${what} was encrypted under another SECRETS_ENCRYPTION_KEY (key id ${err.sealedWith}; the configured key ` +
            `has id ${secretsKeyId(key)}): restore that key, or replace the secret (rotate it, or activate the central link again)`,
        );
      }
      throw new Problem(
        500,
        'SECRET_UNREADABLE',
        `${what} cannot be decrypted: its ciphertext does not authenticate (${err.reason.toLowerCase()}); ` +
          'run `keyward audit verify`, then replace the secret',
      );
    }
  }
}

export function notConfigured(): Problem {
  return new Problem(
    409,
    SECRETS_KEY_NOT_CONFIGURED,
    'SECRETS_ENCRYPTION_KEY is not set: shared secrets and the central API key are kept encrypted under it. ' +
      'Set it to 32 random bytes (64 hex characters, or base64) on every API, worker and command-line process, ' +
      'e.g. `openssl rand -hex 32`, and restart them',
  );
}
