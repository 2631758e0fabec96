import { randomUUID } from 'node:crypto';
import express, { NextFunction, Request, Response } from 'express';
import { problemDocument, sendProblem } from './problem.filter';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Keeps the caller's X-Request-Id when it is sane, makes one otherwise, and echoes it. */
export function requestId(req: Request, res: Response, next: NextFunction): void {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  (req as Request & { id: string }).id = id;
  res.setHeader('X-Request-Id', id);
  next();
}

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** A request with a body must send JSON. */
export function requireJson(req: Request, res: Response, next: NextFunction): void {
  if (hasBody(req) && !req.is('application/json') && !req.is('application/*+json')) {
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

/**
 * Path of the first string holding a NUL character (PostgreSQL cannot store one), or of
 * a field named like an object internal (which class-transformer would silently drop).
 */
function findUnsafe(value: unknown, path: string): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path || 'body' : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findUnsafe(value[i], `${path}[${i}]`);
      if (hit) return hit;
    }
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (FORBIDDEN_NAMES.has(k)) return path ? `${path}.${k}` : k;
      const hit = findUnsafe(v, path ? `${path}.${k}` : k);
      if (hit) return hit;
    }
  }
  return null;
}

/** Body is a JSON object (or absent); no NUL characters in body or query. */
export function requireCleanInput(req: Request, res: Response, next: NextFunction): void {
  if (req.body !== undefined && hasBody(req) && (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body))) {
    return sendProblem(res, problemDocument(400, 'VALIDATION_FAILED', 'body: must be a JSON object', [{ field: 'body', message: 'must be a JSON object' }]));
  }
  const field = findUnsafe(req.body, '') ?? findUnsafe(req.query, '');
  if (field) {
    const message = FORBIDDEN_NAMES.has(field.split('.').pop()!) ? 'is not an accepted field' : 'must not contain NUL characters';
    return sendProblem(res, problemDocument(400, 'VALIDATION_FAILED', `${field}: ${message}`, [{ field, message }]));
  }
  next();
}

/** Renders body-parser failures (too large, malformed JSON, bad charset) as problems. */
export function bodyErrors(err: unknown, _req: Request, res: Response, next: NextFunction): void {
  const e = err as { type?: string; status?: number; limit?: number };
  if (!e || typeof e.status !== 'number' || !e.type) return next(err);
  if (e.type === 'entity.too.large') {
    return sendProblem(res, problemDocument(413, 'PAYLOAD_TOO_LARGE', `body: larger than the ${e.limit} bytes accepted`, [{ field: 'body', message: 'too large' }]));
  }
  if (e.type === 'entity.parse.failed') {
    return sendProblem(res, problemDocument(400, 'MALFORMED_JSON', 'body: is not valid JSON', [{ field: 'body', message: 'is not valid JSON' }]));
  }
  return sendProblem(res, problemDocument(e.status >= 400 && e.status < 500 ? e.status : 400, e.status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'BAD_REQUEST', `body: ${e.type}`, [{ field: 'body', message: e.type }]));
}

export function jsonBody(limit: string) {
  return express.json({ limit, strict: false, type: ['application/json', 'application/*+json'] });
}
