import { KEY_LENGTH, generateKey, hashKey, isWellFormedKey } from './key-format';

describe('key format', () => {
  it('generates 52-character kw_ keys that pass their own checksum', () => {
    for (let i = 0; i < 200; i++) {
      const { key, start } = generateKey();
      expect(key).toHaveLength(KEY_LENGTH);
      expect(key).toMatch(/^kw_[0-9A-Za-z]{49}$/);
      expect(start).toBe(key.slice(0, 10));
      expect(isWellFormedKey(key)).toBe(true);
    }
  });

  it('never repeats a key', () => {
    const seen = new Set(Array.from({ length: 1000 }, () => generateKey().key));
    expect(seen.size).toBe(1000);
  });

  it('refuses a key whose checksum fails after one changed character', () => {
    const { key } = generateKey();
    const i = 20;
    const flipped = key.slice(0, i) + (key[i] === 'a' ? 'b' : 'a') + key.slice(i + 1);
    expect(isWellFormedKey(flipped)).toBe(false);
  });

  it.each([
    ['empty', ''],
    ['wrong prefix', 'kx_' + 'a'.repeat(49)],
    ['too short', 'kw_abc'],
    ['too long', 'kw_' + 'a'.repeat(50)],
    ['bad characters', 'kw_' + '-'.repeat(49)],
    ['not a string', 42],
  ])('refuses %s', (_name, candidate) => {
    expect(isWellFormedKey(candidate)).toBe(false);
  });

  it('hashes with the pepper: another pepper gives another hash', () => {
    const { key } = generateKey();
    expect(hashKey('p'.repeat(32), key)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashKey('p'.repeat(32), key)).not.toBe(hashKey('q'.repeat(32), key));
  });
});
