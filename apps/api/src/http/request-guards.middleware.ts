import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import express from 'express';
import type { RoutedRequest } from '@keyward/auth';
import { requestIdOf } from '@keyward/observability';
import { problemDocument, sendProblem } from './problem.filter';

/**
 * This file's middleware runs in Fastify's middleware layer (@fastify/middie), before Fastify
 * routes or parses anything: on Node's request and response, where the body lands as `req.body`.
 */
type RawRequest = RoutedRequest & { body?: unknown };
/** What a middleware calls to go on (with an error: to answer it). */
export type Next = (err?: unknown) => void;

// type-is (what Express's req.is and body-parser read the content type with) ships no types
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { is: mediaTypeIs } = require('type-is') as { is(mediaType: string, types: string[]): string | false };

/** The request id (Fastify's genReqId: the caller's X-Request-Id when sane), echoed. */
export function requestId(req: RawRequest, res: ServerResponse, next: Next): void {
  requestIdOf(req, res);
  next();
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** A request with a body must send JSON. */
export function requireJson(req: IncomingMessage, res: ServerResponse, next: Next): void {
  const type = req.headers['content-type'];
  if (hasBody(req) && !(type && mediaTypeIs(type, ['application/json', 'application/*+json']))) {
    return sendProblem(
      res,
      problemDocument(415, 'UNSUPPORTED_MEDIA_TYPE', 'content-type: send the body as application/json', [
        { field: 'content-type', message: 'must be application/json' },
      ]),
    );
  }
  next();
}

const FORBIDDEN_NAMES = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_DEPTH = 16;
const SURROGATE = /[\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

type Unsafe = { field: string; message: string };
/** A finding and the keys and indexes leading to it, innermost first (the field is only written for a finding). */
type Found = { at: (string | number)[]; message: string };

/**
 * The first field PostgreSQL or the validator could not take: a NUL character or a
 * lone surrogate in a string, a name like an object internal (class-transformer would
 * silently drop it), or nesting deeper than any Keyward body has.
 */
function findUnsafe(value: unknown): Unsafe | null {
  const found = scan(value, 0);
  if (!found) return null;
  const field = found.at.reduceRight<string>((path, step) => (typeof step === 'number' ? `${path}[${step}]` : path ? `${path}.${step}` : step), '');
  return { field: field || 'body', message: found.message };
}

function scan(value: unknown, depth: number): Found | null {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) return { at: [], message: 'must not contain NUL characters' };
    if (SURROGATE.test(value) && LONE_SURROGATE.test(value)) return { at: [], message: 'must be valid Unicode (lone surrogate)' };
    return null;
  }
  if (value === null || typeof value !== 'object') return null;
  if (depth >= MAX_DEPTH) return { at: [], message: `is nested more than ${MAX_DEPTH} levels deep` };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = scan(value[i], depth + 1);
      if (found) return (found.at.push(i), found);
    }
    return null;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  for (const k of keys) if (FORBIDDEN_NAMES.has(k)) return { at: [k], message: 'is not an accepted field' };
  for (const k of keys) {
    const found = scan(record[k], depth + 1);
    if (found) return (found.at.push(k), found);
  }
  return null;
}

/** The query as the routes get it (Fastify's querystringParser is the same node:querystring). */
function queryOf(req: IncomingMessage): Record<string, unknown> | undefined {
  const url = req.url ?? '';
  const mark = url.indexOf('?');
  return mark < 0 ? undefined : parseQuery(url.slice(mark + 1));
}

/** Body is a JSON object (or absent); no NUL, lone surrogates, internal names or deep nesting in body or query. */
export function requireCleanInput(req: RawRequest, res: ServerResponse, next: Next): void {
  if (req.body !== undefined && hasBody(req) && (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body))) {
    return sendProblem(res, problemDocument(400, 'VALIDATION_FAILED', 'body: must be a JSON object', [{ field: 'body', message: 'must be a JSON object' }]));
  }
  const hit = findUnsafe(req.body) ?? findUnsafe(queryOf(req));
  if (hit) {
    return sendProblem(res, problemDocument(400, 'VALIDATION_FAILED', `${hit.field}: ${hit.message}`, [hit]));
  }
  next();
}

/** Thrown by the parser's verify hook; bodyErrors answers it (body-parser keeps the type). */
const INVALID_UTF8 = 'entity.encoding.invalid';

/**
 * body-parser decodes with replacement: bytes that are not UTF-8 would reach the handlers (and
 * be stored) as U+FFFD, silently changing what the caller sent. A UTF-8 body (the default, and
 * what RFC 8259 requires between systems) must decode strictly. A body declared in another
 * utf-* charset is left to body-parser's decoder, as before.
 */
function requireStrictUtf8(_req: unknown, _res: unknown, buf: Buffer, encoding: string): void {
  if (encoding !== 'utf-8' && encoding !== 'utf8') return;
  // what a fatal TextDecoder refuses, checked without decoding the body into a string
  if (!isUtf8(buf)) throw Object.assign(new Error('body: is not valid UTF-8'), { type: INVALID_UTF8 });
}

/** Renders body-parser failures (too large, malformed JSON, bad charset) as problems. */
function bodyErrors(err: unknown, res: ServerResponse, next: Next): void {
  const e = err as { type?: string; status?: number; limit?: number; expose?: boolean };
  if (!e || typeof e.status !== 'number') return next(err);
  if (!e.type) {
    // a body that does not inflate under its content-encoding (gzip, deflate, br) comes as the
    // zlib error with a 4xx status and no type; anything else without a type is not ours
    if (!(e.expose === true && e.status >= 400 && e.status < 500)) return next(err);
    return sendProblem(res, problemDocument(400, 'BAD_REQUEST', 'body: could not be decoded as its content-encoding says', [{ field: 'body', message: 'could not be decoded (content-encoding)' }]));
  }
  if (e.type === 'entity.too.large') {
    return sendProblem(res, problemDocument(413, 'PAYLOAD_TOO_LARGE', `body: larger than the ${e.limit} bytes accepted`, [{ field: 'body', message: 'too large' }]));
  }
  if (e.type === INVALID_UTF8) {
    return sendProblem(res, problemDocument(400, 'MALFORMED_JSON', 'body: is not valid UTF-8', [{ field: 'body', message: 'is not valid UTF-8' }]));
  }
  if (e.type === 'entity.parse.failed') {
    return sendProblem(res, problemDocument(400, 'MALFORMED_JSON', 'body: is not valid JSON', [{ field: 'body', message: 'is not valid JSON' }]));
  }
  return sendProblem(res, problemDocument(e.status >= 400 && e.status < 500 ? e.status : 400, e.status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'BAD_REQUEST', `body: ${e.type}`, [{ field: 'body', message: e.type }]));
}

/**
 * JSON bodies up to `limit` (body-parser, as on Express: content-encodings, charsets, strict UTF-8),
 * its failures answered as problems. The body is read here, before Fastify's content-type parser,
 * which only hands it over (app.setup.ts).
 */
export function jsonBody(limit: string) {
  const parse = express.json({ limit, strict: false, type: ['application/json', 'application/*+json'], verify: requireStrictUtf8 });
  return (req: RawRequest, res: ServerResponse, next: Next): void => parse(req as express.Request, res as express.Response, (err?: unknown) => (err ? bodyErrors(err, res, next) : next()));
}
