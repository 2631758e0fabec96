import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The LICENSE file is the licence package.json declares (issue 14). */
describe('licence', () => {
  const root = path.join(__dirname, '..');
  const declared = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).license;
  const text = readFileSync(path.join(root, 'LICENSE'), 'utf8');

  it('LICENSE holds the full text of the licence package.json declares', () => {
    expect(declared).toBe('Apache-2.0');
    expect(text.replace(/\s+/g, ' ')).toMatch(/^ ?Apache License Version 2\.0, January 2004 http:\/\/www\.apache\.org\/licenses\/ TERMS AND CONDITIONS/);
    expect(text).toContain('END OF TERMS AND CONDITIONS');
    expect(text.split('\n')).toHaveLength(202); // the whole text (201 lines and the final newline)
  });

  it('the published package of the guard declares the same licence', () => {
    expect(JSON.parse(readFileSync(path.join(root, 'packages/nestjs/package.json'), 'utf8')).license).toBe(declared);
  });
});
