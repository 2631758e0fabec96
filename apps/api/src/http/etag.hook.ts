import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * A weak validator of a response body, as Express sends on every response with one (the `etag`
 * package): `W/"<length in hex>-<27 characters of its SHA-1 in base64>"`.
 */
export function weakEtag(body: string | Buffer): string {
  const hash = createHash('sha1').update(body).digest('base64').substring(0, 27);
  const length = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  return `W/"${length.toString(16)}-${hash}"`;
}

/** Whether the client's copy is current (the `fresh` package's rule, on If-None-Match only: Keyward sends no Last-Modified). */
function fresh(headers: IncomingHttpHeaders, etag: string): boolean {
  const given = headers['if-none-match'];
  if (!given) return false;
  if (/(?:^|,)\s*no-cache\s*(?:,|$)/.test(headers['cache-control'] ?? '')) return false;
  if (given.trim() === '*') return true;
  const bare = etag.replace(/^W\//, '');
  return given.split(',').some((tag) => tag.trim().replace(/^W\//, '') === bare);
}

/**
 * Fastify's onSend hook giving every body an ETag as Express did, and answering 304 with no
 * body to a GET or HEAD whose If-None-Match holds it (a browser revalidating the console's calls).
 */
export function etags(request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: null, payload: unknown) => void): void {
  if ((typeof payload !== 'string' && !Buffer.isBuffer(payload)) || reply.hasHeader('etag')) return done(null, payload);
  const etag = weakEtag(payload);
  reply.header('ETag', etag);
  const status = reply.statusCode;
  if ((request.method === 'GET' || request.method === 'HEAD') && ((status >= 200 && status < 300) || status === 304) && fresh(request.headers, etag)) {
    reply.code(304);
    reply.removeHeader('content-type');
    reply.removeHeader('content-length');
    return done(null, '');
  }
  done(null, payload);
}
