import { weakEtag } from './etag.hook';

describe('weakEtag', () => {
  // known answers of the etag package (what Express sent), for a string and for UTF-8 bytes
  it.each([
    ['{"ok":true}', 'W/"b-Ai2R8hgEarLmHKwesT1qcY913ys"'],
    [Buffer.from('héllo'), 'W/"6-NbXqRcXkH3i0apN8x01B3+qSCJA"'],
  ])('gives %p the validator Express gave it', (body, expected) => {
    expect(weakEtag(body)).toBe(expected);
  });

  it('counts bytes, not characters, in the length', () => {
    expect(weakEtag('héllo')).toBe(weakEtag(Buffer.from('héllo')));
  });
});
