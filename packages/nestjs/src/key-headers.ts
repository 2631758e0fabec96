import { isWellFormedKey } from './key-format';

export type KeyHeader = 'x-api-key' | 'api-key' | 'authorization';

const SPELLING: Record<KeyHeader, string> = { 'x-api-key': 'x-api-key', 'api-key': 'api-key', authorization: 'Authorization: Bearer' };

/** The part of a request the key headers are read from (Node's IncomingMessage, Express, Fastify's raw request). */
export interface HeaderSource {
  headers: Record<string, string | string[] | undefined>;
  headersDistinct?: Record<string, string[] | undefined>;
}

export type PresentedKey =
  | { kind: 'missing' | 'malformed' | 'ambiguous'; code: string; detail: string }
  | { kind: 'key'; key: string; header: KeyHeader; prefix: string };

/**
 * The one key a request presents, with the rules of Keyward's own guard: `x-api-key`, `api-key` and
 * each `Authorization` in the Bearer scheme (any case) count; two that differ are ambiguous; a
 * value that is not a well-formed Keyward key is malformed. No I/O.
 */
export function presentedKey(req: HeaderSource): PresentedKey {
  const { headers } = req;
  // the common case, without the collections below: one x-api-key and no other key header
  const xApiKey = headers['x-api-key'];
  if (typeof xApiKey === 'string' && headers['api-key'] === undefined && headers.authorization === undefined) return one('x-api-key', xApiKey, '');
  const found: { header: KeyHeader; value: string; prefix: string }[] = [];
  for (const header of ['x-api-key', 'api-key'] as const) {
    const value = req.headers[header];
    if (value !== undefined) found.push({ header, value: Array.isArray(value) ? value.join(', ') : value, prefix: '' });
  }
  let otherScheme = false;
  const authorization = req.headers.authorization;
  if (authorization !== undefined) {
    const values = req.headersDistinct?.authorization ?? (Array.isArray(authorization) ? authorization : [authorization]);
    for (const value of values) {
      const match = /^(bearer(?:[ \t]+|$))(.*)$/i.exec(value);
      if (!match) otherScheme = true;
      else found.push({ header: 'authorization', value: match[2].trim(), prefix: match[1] });
    }
  }
  if (found.length === 0) {
    return otherScheme
      ? { kind: 'malformed', code: 'MALFORMED_API_KEY', detail: 'Authorization holds no Bearer key: send Authorization: Bearer <key>, x-api-key or api-key' }
      : { kind: 'missing', code: 'MISSING_API_KEY', detail: 'send a key in x-api-key, api-key or Authorization: Bearer' };
  }
  if (new Set(found.map((f) => f.value)).size > 1) {
    const names = [...new Set(found.map((f) => SPELLING[f.header]))];
    const where = names.length === 1 ? `two ${names[0]} headers` : names.join(' and ');
    return { kind: 'ambiguous', code: 'AMBIGUOUS_API_KEY', detail: `${where} carry different keys: send one key` };
  }
  const { header, value, prefix } = found[0];
  return one(header, value, prefix);
}

function one(header: KeyHeader, value: string, prefix: string): PresentedKey {
  if (!isWellFormedKey(value)) {
    return { kind: 'malformed', code: 'MALFORMED_API_KEY', detail: `${SPELLING[header]} does not hold a well-formed Keyward key` };
  }
  return { kind: 'key', key: value, header, prefix };
}
