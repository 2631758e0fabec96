import type { IncomingMessage } from 'node:http';
import { isWellFormedKey } from './key-format';

/** The headers a key may come in. */
export type KeyHeader = 'x-api-key' | 'api-key' | 'authorization';

/** How a header is named in answers. */
const SPELLING: Record<KeyHeader, string> = { 'x-api-key': 'x-api-key', 'api-key': 'api-key', authorization: 'Authorization: Bearer' };

/** What the key headers of a request present, read without any I/O. */
export type PresentedKey =
  | { kind: 'missing'; detail: string }
  | { kind: 'malformed'; detail: string }
  | { kind: 'ambiguous'; detail: string }
  | { kind: 'key'; key: string; header: KeyHeader };

/**
 * The token of an `Authorization` value in the Bearer scheme, whatever the scheme's case
 * (`bearer kw_…` is `Bearer kw_…`); an empty string for `Bearer` alone; undefined for
 * another scheme (`Basic …`), which carries no API key.
 */
export function bearerToken(value: string): string | undefined {
  const match = /^bearer(?:[ \t]+(.*))?$/i.exec(value);
  return match ? (match[1] ?? '').trim() : undefined;
}

/**
 * The one key a request presents. Every key header counts with its value as received:
 * `x-api-key`, `api-key` (a repeated one arrives comma-joined, which is no key) and each
 * `Authorization` in the Bearer scheme. Two that differ are ambiguous — even when one is
 * valid, a refused one beside it is not ignored. The same key in several headers is one key,
 * authenticated through the first of them in that order.
 * An `Authorization` in another scheme is not a key header, but alone it is a malformed key.
 */
export function presentedKey(req: IncomingMessage): PresentedKey {
  // the common case, one key header sent once, without the lists and sets of the general one
  const { 'x-api-key': xApiKey, 'api-key': apiKey, authorization } = req.headers;
  if (typeof xApiKey === 'string' && apiKey === undefined && authorization === undefined) return oneKey('x-api-key', xApiKey);
  if (typeof apiKey === 'string' && xApiKey === undefined && authorization === undefined) return oneKey('api-key', apiKey);
  if (authorization !== undefined && xApiKey === undefined && apiKey === undefined && authorizationCount(req) === 1) {
    const token = bearerToken(authorization);
    if (token !== undefined) return oneKey('authorization', token);
  }
  return presentedKeys(req);
}

function oneKey(header: KeyHeader, value: string): PresentedKey {
  if (!isWellFormedKey(value)) return { kind: 'malformed', detail: `${SPELLING[header]} does not hold a well-formed Keyward key` };
  return { kind: 'key', key: value, header };
}

/** How many Authorization headers came (req.headers keeps the first only). */
function authorizationCount(req: IncomingMessage): number {
  let n = 0;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) if (raw[i].length === 13 && raw[i].toLowerCase() === 'authorization') n++;
  return n;
}

/** Any mix of key headers: each counts, two that differ are ambiguous. */
function presentedKeys(req: IncomingMessage): PresentedKey {
  const found: { header: KeyHeader; value: string }[] = [];
  for (const header of ['x-api-key', 'api-key'] as const) {
    const value = req.headers[header];
    if (value !== undefined) found.push({ header, value: Array.isArray(value) ? value.join(', ') : value });
  }
  let otherScheme = false;
  if (req.headers.authorization !== undefined) {
    // Node keeps only the first of repeated Authorization headers in req.headers; a second key must not hide
    for (const value of req.headersDistinct.authorization ?? [req.headers.authorization]) {
      const token = bearerToken(value);
      if (token === undefined) otherScheme = true;
      else found.push({ header: 'authorization', value: token });
    }
  }

  if (found.length === 0) {
    return otherScheme
      ? { kind: 'malformed', detail: 'Authorization holds no Bearer key: send Authorization: Bearer <key>, x-api-key or api-key' }
      : { kind: 'missing', detail: 'send a key in x-api-key, api-key or Authorization: Bearer' };
  }
  if (new Set(found.map((f) => f.value)).size > 1) {
    const names = [...new Set(found.map((f) => SPELLING[f.header]))];
    const where = names.length === 1 ? `two ${names[0]} headers` : names.join(' and ');
    return { kind: 'ambiguous', detail: `${where} carry different keys: send one key` };
  }
  return oneKey(found[0].header, found[0].value);
}
