import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { ServerResponse } from 'node:http';
import { ProblemBody, ProblemDocument, problemDocument } from '@keyward/common';

// the document's shape lives in @keyward/common (the worker's health port answers it too)
export { problemDocument };
export type { ProblemDocument };

const CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE',
  429: 'TOO_MANY_REQUESTS',
  503: 'UNAVAILABLE',
};

/**
 * Sends the problem on a Nest route's reply (through Fastify, so its hooks see it) or on Node's
 * response, as middleware and streams hold it; headers set on Node's response before (the
 * request id, RateLimit-*) go out with it either way.
 */
export function sendProblem(res: ServerResponse | FastifyReply, doc: ProblemDocument, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(doc);
  if ('raw' in res && !res.sent) {
    res.code(doc.status).headers(headers).type('application/problem+json; charset=utf-8').send(body);
    return;
  }
  // a reply a route took over (reply.hijack(): streams) is answered on Node's response
  if ('raw' in res) res = res.raw;
  if (res.headersSent) return void res.destroy();
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.statusCode = doc.status;
  res.setHeader('Content-Type', 'application/problem+json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(res.req?.method === 'HEAD' ? undefined : body);
}

/**
 * Every error leaves as application/problem+json with a stable code. Unknown errors
 * are logged and answered 500 without their message or stack.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('Problem');

  catch(exception: unknown, host: ArgumentsHost): void {
    this.respond(host.switchToHttp().getResponse<FastifyReply | ServerResponse>(), exception);
  }

  /** The answer to an error, also for middleware outside Nest's filters (/docs, /admin/queues). */
  respond(res: ServerResponse | FastifyReply, exception: unknown): void {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      if (typeof body === 'object' && body !== null && 'code' in body) {
        const p = body as ProblemBody;
        return sendProblem(res, problemDocument(status, p.code, p.detail, p.errors), p.headers);
      }
      const message =
        typeof body === 'string' ? body : String((body as { message?: unknown }).message ?? exception.message);
      return sendProblem(res, problemDocument(status, CODES[status] ?? 'ERROR', message));
    }
    if (isFastifyRefusal(exception)) return sendProblem(res, fastifyRefusal(exception));
    if (isUnavailable(exception)) {
      this.logger.warn(`dependency unavailable: ${(exception as Error).message}`);
      return sendProblem(
        res,
        problemDocument(503, 'UNAVAILABLE', 'a dependency (database or Redis) is unavailable or too slow; nothing was changed unless an event was recorded — retry'),
        { 'Retry-After': '5' },
      );
    }
    this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    sendProblem(res, problemDocument(500, 'INTERNAL', 'an unexpected error occurred; it was logged'));
  }
}

/**
 * What Fastify itself refuses before a route runs (a URL it cannot decode, a body it will not
 * read), with its 4xx status: a problem like every other answer, never a 500.
 */
export function fastifyRefusal(exception: unknown): ProblemDocument {
  const e = exception as { code?: unknown; statusCode?: unknown; message?: string } | null;
  if (e?.code === 'FST_ERR_BAD_URL') {
    return problemDocument(400, 'BAD_REQUEST', 'path: is not a valid URL (malformed percent-encoding)', [{ field: 'path', message: 'malformed percent-encoding' }]);
  }
  const status = typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500 ? e.statusCode : 400;
  // Fastify's message may quote the request (its path): only its code is named
  const code = typeof e?.code === 'string' && /^FST_[A-Z_]+$/.test(e.code) ? e.code : 'refused';
  return problemDocument(status, CODES[status] ?? 'BAD_REQUEST', `request: refused by the HTTP server (${code})`, [{ field: 'request', message: code }]);
}

/** Fastify's own 4xx refusals (FST_ codes), which reach the filter when a route's lifecycle raises them. */
function isFastifyRefusal(exception: unknown): boolean {
  const e = exception as { code?: unknown; statusCode?: unknown } | null;
  return typeof e?.code === 'string' && e.code.startsWith('FST_') && typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500;
}

const UNAVAILABLE_SQLSTATES = new Set([
  '57014', // query_canceled (statement_timeout)
  '55P03', // lock_not_available (lock_timeout)
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '08000', '08003', '08006', '08001', '08004', // connection exceptions
]);

/** Errors that mean "try again later", not "this request is wrong" nor a bug. */
export function isUnavailable(err: unknown): boolean {
  const e = err as { code?: string; driverError?: { code?: string }; message?: string } | null;
  if (!e) return false;
  const code = e.driverError?.code ?? e.code;
  if (code && (UNAVAILABLE_SQLSTATES.has(code) || ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'].includes(code))) return true;
  if (/^QueryRunner(Provider)?AlreadyReleasedError$/.test((err as Error).name ?? '')) return true;
  return /Connection terminated|timeout exceeded when trying to connect|Connection is closed|Command timed out|no answer from Redis|MaxRetriesPerRequest|enableOfflineQueue|already released/i.test(e.message ?? '');
}
