import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { KeywardOptions, KeywardRuntime, KeywardKeyInfo } from './keyward-runtime';
import { KeywardProblem } from './problem';

type ExpressRequest = IncomingMessage & { ip?: string; baseUrl?: string; route?: { path?: string }; id?: unknown; keyward?: KeywardKeyInfo };
type Next = (err?: unknown) => void;

/**
 * Keyward for an Express service without Nest: `const keyward = keywardExpress({ url, apiKey });
 * await keyward.start(); app.get('/invoices', keyward.require('invoices:read'), handler)`; the key
 * is `req.keyward`. Call `keyward.stop()` on shutdown to send the usage left.
 */
export function keywardExpress(options: KeywardOptions) {
  const runtime = new KeywardRuntime(options);
  const require = (...permissions: string[]) =>
    async (req: ExpressRequest, res: ServerResponse, next: Next): Promise<void> => {
      const startedAt = performance.now();
      try {
        const { record, key } = await runtime.authenticate(req);
        res.once('finish', () =>
          runtime.recordUse({
            keyId: record.keyId,
            method: req.method ?? 'GET',
            route: req.route?.path ? `${req.baseUrl ?? ''}${req.route.path}` : (req.baseUrl ?? '') || 'unmatched',
            status: res.statusCode,
            ip: req.ip ?? req.socket.remoteAddress ?? null,
            userAgent: req.headers['user-agent'] ?? null,
            requestId: req.id !== undefined ? String(req.id) : (req.headers['x-request-id']?.toString() ?? randomUUID()),
            durationMs: Math.round(performance.now() - startedAt),
          }),
        );
        for (const [name, value] of Object.entries(await runtime.spend(record))) res.setHeader(name, value);
        runtime.checkPermissions(record, permissions);
        req.keyward = key;
        next();
      } catch (err) {
        if (!(err instanceof KeywardProblem)) return next(err);
        for (const [name, value] of Object.entries(err.headers)) res.setHeader(name, value);
        res.statusCode = err.statusCode;
        res.setHeader('Content-Type', 'application/problem+json; charset=utf-8');
        res.end(JSON.stringify(err.document));
      }
    };
  return { runtime, require, start: () => runtime.start(), stop: () => runtime.stop() };
}
