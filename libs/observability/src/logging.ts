import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { KeywardConfig } from '@keyward/config';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Every path that may hold a key or a secret, in requests, responses and logged objects. */
export const REDACTED_PATHS = [
  'req.headers["x-api-key"]',
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
  return text.replace(KEY_LIKE, (m) => `${m.startsWith('kwss_') ? 'kwss_' : 'kw_'}[redacted]`);
}

/** The caller's X-Request-Id when sane, else a new one; echoed on the response. */
export function requestIdOf(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

/**
 * Structured JSON logs (pino): one line per event, the request id on every line logged
 * while serving a request, keys and secrets redacted wherever they appear.
 */
export function loggingModule(config: KeywardConfig, service: 'api' | 'worker' | 'cli'): DynamicModule {
  return LoggerModule.forRoot({
    pinoHttp: {
      level: config.logLevel === 'verbose' ? 'trace' : config.logLevel,
      base: { service },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      // the API's request-id middleware runs first; reuse its id
      genReqId: (req, res) => (req as IncomingMessage & { id?: string }).id ?? requestIdOf(req, res),
      customProps: (req) => ({ requestId: (req as IncomingMessage & { id?: string }).id }),
      serializers: {
        req: (req: { id: string; method: string; url: string; headers: Record<string, unknown> }) => ({
          id: req.id,
          method: req.method,
          url: redactKeysInText(req.url),
          headers: { 'user-agent': req.headers['user-agent'], 'x-api-key': req.headers['x-api-key'], authorization: req.headers.authorization },
        }),
      },
      autoLogging: { ignore: (req) => req.url === '/health/live' || req.url === '/metrics' },
      quietReqLogger: true,
    },
  });
}
