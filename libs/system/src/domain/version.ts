import { readFileSync } from 'node:fs';
import path from 'node:path';

let cached: string | undefined;

/** Keyward's version: `version` of the nearest package.json named keyward (source tree or dist/). */
export function keywardVersion(): string {
  if (cached) return cached;
  let dir = __dirname;
  for (let depth = 0; depth < 10; depth++) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'keyward' && typeof pkg.version === 'string') return (cached = pkg.version);
    } catch {
      // no package.json here: look further up
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return (cached = '0.0.0-unknown');
}
