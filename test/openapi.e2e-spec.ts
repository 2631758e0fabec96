import { PERMISSIONS } from '@keyward/auth';
import { Stack, call, startStack } from './support/stack';

/** The OpenAPI document describes every CONTRACT.md route of this build, its security and its limits. */
type Schema = { $ref?: string; allOf?: Schema[]; properties?: Record<string, Schema>; [k: string]: unknown };
type Operation = {
  summary?: string;
  'x-required-permissions'?: unknown;
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string; schema?: Schema }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
};
type Doc = {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; securitySchemes?: Record<string, Record<string, unknown>> };
  security?: Record<string, string[]>[];
};

const KEYED: [string, string][] = [
  ['get', '/v1/me'],
  ['post', '/v1/users'],
  ['get', '/v1/users'],
  ['get', '/v1/users/{id}'],
  ['patch', '/v1/users/{id}'],
  ['post', '/v1/keys'],
  ['get', '/v1/keys'],
  ['get', '/v1/keys/{id}'],
  ['patch', '/v1/keys/{id}'],
  ['post', '/v1/keys/{id}/revoke'],
  ['post', '/v1/keys/{id}/rotate'],
  ['delete', '/v1/keys/{id}'],
  ['post', '/v1/keys/verify'],
  ['get', '/v1/shared-secret'],
  ['post', '/v1/shared-secret/rotate'],
  ['post', '/v1/shared-secret/reveal'],
  ['get', '/v1/system/status'],
  ['put', '/v1/system/central'],
  ['delete', '/v1/system/central'],
  ['post', '/v1/system/central/check'],
  ['put', '/v1/system/telemetry'],
  ['post', '/v1/system/heartbeat'],
];
const PUBLIC: [string, string][] = [
  ['get', '/health/live'],
  ['get', '/health/ready'],
];

/**
 * Keyed routes that need a valid key and no permission: their operation carries no
 * `x-required-permissions` (an absent extension on a keyed route means "any valid key";
 * the Playground then says "needs a key; the document names no permission").
 */
const KEY_ONLY = ['GET /v1/me'];

/** What a few routes require, written out here rather than read from the code that documents it. */
const KNOWN_PERMISSIONS: [string, string[]][] = [
  ['POST /v1/keys', ['keys:write']],
  ['GET /v1/keys/{id}', ['keys:read']],
  ['POST /v1/keys/verify', ['keys:verify']],
  ['PATCH /v1/users/{id}', ['users:write']],
  ['GET /v1/audit-events', ['audit:read']],
  ['GET /v1/keys/{id}/state', ['audit:read']],
  ['GET /v1/system/status', ['admin.system.api']], // the permission is on the controller class
  ['POST /v1/shared-secret/reveal', ['admin.system.api']],
];

const KEY_RESOURCE_FIELDS = [
  'id', 'name', 'description', 'start', 'type', 'permissions', 'ownerId', 'companyId', 'status',
  'createdAt', 'updatedAt', 'expiresAt', 'revokedAt', 'lastUsedAt', 'allowedIps', 'rateLimit',
];

