import { hash } from 'node:crypto';
import { crc32 } from 'node:zlib';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const PREFIX = 'kw_';
const BODY_LENGTH = 43;
const CHECKSUM_LENGTH = 6;
const SHAPE = /^kw_[0-9A-Za-z]{49}$/;

function base62(value: number, width: number): string {
  let out = '';
  for (let v = value; v > 0; v = Math.floor(v / 62)) out = ALPHABET[v % 62] + out;
  return out.padStart(width, '0');
}

/**
 * A Keyward key's shape and checksum, with no I/O: `kw_` + 43 base62 characters + 6 base62
 * characters of the CRC32 of what precedes them. A key failing this is refused without asking Keyward.
 */
export function isWellFormedKey(candidate: unknown): candidate is string {
  if (typeof candidate !== 'string' || !SHAPE.test(candidate)) return false;
  const body = candidate.slice(0, PREFIX.length + BODY_LENGTH);
  return base62(crc32(body), CHECKSUM_LENGTH) === candidate.slice(PREFIX.length + BODY_LENGTH);
}

/** What the local cache is keyed by: the key itself never stays in memory beyond the request. */
export function cacheKeyOf(key: string): string {
  return hash('sha256', key, 'base64url'); // one-shot: no Hash object per request
}
