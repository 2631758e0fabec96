import { createHmac, randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { isWellFormedKey } from '@keyward/nestjs';

/** Shape and checksum only, no I/O: a key failing this is refused before any lookup (the client package's check, in Number arithmetic). */
export { isWellFormedKey };

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const KEY_PREFIX = 'kw_';
const BODY_LENGTH = 43; // 32 random bytes in base62
const CHECKSUM_LENGTH = 6; // CRC32 in base62
export const KEY_LENGTH = KEY_PREFIX.length + BODY_LENGTH + CHECKSUM_LENGTH; // 52
export const KEY_START_LENGTH = 10;

function base62(value: bigint, width: number): string {
  let out = '';
  let v = value;
  while (v > 0n) {
    out = ALPHABET[Number(v % 62n)] + out;
    v /= 62n;
  }
  return out.padStart(width, '0');
}

function checksum(body: string): string {
  return base62(BigInt(crc32(body)), CHECKSUM_LENGTH);
}

/** `kw_` + the 43-character body + its CRC32 checksum: a well-formed key (tests build near-valid ones with it). */
export function keyWithChecksum(body43: string): string {
  const body = KEY_PREFIX + body43;
  return body + checksum(body);
}

/** A new key: `kw_` + 43 base62 characters of 32 CSPRNG bytes + 6 of CRC32 over what precedes. */
export function generateKey(): { key: string; start: string } {
  const key = keyWithChecksum(base62(BigInt('0x' + randomBytes(32).toString('hex')), BODY_LENGTH));
  return { key, start: key.slice(0, KEY_START_LENGTH) };
}

/** The stored form of a key: HMAC-SHA-256 under the pepper, hex. */
export function hashKey(pepper: string, key: string): string {
  return createHmac('sha256', pepper).update(key).digest('hex');
}
