import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { DestinationStream, Logger as Pino, pino } from 'pino';
import { KeywardConfig } from '@keyward/config';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Every path that may hold a key or a secret, in requests, responses and logged objects. */
export const REDACTED_PATHS = [
  'req.headers["x-api-key"]',
  'req.headers["api-key"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'key',
  'secret',
  'apiKey',
  'pepper',
  '*.key',
  '*.secret',
  '*.apiKey',
  '*.pepper',
  'err.config.headers',
];

/** Anything shaped like a Keyward key or shared secret (even cut short), wherever it sits in a text. */
const KEY_LIKE = /kw(?:ss)?_[A-Za-z0-9_-]{8,}/g;

/**
 * A text with every key-like token replaced: for what is logged verbatim, such as a
 * request URL (a key pasted into a search box or a query parameter must not reach a log).
 */
export function redactKeysInText(text: string): string {
  // a key sent percent-encoded (kw%5F…) is still a key
  let decoded = text;
  if (text.includes('%')) {
    try {
      decoded = decodeURIComponent(text);
    } catch {
      decoded = text.replace(/%5F/gi, '_');
    }
  }
  if (decoded !== text && KEY_LIKE_ONCE.test(decoded)) return decoded.replace(KEY_LIKE, redacted);
  return text.replace(KEY_LIKE, redacted);
}

const KEY_LIKE_ONCE = /kw(?:ss)?_[A-Za-z0-9_-]{8,}/;
const redacted = (m: string) => `${m.startsWith('kwss_') ? 'kwss_' : 'kw_'}[redacted]`;

/**
 * The client's User-Agent as Keyward keeps it (request lines, event metadata, usage
 * records): at most 512 characters, key-like tokens replaced — a client may put anything there.
 */
export function userAgentOf(req: Pick<IncomingMessage, 'headers'>): string | null {
  const value = req.headers['user-agent'];
  return typeof value === 'string' ? redactKeysInText(value.slice(0, 512)) : null;
}

/** The caller's X-Request-Id when sane, else a new one (the API's request ids: Fastify's genReqId). */
export function requestIdFrom(req: Pick<IncomingMessage, 'headers'>): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/** The request's id (`req.id` when the server gave it one, else as requestIdFrom), echoed on the response. */
export function requestIdOf(req: IncomingMessage & { id?: unknown }, res: ServerResponse): string {
  const id = typeof req.id === 'string' ? req.id : requestIdFrom(req);
  res.setHeader('X-Request-Id', id);
  return id;
}

/** The process's root logger (pino, JSON lines on stdout unless a destination is given). */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

/**
 * The servers write to stdout asynchronously: a line leaves at once when stdout is free, and lines
 * logged while a write is under way leave together in the next one (one system call for many
 * request lines under load, not one each); pino writes what is left synchronously when the
 * process exits. The command line writes synchronously.
 */
export function createLogger(config: Pick<KeywardConfig, 'logLevel'>, service: 'api' | 'worker' | 'cli', destination?: DestinationStream): Pino {
  const options = {
    level: config.logLevel === 'verbose' ? 'trace' : config.logLevel,
    base: { service },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  return pino(options, destination ?? (service === 'cli' ? pino.destination(1) : asyncStdout()));
}

/**
 * stdout written asynchronously, each line handed over as bytes: in its text mode sonic-boom
 * appends a line to the text waiting for the write under way and measures that text again each
 * time (about 8 KB copied per request line under load, measured with V8's sampling heap profiler);
 * as bytes, a line is kept as it is and the waiting lines are joined once, when written. pino
 * still writes what is left when the process exits (it ends the stream it made).
 */
function asyncStdout(): DestinationStream & { flush(cb: (err?: Error) => void): void } {
  const stdout = pino.destination({ dest: 1, sync: false, contentMode: 'buffer' });
  return {
    write: (line: string) => stdout.write(Buffer.from(line) as unknown as string),
    flush: (cb) => stdout.flush(cb),
  };
}

@Module({})
class LoggingModule {}

/**
 * Structured JSON logs (pino): one line per event, the request id on every line logged
 * while serving a request, keys and secrets redacted wherever they appear.
 *
 * Nest's Logger goes through nestjs-pino, which binds each request's logger (set by
 * `requestLogging`, see there) for the lines logged while serving it.
 */
export function loggingModule(config: KeywardConfig, service: 'api' | 'worker' | 'cli', destination?: DestinationStream): DynamicModule {
  const logger = createLogger(config, service, destination);
  return {
    module: LoggingModule,
    global: true,
    imports: [LoggerModule.forRoot({ pinoHttp: { logger }, useExisting: true })],
    providers: [{ provide: ROOT_LOGGER, useValue: logger }],
    exports: [ROOT_LOGGER],
  };
}

/** Routes that are polled, not used: no request line (their metrics still count them). */
const NOT_LOGGED = new Set(['/health/live', '/metrics']);
/**
 * A connected verifier renews its lease about once a second: its successful acks get no request
 * line either (a refused one does; each is still a KeyUsed in the audit trail).
 */
const VERIFIER_ACK = /^\/v1\/verifiers\/[^/?]+\/ack(\?|$)/;

type LoggedRequest = IncomingMessage & { id?: string; log?: Pino; originalUrl?: string };

/**
 * Gives the request its logger — a child carrying the request id (`reqId`), which
 * nestjs-pino binds to every line Nest code logs while serving it — and logs one request
 * line when the response is done (`request completed`, `request errored` for a 5xx,
 * `request aborted` when the client left first), at info level:
 * `{ reqId, req: { id, method, url, headers: { user-agent } }, requestId, res: { statusCode }, responseTime }`.
 *
 * Only what is listed is serialized: no key or cookie header, no response header, and the
 * URL with key-shaped tokens replaced. The line is built once, when the response is done:
 * no per-request serializers or extra child loggers (what pino-http did, at a third of
 * the API's CPU time per request).
 */
export function requestLogging(logger: Pino) {
  // children of a child skip pino's per-child formatter rebuild
  const base = logger.child({});
  const lineEnabled = base.isLevelEnabled('info');
  // the request line holds only what is built below (a sane or new request id, the URL and the
  // User-Agent with key-shaped tokens replaced, numbers): it needs no path redaction, which would
  // walk every line for the logger's wildcard paths
  const lines = base.child({}, { redact: { paths: [], censor: '[redacted]' } });
  return (req: LoggedRequest, res: ServerResponse, next: () => void): void => {
    const id = req.id ?? (req.id = requestIdOf(req, res));
    const log = base.child({ reqId: id });
    req.log = log;
    if (lineEnabled && !NOT_LOGGED.has(req.url ?? '')) {
      const started = Date.now();
      res.once('close', () => {
        const statusCode = res.statusCode;
        if (statusCode < 400 && VERIFIER_ACK.test(req.url ?? '')) return;
        const userAgent = userAgentOf(req);
        lines.info(
          {
            reqId: id,
            req: { id, method: req.method, url: redactKeysInText(req.originalUrl ?? req.url ?? ''), headers: { 'user-agent': userAgent } },
            requestId: id,
            res: { statusCode },
            responseTime: Date.now() - started,
          },
          !res.writableFinished ? 'request aborted' : statusCode >= 500 ? 'request errored' : 'request completed',
        );
      });
    }
    next();
  };
}
