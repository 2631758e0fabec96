import type { OpenAPIObject } from '@nestjs/swagger';

/**
 * The problem answers every operation can get (issue 15), each application/problem+json with the
 * `Problem` schema: 400 everywhere (headers such as x-request-id are validated on every route),
 * 401/403/429 where a key is needed, 404 where the path names something, 413/415 where there is
 * a body. An answer the controller already documents keeps its description. Path parameters the
 * server parses with uuidParam() (validation.ts) are documented as UUIDs.
 */
const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };

export const PROBLEM_SCHEMA = {
  type: 'object',
  description: 'RFC 9457 problem details; `code` is stable, `errors` names each failing field',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string', format: 'uri' },
    title: { type: 'string' },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    detail: { type: 'string' },
    code: { type: 'string', example: 'VALIDATION_FAILED' },
    errors: {
      type: 'array',
      items: { type: 'object', required: ['field', 'message'], properties: { field: { type: 'string' }, message: { type: 'string' } } },
    },
  },
};

const DESCRIPTIONS: Record<string, string> = {
  '400': 'bad input (a field, a query parameter, a path parameter or a header): VALIDATION_FAILED names each field',
  '401': 'no key, an unknown, revoked, expired or disabled one, or two different keys',
  '403': 'the key lacks a permission the route needs (INSUFFICIENT_PERMISSIONS), or its IP is not allowed',
  '404': 'nothing of that id (or name) in the key\'s company',
  '413': 'the body is larger than the limit',
  '415': 'the body is not application/json',
  '429': 'the key\'s rate limit is spent (Retry-After says when to retry)',
};

/** Path parameters the server parses as UUIDs (uuidParam() in validation.ts). */
export const UUID_PATH_PARAMS = ['id', 'verifierId'];

type Operation = {
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string; schema?: Record<string, unknown> }[];
  requestBody?: unknown;
  responses?: Record<string, { description?: string; content?: Record<string, unknown> }>;
};

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'];

export function documentProblems(document: OpenAPIObject): OpenAPIObject {
  document.components ??= {};
  document.components.schemas ??= {};
  document.components.schemas.Problem = PROBLEM_SCHEMA as never;
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = (item as Record<string, Operation | undefined>)[method];
      if (!operation) continue;
      const keyed = (operation.security ?? document.security ?? []).some((r) => Object.keys(r).length > 0);
      const statuses = ['400'];
      if (keyed) statuses.push('401', '403', '429');
      if (/\{[^}]+\}/.test(path)) statuses.push('404');
      if (operation.requestBody) statuses.push('413', '415');
      operation.responses ??= {};
      for (const status of statuses) {
        const existing = operation.responses[status];
        operation.responses[status] = {
          ...existing,
          description: existing?.description || DESCRIPTIONS[status],
          content: { ...(existing?.content ?? {}), 'application/problem+json': { schema: PROBLEM_REF } },
        };
      }
      for (const p of operation.parameters ?? []) {
        if (p.in === 'path' && UUID_PATH_PARAMS.includes(p.name)) p.schema = { ...(p.schema ?? {}), type: 'string', format: 'uuid' };
      }
    }
  }
  return document;
}
