import { isWellFormedKey } from './key-format';
import { presentedKey } from './key-headers';
import { keyOf } from './fake-keyward.spec-helper';

const KEY = keyOf('a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T0uVw');
const OTHER = keyOf('Zyxwvutsrqponmlkjihgfedcba9876543210ABCDEFG');

describe('key format and headers (no I/O)', () => {
  it('accepts a key whose CRC32 matches and refuses one changed character', () => {
    expect(isWellFormedKey(KEY)).toBe(true);
    expect(isWellFormedKey(KEY.slice(0, 20) + (KEY[20] === 'x' ? 'y' : 'x') + KEY.slice(21))).toBe(false);
    expect(isWellFormedKey('kw_short')).toBe(false);
    expect(isWellFormedKey(42)).toBe(false);
  });

  it.each([
    [{ 'x-api-key': KEY }, 'x-api-key'],
    [{ 'api-key': KEY }, 'api-key'],
    [{ authorization: `Bearer ${KEY}` }, 'authorization'],
    [{ authorization: `bEaReR ${KEY}` }, 'authorization'],
    [{ 'x-api-key': KEY, authorization: `Bearer ${KEY}` }, 'x-api-key'],
  ])('finds the key in %j', (headers, header) => {
    expect(presentedKey({ headers })).toMatchObject({ kind: 'key', key: KEY, header });
  });

  it('two different keys are ambiguous, a malformed or foreign-scheme value is malformed, none is missing', () => {
    expect(presentedKey({ headers: { 'x-api-key': KEY, 'api-key': OTHER } }).kind).toBe('ambiguous');
    expect(presentedKey({ headers: { authorization: `Bearer ${KEY}` }, headersDistinct: { authorization: [`Bearer ${KEY}`, `Bearer ${OTHER}`] } }).kind).toBe('ambiguous');
    expect(presentedKey({ headers: { 'x-api-key': 'kw_nope' } })).toMatchObject({ kind: 'malformed', code: 'MALFORMED_API_KEY' });
    expect(presentedKey({ headers: { authorization: 'Basic abc' } }).kind).toBe('malformed');
    expect(presentedKey({ headers: {} })).toMatchObject({ kind: 'missing', code: 'MISSING_API_KEY' });
  });
});
