import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The README and the pages under docs/ name files of this repository (`libs/auth/src/…`,
 * `bench/audit-1m.js`, `docs/webhooks.md`) and link to each other. A file moved or renamed leaves
 * such a name behind; this suite fails on every one of them, naming the page and the path.
 */

const ROOT = resolve(__dirname, '..');

/** A repository path written in the text: it starts with one of the top-level folders. */
const REPO_PATH = /(?<![\w./@-])((?:docs|apps|libs|bench|test|docker|packages)\/[\w./{}<>*…-]*)/g;
/** Files the reader makes (`cp docker/.env.example docker/.env`): named, never in the repository. */
const MADE_BY_THE_READER = new Set(['docker/.env']);
/** A markdown link's target: `[text](target)`. */
const LINK = /\]\(([^)\s]+)\)/g;

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
export function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

function anchorsOf(file: string): Set<string> {
  const anchors = new Set<string>();
  let fence = false;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('```')) fence = !fence;
    const m = !fence && /^#{1,6} (.*)$/.exec(line);
    if (m) anchors.add(headingAnchor(m[1]));
  }
  return anchors;
}

/** Every path or link of `markdown` (the text of `file`, relative to ROOT) that names nothing. */
export function stalePaths(markdown: string, file: string, root = ROOT): string[] {
  const stale: string[] = [];
  for (const [, raw] of markdown.matchAll(REPO_PATH)) {
    const path = raw.replace(/[.,:;]+$/, '');
    // a pattern, not a path: apps/*, libs/<lib>, libs/*/src, {REDIS_PREFIX}, …
    if (/[*<>…{}]/.test(path) || MADE_BY_THE_READER.has(path)) continue;
    if (!existsSync(join(root, path))) stale.push(path);
  }
  for (const [, target] of markdown.matchAll(LINK)) {
    if (/^[a-z]+:/i.test(target)) continue; // https:, mailto:
    const [pathPart, anchor] = target.split('#');
    const absolute = pathPart === '' ? join(root, file) : resolve(root, dirname(file), pathPart);
    // links that leave the repository (../shared/CONTRACT.md) are not this repository's to check
    if (relative(root, absolute).startsWith('..')) continue;
    if (!existsSync(absolute)) {
      stale.push(target);
      continue;
    }
    if (anchor && statSync(absolute).isFile() && absolute.endsWith('.md') && !anchorsOf(absolute).has(anchor)) {
      stale.push(target);
    }
  }
  return [...new Set(stale)];
}

const pages = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

describe('documentation paths and links', () => {
  it.each(pages)('%s names only files and headings that exist', (page) => {
    expect(stalePaths(readFileSync(join(ROOT, page), 'utf8'), page)).toEqual([]);
  });

  it.each(pages)('%s closes every code block it opens', (page) => {
    const fences = readFileSync(join(ROOT, page), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('```'));
    expect(fences.length % 2).toBe(0);
  });

  it('reports a path, a link and an anchor that name nothing', () => {
    const text = [
      'See `libs/auth/src/no-such-file.ts` and `bench/guard-throughput.js`.',
      '[gone](docs/no-such-page.md), [there](docs/webhooks.md), [bad anchor](README.md#no-such-heading),',
      '[good anchor](README.md#the-two-commands), [outside](../shared/CONTRACT.md), `apps/*` and `libs/<lib>`.',
    ].join('\n');
    expect(stalePaths(text, 'README.md')).toEqual(['libs/auth/src/no-such-file.ts', 'docs/no-such-page.md', 'README.md#no-such-heading']);
  });

  it('resolves a page\'s links from its own folder', () => {
    expect(stalePaths('[up](../README.md) [beside](webhooks.md) [wrong](docs/webhooks.md)', 'docs/cli.md')).toEqual(['docs/webhooks.md']);
  });

  it('writes anchors as GitHub does', () => {
    expect(headingAnchor('`@keyward/nestjs` and the example service: five minutes')).toBe('keywardnestjs-and-the-example-service-five-minutes');
    expect(headingAnchor('Shared secret, central link and telemetry')).toBe('shared-secret-central-link-and-telemetry');
  });
});
