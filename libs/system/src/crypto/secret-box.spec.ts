import { randomBytes } from 'node:crypto';
import { SecretOpenError, SealedSecret, openSecret, sealSecret, secretsKeyId } from './secret-box';
import { SHARED_SECRET_PATTERN, fingerprintOf, generateSharedSecret } from './shared-secret';

// Assertions compare with booleans: a failing test must never print a secret.
const same = (a: string, b: string) => a === b;

/** Flips one bit of a base64 field. */
function flip(field: string, byte = 0): string {
  const bytes = Buffer.from(field, 'base64');
  bytes[byte] ^= 0x01;
  return bytes.toString('base64');
}

function openFails(key: Buffer, sealed: SealedSecret, aad: string): SecretOpenError['reason'] | 'OPENED' {
  try {
    openSecret(key, sealed, aad);
    return 'OPENED';
  } catch (err) {
    if (err instanceof SecretOpenError) return err.reason;
    throw err;
  }
}

describe('secret box (AES-256-GCM)', () => {
  const key = randomBytes(32);
  const aad = 'keyward/shared-secret/v1/company-a';
  const secret = generateSharedSecret();

  it('opens what it sealed, with a fresh IV each time and no clear text in the sealed form', () => {
    const a = sealSecret(key, secret, aad);
    const b = sealSecret(key, secret, aad);
    expect(same(openSecret(key, a, aad), secret)).toBe(true);
    expect(same(openSecret(key, b, aad), secret)).toBe(true);
    expect(a.iv).not.toBe(b.iv);
    expect(a.ciphertext).not.toBe(b.ciphertext);
    expect(a).toMatchObject({ alg: 'A256GCM', keyId: secretsKeyId(key) });
    expect(Buffer.from(a.iv, 'base64')).toHaveLength(12);
    expect(Buffer.from(a.tag, 'base64')).toHaveLength(16);
    expect(JSON.stringify(a).includes(secret)).toBe(false);
    expect(JSON.stringify(a).includes(secret.slice(5, 20))).toBe(false);
  });

  it.each([
    ['ciphertext', (s: SealedSecret) => ({ ...s, ciphertext: flip(s.ciphertext, 3) })],
    ['tag', (s: SealedSecret) => ({ ...s, tag: flip(s.tag) })],
    ['iv', (s: SealedSecret) => ({ ...s, iv: flip(s.iv) })],
  ])('refuses a tampered %s', (_field, tamper) => {
    expect(openFails(key, tamper(sealSecret(key, secret, aad)), aad)).toBe('TAMPERED');
  });

  it('refuses to open under other additional data (a ciphertext moved to another company)', () => {
    expect(openFails(key, sealSecret(key, secret, aad), 'keyward/shared-secret/v1/company-b')).toBe('TAMPERED');
  });

  it('refuses a wrong key: named by key id, and by GCM even when the key id is forged', () => {
    const sealed = sealSecret(key, secret, aad);
    const other = randomBytes(32);
    expect(openFails(other, sealed, aad)).toBe('KEY_MISMATCH');
    expect(openFails(other, { ...sealed, keyId: secretsKeyId(other) }, aad)).toBe('TAMPERED');
  });

  it('refuses what is not a sealed secret, and keys that are not 32 bytes', () => {
    expect(openFails(key, { ...sealSecret(key, secret, aad), iv: '' }, aad)).toBe('MALFORMED');
    expect(openFails(key, {} as SealedSecret, aad)).toBe('MALFORMED');
    expect(() => sealSecret(randomBytes(16), secret, aad)).toThrow(/32 bytes/);
  });

  it('error messages never carry key material or the secret', () => {
    const sealed = sealSecret(key, secret, aad);
    try {
      openSecret(randomBytes(32), sealed, aad);
    } catch (err) {
      const text = String((err as Error).message);
      expect(text.includes(secret)).toBe(false);
      expect(text.includes(key.toString('hex'))).toBe(false);
      expect(text.includes(key.toString('base64'))).toBe(false);
    }
  });
});

describe('shared secret format', () => {
  it('is kwss_ + 43 base64url characters of 32 random bytes, different every time', () => {
    const secrets = Array.from({ length: 50 }, generateSharedSecret);
    expect(secrets.every((s) => SHARED_SECRET_PATTERN.test(s))).toBe(true);
    expect(new Set(secrets).size).toBe(50);
    expect(secrets.every((s) => Buffer.from(s.slice(5), 'base64url').length === 32)).toBe(true);
  });

  it('has a short, stable fingerprint that does not contain the secret', () => {
    const s = generateSharedSecret();
    expect(fingerprintOf(s)).toMatch(/^sha256:[0-9a-f]{16}$/);
    expect(fingerprintOf(s)).toBe(fingerprintOf(s));
    expect(fingerprintOf(s)).not.toBe(fingerprintOf(generateSharedSecret()));
    expect(fingerprintOf(s).includes(s.slice(5, 15))).toBe(false);
  });
});
