import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM sealing of the secrets Keyward keeps (company shared secrets, the central API
 * key) under SECRETS_ENCRYPTION_KEY. A fresh 96-bit IV per seal; the additional data binds a
 * ciphertext to what it is for (e.g. one company's shared secret), so it cannot be moved
 * elsewhere in the log and opened there.
 */
export interface SealedSecret {
  alg: 'A256GCM';
  /** Which encryption key sealed it: `secretsKeyId(key)`, non-reversible. */
  keyId: string;
  /** Base64. */
  iv: string;
  /** Base64 GCM authentication tag (128 bits). */
  tag: string;
  /** Base64. */
  ciphertext: string;
}

export type OpenFailure = 'KEY_MISMATCH' | 'TAMPERED' | 'MALFORMED';

/** A sealed secret that cannot be opened; the message never holds key material. */
export class SecretOpenError extends Error {
  constructor(
    readonly reason: OpenFailure,
    readonly sealedWith: string | null,
  ) {
    super(
      reason === 'KEY_MISMATCH'
        ? `sealed under another encryption key (key id ${sealedWith})`
        : reason === 'TAMPERED'
          ? 'authentication failed: the ciphertext, its additional data or the key is not the one it was sealed with'
          : 'not a sealed secret',
    );
  }
}

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

function assertKey(key: Buffer): void {
  if (key.length !== KEY_BYTES) throw new Error(`the encryption key must be ${KEY_BYTES} bytes, not ${key.length}`);
}

/** A short, non-reversible id of an encryption key, stored beside what it sealed. */
export function secretsKeyId(key: Buffer): string {
  assertKey(key);
  return createHash('sha256').update('keyward secrets key id\0').update(key).digest('hex').slice(0, 16);
}

export function sealSecret(key: Buffer, plaintext: string, aad: string): SealedSecret {
  assertKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return {
    alg: 'A256GCM',
    keyId: secretsKeyId(key),
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    ciphertext: ciphertext.toString('base64'),
  };
}

/** Opens what `sealSecret` sealed with the same key and additional data; throws SecretOpenError otherwise. */
export function openSecret(key: Buffer, sealed: SealedSecret, aad: string): string {
  assertKey(key);
  if (!isSealed(sealed)) throw new SecretOpenError('MALFORMED', null);
  if (sealed.keyId !== secretsKeyId(key)) throw new SecretOpenError('KEY_MISMATCH', sealed.keyId);
  const iv = Buffer.from(sealed.iv, 'base64');
  const tag = Buffer.from(sealed.tag, 'base64');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SecretOpenError('MALFORMED', sealed.keyId);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretOpenError('TAMPERED', sealed.keyId);
  }
}

function isSealed(value: unknown): value is SealedSecret {
  const v = value as Partial<SealedSecret> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    v.alg === 'A256GCM' &&
    typeof v.keyId === 'string' &&
    typeof v.iv === 'string' &&
    typeof v.tag === 'string' &&
    typeof v.ciphertext === 'string'
  );
}
