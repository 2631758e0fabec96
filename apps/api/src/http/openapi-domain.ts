import type { OpenAPIObject } from '@nestjs/swagger';
import { permissionNameParam, roleNameParam } from '../catalog/catalog.dto';

/**
 * What the commands (not the DTO decorators) enforce, for the document to say it too (issue 15;
 * found by test/openapi-conformance.e2e-spec.ts): rules across fields, address shapes checked by
 * libs/keys and libs/webhooks, and the answers those commands give. The decorators' own rules are
 * read from their metadata (openapi-constraints.ts); these are the ones no decorator carries.
 */
/** An answer as the document types it (the swagger package does not export the name). */
type ResponseObject = Extract<NonNullable<OpenAPIObject['paths'][string]['get']>['responses'][string], { description: string }>;
type Schema = Record<string, unknown> & { properties?: Record<string, Schema>; items?: Schema };

const IP = [{ format: 'ipv4' }, { format: 'ipv6' }];
/** An address or a CIDR block (rules.ts parseAllowedIp). */
const IP_OR_CIDR = { anyOf: [...IP, { format: 'x-cidr', pattern: '^[0-9A-Fa-f.:]+/[0-9]{1,3}$' }] };
/** Two keys of a key body are exclusive: `role` is a shorthand for `roles: [role]`. */
const ROLE_OR_ROLES = { not: { required: ['role', 'roles'] }, description: 'role and roles: one or the other, not both' };

/** Keywords merged into component schemas (and their properties). */
const SCHEMA_RULES: Record<string, { schema?: Schema; properties?: Record<string, Schema>; items?: Record<string, Schema> }> = {
  // create-user.handler.ts: permissions or role, exactly one ("give permissions or a role", "not both")
  CreateUserDto: { schema: { oneOf: [{ required: ['permissions'] }, { required: ['role'] }], description: 'permissions or role: exactly one' } },
  UpdateUserDto: { schema: { not: { required: ['permissions', 'role'] }, description: 'permissions or role, not both' } },
  CreateKeyDto: {
    schema: {
      ...ROLE_OR_ROLES,
      // rules.ts: an administration key takes all of its owner's permissions, so names none
      anyOf: [
        { properties: { type: { enum: ['standard'] } } },
        { not: { anyOf: [{ required: ['permissions'] }, { required: ['roles'] }, { required: ['role'] }] } },
      ],
      description: 'role and roles: one or the other, not both; an administration key names no permissions, roles or role',
    },
    items: { allowedIps: IP_OR_CIDR },
  },
  UpdateKeyDto: { schema: ROLE_OR_ROLES, items: { allowedIps: IP_OR_CIDR } },
  // permissionNameProblem (libs/auth): a company's own permission has a ":" or "."
  DefinePermissionDto: { properties: { name: { pattern: '^[a-z0-9_-]*[:.][a-z0-9_.:-]*$', minLength: 3, maxLength: 100 } } },
  // webhook-target.ts: an absolute http(s) URL (a public address: 422 otherwise)
  // and "*" (every event) only alone
  CreateWebhookDto: {
    properties: {
      url: { format: 'uri', pattern: '^https?://' },
      events: { anyOf: [{ maxItems: 1 }, { items: { not: { enum: ['*'] } } }], description: 'event types, or ["*"] alone' },
    },
  },
};

const PROBLEM = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };
const UNKNOWN_NAME = "a permission or role the body names is not in the company's catalog (UNKNOWN_PERMISSION_OR_ROLE)";

/** Answers the commands give that the controllers do not declare. */
const ANSWERS: Record<string, Record<string, ResponseObject>> = {
  'POST /v1/keys': {
    '404': { description: 'ownerId: no such user in this company', content: PROBLEM },
    '422': { description: `${UNKNOWN_NAME}, or the owner is disabled (OWNER_DISABLED)`, content: PROBLEM },
  },
  'PATCH /v1/keys/{id}': { '422': { description: UNKNOWN_NAME, content: PROBLEM } },
  'POST /v1/roles': { '422': { description: UNKNOWN_NAME, content: PROBLEM } },
  'PATCH /v1/roles/{name}': { '422': { description: UNKNOWN_NAME, content: PROBLEM } },
  'GET /v1/audit-events/export': {
    '200': {
      description: 'the events, streamed: CSV (format=csv) or one JSON object a line (format=jsonl)',
      content: { 'text/csv': { schema: { type: 'string' } }, 'application/x-ndjson': { schema: { type: 'string' } } },
    },
  },
};

/**
 * Commands that answer 409 (rules.ts asConflict: a concurrent change, VERSION_CONFLICT, or a
 * name or e-mail taken, ALREADY_EXISTS; and their own: BUILT_IN_ROLE, PERMISSION_IN_USE,
 * KEY_ALREADY_REVOKED, RESERVED_PERMISSION).
 */
const CONFLICTS = [
  'POST /v1/users',
  'PATCH /v1/users/{id}',
  'PATCH /v1/keys/{id}',
  'DELETE /v1/keys/{id}',
  'POST /v1/keys/{id}/revoke',
  'POST /v1/keys/{id}/rotate',
  'POST /v1/permissions',
  'DELETE /v1/permissions/{name}',
  'POST /v1/roles',
  'PATCH /v1/roles/{name}',
  'DELETE /v1/roles/{name}',
];
const CONFLICT = {
  description: 'a concurrent change (VERSION_CONFLICT: read again and retry), a name or e-mail already taken (ALREADY_EXISTS), or a state that refuses it (BUILT_IN_ROLE, PERMISSION_IN_USE, KEY_ALREADY_REVOKED, RESERVED_PERMISSION)',
  content: PROBLEM,
};

/** Path parameters checked by a pipe of their own (catalog/name-param.ts), by path prefix. */
const NAME_PARAMS: [string, RegExp][] = [
  ['/v1/roles/', roleNameParam],
  ['/v1/permissions/', permissionNameParam],
];

export function documentDomainRules(document: OpenAPIObject): OpenAPIObject {
  const schemas = (document.components?.schemas ?? {}) as Record<string, Schema>;
  for (const [name, rules] of Object.entries(SCHEMA_RULES)) {
    const schema = schemas[name];
    if (!schema) throw new Error(`openapi-domain: no component schema ${name} (renamed DTO?)`);
    Object.assign(schema, rules.schema ?? {});
    for (const [property, keywords] of Object.entries(rules.properties ?? {})) Object.assign((schema.properties ?? {})[property] ?? {}, keywords);
    for (const [property, keywords] of Object.entries(rules.items ?? {})) {
      const items = (schema.properties ?? {})[property]?.items;
      if (items) Object.assign(items, keywords);
    }
  }
  const all = { ...ANSWERS };
  for (const id of CONFLICTS) all[id] = { ...all[id], '409': CONFLICT };
  for (const [id, answers] of Object.entries(all)) {
    const [method, path] = id.split(' ');
    const operation = document.paths[path]?.[method.toLowerCase() as 'get'];
    if (!operation) throw new Error(`openapi-domain: no operation ${id}`);
    for (const [status, answer] of Object.entries(answers)) operation.responses[status] ??= answer;
  }
  for (const [path, item] of Object.entries(document.paths)) {
    const shape = NAME_PARAMS.find(([prefix]) => path.startsWith(prefix))?.[1];
    if (!shape) continue;
    for (const operation of Object.values(item) as { parameters?: { name: string; in: string; schema?: Schema }[] }[]) {
      for (const p of operation?.parameters ?? []) if (p.in === 'path' && p.name === 'name') p.schema = { ...(p.schema ?? {}), type: 'string', pattern: shape.source };
    }
  }
  return document;
}
