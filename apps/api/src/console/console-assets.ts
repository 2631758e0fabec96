import express, { Router } from 'express';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { problemDocument, sendProblem } from '../http/problem.filter';
import type { Next } from '../http/request-guards.middleware';

/**
 * The web console's build (`npm run build` → dist/console): next to this file inside
 * dist/, or under dist/ of the source tree when the API runs from source (tests).
 */
export function findConsoleBuild(from: string = __dirname): string | null {
  let dir = from;
  for (let depth = 0; depth < 10; depth++) {
    const candidate = path.basename(dir) === 'dist' ? path.join(dir, 'console') : path.join(dir, 'dist', 'console');
    if (existsSync(path.join(candidate, 'index.html'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return null;
}

/**
 * The console holds an API key in session storage, so nothing but its own bundle may run
 * on its pages: no inline script, no other origin, no framing.
 */
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};

function secure(res: ServerResponse): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
}

/**
 * Serves the console at /console: hashed assets cached for a year, every other path the
 * single page (client-side routes), never cached. The pages are public; everything they
 * show comes from the API with the key the user pasted. Runs in Fastify's middleware layer
 * (@fastify/middie), on Node's request and response, as an Express router would.
 */
export function consoleRouter(dir: string | null): Router {
  const router = Router();
  if (!dir || !existsSync(path.join(dir, 'index.html'))) {
    // how this installation is set up, not an outage: 409 like every such answer (README "Errors")
    router.use((_req: IncomingMessage, res: ServerResponse) => {
      sendProblem(
        res,
        problemDocument(409, 'CONSOLE_NOT_BUILT', 'the web console has not been built: run `npm run build`', [
          { field: 'console', message: 'dist/console/index.html is missing' },
        ]),
      );
    });
    return router;
  }
  const index = path.join(dir, 'index.html');
  router.use(
    '/assets',
    (_req: IncomingMessage, res: ServerResponse, next: Next) => {
      secure(res);
      next();
    },
    express.static(path.join(dir, 'assets'), { immutable: true, maxAge: '365d', index: false }),
    (_req: IncomingMessage, res: ServerResponse) =>
      sendProblem(res, problemDocument(404, 'NOT_FOUND', 'no such console asset (the console may have been rebuilt: reload the page)', [
        { field: 'path', message: 'not found' },
      ])),
  );
  router.use((req: IncomingMessage, res: ServerResponse, next: Next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    // read per request: a rebuild of the console is served without a restart
    readFile(index).then((page) => {
      secure(res);
      res.setHeader('cache-control', 'no-store');
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.setHeader('content-length', page.length);
      res.end(req.method === 'HEAD' ? undefined : page);
    }, next);
  });
  return router;
}
