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
  // one pass, nothing collected: the first key and whether any other differs from it
  let header: KeyHeader | undefined;
  let key = '';
  let differs = false;
  let otherScheme = false;
  for (const name of ['x-api-key', 'api-key'] as const) {
    const sent = req.headers[name];
    if (sent === undefined) continue;
    const value = Array.isArray(sent) ? sent.join(', ') : sent;
    if (header === undefined) [header, key] = [name, value];
    else if (value !== key) differs = true;
  }
  if (req.headers.authorization !== undefined) {
    for (const value of authorizationValues(req)) {
      const token = bearerToken(value);
      if (token === undefined) otherScheme = true;
      else if (header === undefined) [header, key] = ['authorization', token];
      else if (token !== key) differs = true;
    }
  }

  if (header === undefined) {
    return otherScheme
      ? { kind: 'malformed', detail: 'Authorization holds no Bearer key: send Authorization: Bearer <key>, x-api-key or api-key' }
      : { kind: 'missing', detail: 'send a key in x-api-key, api-key or Authorization: Bearer' };
  }
  if (differs) return { kind: 'ambiguous', detail: `${keyHeadersSent(req)} carry different keys: send one key` };
  if (!isWellFormedKey(key)) return { kind: 'malformed', detail: `${SPELLING[header]} does not hold a well-formed Keyward key` };
  return { kind: 'key', key, header };
}

/**
 * Each Authorization value as sent. Node keeps only the first of repeated Authorization headers in
 * req.headers, and a second key must not hide; the raw lines are counted first so that the usual
 * single header does not build headersDistinct (every header of the request, as lists).
 */
function authorizationValues(req: IncomingMessage): readonly string[] {
  let n = 0;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) if (raw[i].length === 13 && raw[i].toLowerCase() === 'authorization') n++;
  return n > 1 ? (req.headersDistinct.authorization ?? []) : [req.headers.authorization!];
}

/** The key headers a request sent, as answers name them: `two x-api-key headers`, `x-api-key and Authorization: Bearer`. */
function keyHeadersSent(req: IncomingMessage): string {
  const names: string[] = [];
  if (req.headers['x-api-key'] !== undefined) names.push(SPELLING['x-api-key']);
  if (req.headers['api-key'] !== undefined) names.push(SPELLING['api-key']);
  if (authorizationValues(req).some((v) => bearerToken(v) !== undefined)) names.push(SPELLING.authorization);
  return names.length === 1 ? `two ${names[0]} headers` : names.join(' and ');
}
