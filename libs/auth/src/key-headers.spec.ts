import type { IncomingMessage } from 'node:http';
import { generateKey } from './key-format';
import { bearerToken, presentedKey } from './key-headers';

/** A request with these header lines, as Node's parser would give them (Authorization: first one kept). */
function request(lines: [string, string][]): IncomingMessage {
  const headers: Record<string, string> = {};
  const distinct: Record<string, string[]> = {};
  for (const [name, value] of lines) {
    const n = name.toLowerCase();
    distinct[n] = [...(distinct[n] ?? []), value];
    if (n === 'authorization') headers[n] ??= value;
    else headers[n] = headers[n] === undefined ? value : `${headers[n]}, ${value}`;
  }
  return { headers, headersDistinct: distinct, rawHeaders: lines.flat() } as unknown as IncomingMessage;
}

describe('bearerToken', () => {
  it('reads the Bearer scheme in any case, and nothing from another scheme', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer abc')).toBe('abc');
    expect(bearerToken('BEARER  abc')).toBe('abc');
    expect(bearerToken('Bearer\tabc')).toBe('abc');
    expect(bearerToken('Bearer')).toBe('');
    expect(bearerToken('Bearerabc')).toBeUndefined();
    expect(bearerToken('Bearer: abc')).toBeUndefined();
    expect(bearerToken('Basic eDp5')).toBeUndefined();
  });
});

describe('presentedKey', () => {
  const a = generateKey().key;
  const b = generateKey().key;

  it('takes the key from x-api-key, api-key or Authorization: Bearer (any case)', () => {
    expect(presentedKey(request([['x-api-key', a]]))).toEqual({ kind: 'key', key: a, header: 'x-api-key' });
    expect(presentedKey(request([['api-key', a]]))).toEqual({ kind: 'key', key: a, header: 'api-key' });
    expect(presentedKey(request([['Authorization', `Bearer ${a}`]]))).toEqual({ kind: 'key', key: a, header: 'authorization' });
    expect(presentedKey(request([['authorization', `bearer ${a}`]]))).toEqual({ kind: 'key', key: a, header: 'authorization' });
  });

  it('accepts the same key in several headers, authenticated through the first', () => {
    expect(presentedKey(request([['authorization', `Bearer ${a}`], ['api-key', a], ['x-api-key', a]]))).toEqual({ kind: 'key', key: a, header: 'x-api-key' });
    expect(presentedKey(request([['authorization', `Bearer ${a}`], ['authorization', `bearer ${a}`]]))).toMatchObject({ kind: 'key', key: a });
  });

  it('refuses different keys in several headers, a junk one beside a valid one included, naming the headers', () => {
    const both = presentedKey(request([['x-api-key', 'junk'], ['authorization', `Bearer ${a}`]]));
    expect(both).toEqual({ kind: 'ambiguous', detail: 'x-api-key and Authorization: Bearer carry different keys: send one key' });
    expect(presentedKey(request([['api-key', a], ['x-api-key', b]]))).toMatchObject({ kind: 'ambiguous' });
    expect(presentedKey(request([['authorization', `Bearer ${a}`], ['authorization', `Bearer ${b}`]]))).toEqual({
      kind: 'ambiguous',
      detail: 'two Authorization: Bearer headers carry different keys: send one key',
    });
    expect(presentedKey(request([['x-api-key', ''], ['authorization', `Bearer ${a}`]]))).toMatchObject({ kind: 'ambiguous' });
    expect(JSON.stringify(both)).not.toContain(a);
  });

  it('says missing without any key header, malformed for a key of the wrong shape or another scheme alone', () => {
    expect(presentedKey(request([]))).toMatchObject({ kind: 'missing' });
    expect(presentedKey(request([['x-api-key', 'kw_nope']]))).toEqual({ kind: 'malformed', detail: 'x-api-key does not hold a well-formed Keyward key' });
    expect(presentedKey(request([['x-api-key', a.slice(0, -1) + (a.endsWith('A') ? 'B' : 'A')]]))).toMatchObject({ kind: 'malformed' });
    expect(presentedKey(request([['authorization', 'Bearer']]))).toMatchObject({ kind: 'malformed' });
    expect(presentedKey(request([['authorization', 'Basic eDp5']]))).toMatchObject({ kind: 'malformed', detail: expect.stringContaining('no Bearer key') });
    // a repeated x-api-key arrives comma-joined: one value, and no key
    expect(presentedKey(request([['x-api-key', a], ['x-api-key', a]]))).toMatchObject({ kind: 'malformed' });
  });

  it('does not take an Authorization of another scheme for a key beside one', () => {
    expect(presentedKey(request([['authorization', 'Basic eDp5'], ['x-api-key', a]]))).toEqual({ kind: 'key', key: a, header: 'x-api-key' });
  });
});
