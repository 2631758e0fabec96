import etag from 'etag';
import fresh from 'fresh';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** A weak validator of a response body, as Express sends on every response with one (the `etag` package Express uses). */
export function weakEtag(body: string | Buffer): string {
  return etag(body, { weak: true });
}

/**
 * Fastify's onSend hook giving every body an ETag as Express did, and answering 304 with no
 * body to a GET or HEAD the client's copy of which is current (the `fresh` package, as Express's
 * `req.fresh`): a browser revalidating the console's calls.
 */
export function etags(request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: null, payload: unknown) => void): void {
  if ((typeof payload !== 'string' && !Buffer.isBuffer(payload)) || reply.hasHeader('etag')) return done(null, payload);
  const validator = weakEtag(payload);
  reply.header('ETag', validator);
  const status = reply.statusCode;
  if ((request.method === 'GET' || request.method === 'HEAD') && ((status >= 200 && status < 300) || status === 304) && fresh(request.headers, { etag: validator })) {
    reply.code(304);
    reply.removeHeader('content-type');
    reply.removeHeader('content-length');
    return done(null, '');
  }
  done(null, payload);
}
