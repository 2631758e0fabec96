import { createHash, randomBytes } from 'node:crypto';

/** Every shared secret starts with this, so people and secret scanners recognise one. */
export const SHARED_SECRET_PREFIX = 'kwss_';

/** `kwss_` + base64url of 32 CSPRNG bytes (48 characters in all). */
export const SHARED_SECRET_PATTERN = /^kwss_[A-Za-z0-9_-]{43}$/;

export function generateSharedSecret(): string {
  return SHARED_SECRET_PREFIX + randomBytes(32).toString('base64url');
}

/**
 * `sha256:` + the first 16 hex characters of SHA-256(secret). The secret has 256 random bits,
 * so this tells secrets apart and lets a receiver check which one it holds, and nothing more.
 */
export function fingerprintOf(secret: string): string {
  return `sha256:${createHash('sha256').update(secret, 'utf8').digest('hex').slice(0, 16)}`;
}
