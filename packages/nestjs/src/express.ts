import type { IncomingMessage, ServerResponse } from 'node:http';
import { KeywardOptions, KeywardRuntime, KeywardKeyInfo, rateLimitHeaders } from './keyward-runtime';
import { KeywardProblem } from './problem';
import { UsedRequest, reportUseWhenDone } from './request-use';

type ExpressRequest = IncomingMessage & UsedRequest & { keyward?: KeywardKeyInfo };
type Next = (err?: unknown) => void;

/**
 * Keyward for an Express service without Nest: `const keyward = keywardExpress({ url, apiKey });
 * await keyward.start(); app.get('/invoices', keyward.require('invoices:read'), handler)`; the key
 * is `req.keyward` (frozen). Call `keyward.stop()` on shutdown to send the usage left.
 */
export function keywardExpress(options: KeywardOptions) {
  const runtime = new KeywardRuntime(options);
  const require = (...permissions: string[]) =>
    async (req: ExpressRequest, res: ServerResponse, next: Next): Promise<void> => {
      try {
        const { record, key } = await runtime.authenticate(req);
        reportUseWhenDone(runtime.usage, req, res, record.keyId);
        const decision = await runtime.spend(record);
        if (decision) for (const [name, value] of Object.entries(rateLimitHeaders(decision))) res.setHeader(name, value);
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