describe('OpenAPI document', () => {
  let stack: Stack;
  let doc: Doc;

  /** A schema with $ref and allOf folded in: its properties, whatever way they were written. */
  const resolve = (schema: Schema | undefined): Schema => {
    if (!schema) return {};
    if (schema.$ref) return resolve(doc.components.schemas[schema.$ref.replace('#/components/schemas/', '')]);
    if (schema.allOf) {
      const parts = schema.allOf.map(resolve);
      return { ...schema, properties: Object.assign({}, ...parts.map((p) => p.properties ?? {}), schema.properties ?? {}) };
    }
    return schema;
  };
  const op = (method: string, path: string): Operation => doc.paths[path]?.[method] ?? {};
  const requestProps = (method: string, path: string) =>
    resolve(op(method, path).requestBody?.content?.['application/json']?.schema).properties ?? {};
  const responseProps = (method: string, path: string, status: string) =>
    resolve(op(method, path).responses?.[status]?.content?.['application/json']?.schema).properties ?? {};
  const queryParam = (path: string, name: string) =>
    op('get', path).parameters?.find((p) => p.in === 'query' && p.name === name)?.schema ?? {};
  const effectiveSecurity = (method: string, path: string) => op(method, path).security ?? doc.security ?? [];
  /** Every operation of the document as `METHOD /path`. */
  const allOperations = () =>
    Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));
  const opOf = (id: string) => {
    const [method, path] = id.split(' ');
    return op(method.toLowerCase(), path);
  };
  const isPublic = (id: string) => PUBLIC.some(([m, p]) => `${m.toUpperCase()} ${p}` === id);

  beforeAll(async () => {
    stack = await startStack();
    const res = await call<Doc>(stack.url, 'GET', '/docs/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    doc = res.body;
  });

  afterAll(async () => {
    await stack?.close();
  });

  test.each([...KEYED, ...PUBLIC])('%s %s is documented', (method, path) => {
    expect(Object.keys(doc.paths[path] ?? {})).toContain(method);
  });

  test('the three ways of sending a key are declared as security schemes', () => {
    expect(doc.components.securitySchemes?.['x-api-key']).toMatchObject({ type: 'apiKey', in: 'header', name: 'x-api-key' });
    expect(doc.components.securitySchemes?.['api-key']).toMatchObject({ type: 'apiKey', in: 'header', name: 'api-key' });
    expect(doc.components.securitySchemes?.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  test.each(KEYED)('%s %s requires x-api-key, api-key or bearer', (method, path) => {
    const security = effectiveSecurity(method, path);
    expect(security.length).toBeGreaterThan(0);
    // every alternative needs a key: none is the empty (anonymous) requirement
    for (const requirement of security) {
      const names = Object.keys(requirement);
      expect(names.length).toBeGreaterThan(0);
      expect(names.every((n) => n === 'x-api-key' || n === 'api-key' || n === 'bearer')).toBe(true);
    }
  });

  test.each(PUBLIC)('%s %s is public: anonymous access documented', (method, path) => {
    const security = effectiveSecurity(method, path);
    // [] or an alternative with no scheme ({}) overrides the document-wide requirement
    expect({ security }).toEqual({ security: security.length === 0 ? [] : expect.arrayContaining([{}]) });
  });

  test('every operation is either keyed (with a summary) or one of the public ones', () => {
    const ops = allOperations();
    expect(ops).toEqual(expect.arrayContaining(KEYED.map(([m, p]) => `${m.toUpperCase()} ${p}`)));
    for (const id of ops) {
      if (isPublic(id)) continue;
      const security = opOf(id).security ?? doc.security ?? [];
      expect({ id, keyed: security.length > 0 }).toEqual({ id, keyed: true });
      expect({ id, summary: opOf(id).summary?.trim() || null }).toEqual({ id, summary: expect.any(String) });
    }
  });

  test('every keyed operation names its permissions in x-required-permissions; key-only and public ones name none', () => {
    for (const id of allOperations()) {
      const extension = opOf(id)['x-required-permissions'];
      if (isPublic(id) || KEY_ONLY.includes(id)) {
        expect({ id, extension }).toEqual({ id, extension: undefined });
        continue;
      }
      expect({ id, extension }).toEqual({ id, extension: expect.any(Array) });
      const names = extension as unknown[];
      expect({ id, empty: names.length === 0 }).toEqual({ id, empty: false });
      const unknown = names.filter((n) => !(PERMISSIONS as readonly unknown[]).includes(n));
      expect({ id, unknown }).toEqual({ id, unknown: [] });
    }
  });

  test.each(KNOWN_PERMISSIONS)('%s documents x-required-permissions %j', (id, permissions) => {
    expect(opOf(id)['x-required-permissions']).toEqual(permissions);
  });

  test('what the document names is what the route refuses a key without: 403 naming exactly those permissions', async () => {
    const created = await call(stack.url, 'POST', '/v1/keys', {
      key: stack.admin.key,
      body: { name: 'no permissions', permissions: [] },
    });
    expect(created.status).toBe(201);
    const bare = (created.body as { key: string }).key;
    const anyId = '00000000-0000-4000-8000-000000000000';
    for (const id of allOperations().filter((x) => !isPublic(x))) {
      const [method, path] = id.split(' ');
      const body = ['POST', 'PUT', 'PATCH'].includes(method) ? {} : undefined;
      const res = await call(stack.url, method, path.replace(/\{[^}]+\}/g, anyId), { key: bare, body });
      const documented = opOf(id)['x-required-permissions'] as string[] | undefined;
      if (!documented) {
        expect({ id, refused: res.status === 401 || res.status === 403 }).toEqual({ id, refused: false });
        continue;
      }
      expect({ id, status: res.status, code: res.body?.code }).toEqual({ id, status: 403, code: 'INSUFFICIENT_PERMISSIONS' });
      const named = String(res.body.detail).replace(/^this key lacks the permission /, '').split(', ');
      expect({ id, named: [...named].sort() }).toEqual({ id, named: [...documented].sort() });
    }
  });

  test('PATCH /v1/keys/{id}: description and expiresAt are nullable strings (null clears them)', () => {
    expect(requestProps('patch', '/v1/keys/{id}')).toMatchObject({
      description: { type: 'string', nullable: true, maxLength: 500 },
      expiresAt: { type: 'string', format: 'date-time', nullable: true },
    });
  });

  test('POST /v1/keys answers 201 with the key, and every field of the Key resource', () => {
    expect(Object.keys(op('post', '/v1/keys').responses ?? {})).toContain('201');
    const created = responseProps('post', '/v1/keys', '201');
    expect(Object.keys(created)).toEqual(expect.arrayContaining(['key', ...KEY_RESOURCE_FIELDS]));
  });

  test('POST /v1/keys/{id}/rotate answers with the new key too', () => {
    const success = Object.keys(op('post', '/v1/keys/{id}/rotate').responses ?? {}).find((s) => /^2/.test(s)) ?? '';
    expect(Object.keys(responseProps('post', '/v1/keys/{id}/rotate', success))).toContain('key');
  });

  test('the KeyResponse schema has every field of the Key resource, and is what GET and PATCH return', () => {
    expect(Object.keys(resolve(doc.components.schemas.KeyResponse).properties ?? {})).toEqual(
      expect.arrayContaining(KEY_RESOURCE_FIELDS),
    );
    for (const [method, path] of [['get', '/v1/keys/{id}'], ['patch', '/v1/keys/{id}'], ['post', '/v1/keys/{id}/revoke']]) {
      expect(Object.keys(responseProps(method, path, '200'))).toEqual(expect.arrayContaining(KEY_RESOURCE_FIELDS));
    }
    expect(resolve(doc.components.schemas.KeyResponse).properties?.status).toMatchObject({
      enum: expect.arrayContaining(['active', 'revoked', 'expired']),
    });
  });

  test('the key body schemas document the limits', () => {
    for (const [method, path] of [['post', '/v1/keys'], ['patch', '/v1/keys/{id}']]) {
      const props = requestProps(method, path);
      expect({ where: `${method} ${path}`, name: props.name, description: props.description }).toMatchObject({
        name: { minLength: 1, maxLength: 100 },
        description: { maxLength: 500 },
      });
      expect(Object.keys(props)).toEqual(
        expect.arrayContaining(['name', 'description', 'permissions', 'expiresAt', 'allowedIps', 'rateLimit']),
      );
      expect(resolve(props.rateLimit).properties).toMatchObject({
        limit: { minimum: 1 },
        windowSeconds: { minimum: 1 },
      });
    }
    expect(requestProps('post', '/v1/keys/{id}/rotate').gracePeriodSeconds).toMatchObject({ minimum: 0, maximum: 604_800 });
    expect(requestProps('post', '/v1/keys/{id}/revoke').reason).toMatchObject({ maxLength: 500 });
  });

  test('the user body schemas document the limits', () => {
    expect(requestProps('post', '/v1/users')).toMatchObject({
      email: { maxLength: 254 },
      name: { minLength: 1, maxLength: 100 },
    });
    expect(requestProps('patch', '/v1/users/{id}')).toMatchObject({ name: { maxLength: 100 } });
  });

  test('the system body schemas document their fields, and rotate/reveal answer with the secret', () => {
    expect(requestProps('put', '/v1/system/central').apiKey).toMatchObject({ type: 'string', minLength: 1, maxLength: 512 });
    expect(requestProps('put', '/v1/system/telemetry').enabled).toMatchObject({ type: 'boolean' });
    expect(Object.keys(responseProps('post', '/v1/shared-secret/rotate', '201'))).toEqual(
      expect.arrayContaining(['secret', 'fingerprint', 'createdAt', 'rotatedAt']),
    );
    expect(Object.keys(responseProps('get', '/v1/shared-secret', '200'))).not.toContain('secret');
    expect(Object.keys(responseProps('get', '/v1/system/status', '200'))).toEqual(
      expect.arrayContaining(['version', 'central', 'telemetry', 'queues', 'projectionLag']),
    );
    const queues = responseProps('get', '/v1/system/status', '200').queues as Schema;
    expect(Object.keys(resolve(queues.additionalProperties as Schema).properties ?? {})).toEqual(['waiting', 'active', 'failed', 'delayed']);
  });

  test.each(['/v1/users', '/v1/keys'])('GET %s documents limit 1..500 and cursor', (path) => {
    expect(queryParam(path, 'limit')).toMatchObject({ minimum: 1, maximum: 500 });
    expect(queryParam(path, 'cursor')).toMatchObject({ type: 'string' });
  });

  test('the validators are in the document: integers, item limits, UUIDs and closed body schemas', () => {
    const rateLimit = resolve(requestProps('post', '/v1/keys').rateLimit);
    expect(rateLimit).toMatchObject({ additionalProperties: false });
    expect(rateLimit.properties).toMatchObject({ limit: { type: 'integer' }, windowSeconds: { type: 'integer' } });
    expect(requestProps('post', '/v1/keys')).toMatchObject({ roles: { maxItems: 20 }, allowedIps: { maxItems: 100, items: { maxLength: 64 } }, ownerId: { format: 'uuid' } });
    for (const [method, path] of allOperations().map((id) => id.split(' '))) {
      const body = op(method.toLowerCase(), path).requestBody?.content?.['application/json']?.schema;
      if (body) expect({ id: `${method} ${path}`, closed: resolve(body).additionalProperties }).toEqual({ id: `${method} ${path}`, closed: false });
    }
  });

  test('every operation documents its problem answers; ids in paths are UUIDs, role and permission names are not', () => {
    expect(doc.components.schemas.Problem).toMatchObject({ required: expect.arrayContaining(['type', 'title', 'status', 'detail', 'code']) });
    for (const id of allOperations()) {
      const [method, path] = id.split(' ');
      const o = opOf(id);
      const expected = ['400', ...(isPublic(id) ? [] : ['401', '403', '429']), ...(/\{/.test(path) ? ['404'] : []), ...(o.requestBody ? ['413', '415'] : [])];
      for (const status of expected) {
        expect({ id, status, schema: o.responses?.[status]?.content?.['application/problem+json']?.schema }).toEqual({ id, status, schema: { $ref: '#/components/schemas/Problem' } });
      }
      for (const p of o.parameters ?? []) {
        if (p.in !== 'path') continue;
        expect({ id, name: p.name, format: p.schema?.format }).toEqual({ id, name: p.name, format: ['id', 'verifierId'].includes(p.name) ? 'uuid' : undefined });
      }
      void method;
    }
  });

  test('/docs answers 200 with the HTML playground, without a key', async () => {
    const page = await call(stack.url, 'GET', '/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(String(page.body)).toMatch(/<html[\s>]/i);
  });
});
