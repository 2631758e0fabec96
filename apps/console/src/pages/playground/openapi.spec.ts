import 'reflect-metadata';
import { Body, Controller, Delete, Get, INestApplication, Module, Param, Patch, Post, Query } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  ApiExtension,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiSecurity,
  ApiTags,
  DocumentBuilder,
  SwaggerModule,
} from '@nestjs/swagger';
import {
  buildPathAndQuery,
  exampleBody,
  exampleDateTime,
  exampleFor,
  groupByTag,
  initialValues,
  isOpenApiDocument,
  listOperations,
  missingPathParameters,
  operationLabel,
  parameterHint,
  pathParameterNames,
  requiredPermissions,
  resolveRef,
  resolveSchema,
  schemaType,
  type OpenApiDocument,
  type Operation,
  type Schema,
} from './openapi';

const NOW = new Date('2026-11-23T14:33:05.123Z');
const IN_A_MONTH = '2026-12-23T00:00:00Z';

/* ------------------------------------------------------------------ a hand-written document */

const handWritten: OpenApiDocument = {
  openapi: '3.0.0',
  info: { title: 'Pets', version: '1' },
  tags: [{ name: 'pets' }, { name: 'owners' }],
  security: [{ apiKey: [] }],
  paths: {
    '/pets': {
      get: {
        tags: ['pets'],
        summary: 'List pets',
        'x-required-permissions': ['pets:read'],
        parameters: [
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
          { name: 'kind', in: 'query', required: true, description: 'which animals', schema: { $ref: '#/components/schemas/Kind' } },
          { name: 'tags', in: 'query', schema: { type: 'array', items: { type: 'string', enum: ['small', 'large'] } } },
          { name: 'vaccinated', in: 'query', schema: { type: 'boolean' } },
          { name: 'x-trace', in: 'header', schema: { type: 'string' } },
        ],
      },
      post: {
        tags: ['pets'],
        summary: 'Add a pet',
        description: 'Needs `pets:write`.',
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/NewPet' } } } },
      },
    },
    '/pets/{petId}': {
      parameters: [{ $ref: '#/components/parameters/PetId' }],
      get: { tags: ['pets'], operationId: 'getPet', security: [{ apiKey: ['pets:read', 'owners:read'] }] },
      patch: {
        tags: ['pets'],
        summary: 'Edit a pet',
        requestBody: { $ref: '#/components/requestBodies/PetPatch' },
        parameters: [{ name: 'petId', in: 'path', required: true, description: 'overridden here', schema: { type: 'string', format: 'uuid' } }],
      },
      delete: { tags: ['pets'], deprecated: true },
    },
    '/owners/{ownerId}/pets/{petId}': {
      get: { tags: ['owners'], summary: 'One pet of one owner' },
    },
    '/health': { get: { summary: 'Alive', security: [] } },
    '/untagged': { put: { summary: 'No tag', requestBody: { content: { 'text/plain': {} } } } },
    'not-a-path': { get: { summary: 'skipped' } },
  },
  components: {
    parameters: { PetId: { name: 'petId', in: 'path', required: true, schema: { type: 'string' } } },
    requestBodies: {
      PetPatch: { content: { 'application/merge-patch+json': { schema: { $ref: '#/components/schemas/PetPatch' } } } },
    },
    schemas: {
      Kind: { type: 'string', enum: ['cat', 'dog', 'bird'] },
      Named: { type: 'object', properties: { name: { type: 'string', minLength: 1, maxLength: 40 } }, required: ['name'] },
      NewPet: {
        allOf: [
          { $ref: '#/components/schemas/Named' },
          {
            type: 'object',
            properties: {
              kind: { $ref: '#/components/schemas/Kind' },
              born: { type: 'string', format: 'date' },
              chip: { type: 'string', format: 'uuid' },
              weight: { type: 'number', exclusiveMinimum: 0 },
              legs: { type: 'integer', minimum: 2, maximum: 4 },
              indoor: { type: 'boolean', default: true },
              nickname: { type: 'string' },
              owner: { $ref: '#/components/schemas/Owner' },
              id: { type: 'string', readOnly: true },
            },
            required: ['kind', 'born', 'chip', 'weight', 'legs', 'owner', 'id'],
          },
        ],
      },
      Owner: {
        type: 'object',
        properties: {
          email: { type: 'string', format: 'email' },
          since: { type: 'string', format: 'date-time' },
          pets: { type: 'array', items: { $ref: '#/components/schemas/NewPet' } },
          site: { type: 'string', format: 'uri', example: 'https://owner.example' },
        },
        required: ['email', 'since', 'pets', 'site'],
      },
      PetPatch: { type: 'object', properties: { nickname: { type: 'string' }, indoor: { type: 'boolean' } } },
      Node: { type: 'object', properties: { value: { type: 'integer' }, next: { $ref: '#/components/schemas/Node' } }, required: ['value', 'next'] },
    },
  },
};

function op(doc: OpenApiDocument, id: string): Operation {
  const found = listOperations(doc).find((o) => o.id === id);
  if (!found) throw new Error(`no operation ${id}`);
  return found;
}

describe('reading a hand-written document', () => {
  it('knows an OpenAPI document from anything else', () => {
    expect(isOpenApiDocument(handWritten)).toBe(true);
    expect(isOpenApiDocument({ swagger: '2.0', paths: {} })).toBe(true);
    expect(isOpenApiDocument({ openapi: '3.0.0' })).toBe(false);
    expect(isOpenApiDocument({ paths: {} })).toBe(false);
    expect(isOpenApiDocument('<html>')).toBe(false);
    expect(isOpenApiDocument(null)).toBe(false);
  });

  it('lists every operation in document order, skipping what is not a path', () => {
    expect(listOperations(handWritten).map((o) => o.id)).toEqual([
      'GET /pets',
      'POST /pets',
      'GET /pets/{petId}',
      'PATCH /pets/{petId}',
      'DELETE /pets/{petId}',
      'GET /owners/{ownerId}/pets/{petId}',
      'GET /health',
      'PUT /untagged',
    ]);
    expect(listOperations({ openapi: '3.0.0' })).toEqual([]);
  });

  it('groups by the first tag in the order of the document tags, the untagged last', () => {
    const groups = groupByTag(listOperations(handWritten), handWritten.tags);
    expect(groups.map((g) => g.tag)).toEqual(['pets', 'owners', 'other']);
    expect(groups[0].operations).toHaveLength(5);
    expect(groups[2].operations.map((o) => o.id)).toEqual(['GET /health', 'PUT /untagged']);
  });

  it('labels an operation METHOD /path — summary, or METHOD /path without one', () => {
    expect(operationLabel(op(handWritten, 'GET /pets'))).toBe('GET /pets — List pets');
    expect(operationLabel(op(handWritten, 'GET /pets/{petId}'))).toBe('GET /pets/{petId}');
  });

  it('reads query parameters: enum through $ref as options, booleans as options, hints, required, initial values', () => {
    const list = op(handWritten, 'GET /pets');
    const [limit, kind, tags, vaccinated] = list.parameters;
    expect(limit).toMatchObject({ name: 'limit', in: 'query', required: false, options: null, initial: '' });
    expect(limit.hint).toBe('whole number, 1 to 100; default 20');
    expect(kind).toMatchObject({ required: true, options: ['cat', 'dog', 'bird'], initial: 'cat', description: 'which animals' });
    expect(tags.hint).toBe('a list, comma-separated, of: small, large');
    expect(vaccinated.options).toEqual(['true', 'false']);
    expect(list.otherParameters).toEqual(['x-trace (header)']);
    expect(initialValues(list)).toEqual({ 'query:limit': '', 'query:kind': 'cat', 'query:tags': '', 'query:vaccinated': '' });
  });

  it('takes path-level parameters through $ref, the operation overriding one of the same name', () => {
    expect(op(handWritten, 'GET /pets/{petId}').parameters).toEqual([
      expect.objectContaining({ name: 'petId', in: 'path', required: true, description: null }),
    ]);
    const patch = op(handWritten, 'PATCH /pets/{petId}').parameters;
    expect(patch).toHaveLength(1);
    expect(patch[0]).toMatchObject({ description: 'overridden here', hint: 'UUID' });
  });

  it('adds a path parameter the document forgot, so the route can still be filled', () => {
    const p = op(handWritten, 'GET /owners/{ownerId}/pets/{petId}').parameters;
    expect(p.map((x) => [x.name, x.in, x.required])).toEqual([
      ['ownerId', 'path', true],
      ['petId', 'path', true],
    ]);
    expect(pathParameterNames('/a/{x}/b/{y}')).toEqual(['x', 'y']);
  });

  it('reads the request body: required, its JSON media type, through a requestBodies $ref', () => {
    expect(op(handWritten, 'POST /pets').body).toEqual({
      required: true,
      contentType: 'application/json',
      schema: { $ref: '#/components/schemas/NewPet' },
    });
    expect(op(handWritten, 'PATCH /pets/{petId}').body?.contentType).toBe('application/merge-patch+json');
    expect(op(handWritten, 'PUT /untagged').body).toEqual({ required: false, contentType: 'text/plain', schema: null });
    expect(op(handWritten, 'GET /pets').body).toBeNull();
  });

  it('finds the permission in an extension, in security scopes or in the description; null when none', () => {
    expect(op(handWritten, 'GET /pets').permissions).toEqual(['pets:read']);
    expect(op(handWritten, 'GET /pets/{petId}').permissions).toEqual(['pets:read', 'owners:read']);
    expect(op(handWritten, 'POST /pets').permissions).toEqual(['pets:write']);
    expect(op(handWritten, 'PATCH /pets/{petId}').permissions).toBeNull();
    expect(requiredPermissions({ 'x-permission': 'admin.system.api' })).toEqual(['admin.system.api']);
    expect(requiredPermissions({ 'x-permissions': 'keys:read, keys:write' })).toEqual(['keys:read', 'keys:write']);
    expect(requiredPermissions({ description: 'Requires the `audit:read` permission.' })).toEqual(['audit:read']);
    expect(requiredPermissions({ description: 'Permissions: `keys:read` and `users:read`' })).toEqual(['keys:read', 'users:read']);
    expect(requiredPermissions({ description: 'Lists `things` without saying who may.' })).toBeNull();
    expect(requiredPermissions({ security: [{ apiKey: [] }] })).toBeNull();
  });

  it('knows which operations need a key: their own security, else the document default', () => {
    expect(op(handWritten, 'GET /pets').needsKey).toBe(true);
    expect(op(handWritten, 'GET /health').needsKey).toBe(false);
    expect(listOperations({ openapi: '3.0.0', paths: { '/x': { get: {} } } })[0].needsKey).toBe(false);
  });

  it('marks deprecated operations', () => {
    expect(op(handWritten, 'DELETE /pets/{petId}').deprecated).toBe(true);
    expect(op(handWritten, 'GET /pets').deprecated).toBe(false);
  });
});

describe('schemas', () => {
  it('follows $ref and merges allOf (properties and required joined)', () => {
    const merged = resolveSchema(handWritten, { $ref: '#/components/schemas/NewPet' });
    expect(Object.keys(merged.properties ?? {})).toEqual(['name', 'kind', 'born', 'chip', 'weight', 'legs', 'indoor', 'nickname', 'owner', 'id']);
    expect(merged.required).toEqual(['name', 'kind', 'born', 'chip', 'weight', 'legs', 'owner', 'id']);
  });

  it('resolves JSON-pointer escapes and answers null for a reference to nowhere', () => {
    const doc: OpenApiDocument = { openapi: '3.0.0', paths: {}, components: { schemas: { 'a/b': { type: 'string' } } } };
    expect(resolveRef(doc, '#/components/schemas/a~1b')).toEqual({ type: 'string' });
    expect(resolveRef(doc, '#/components/schemas/missing')).toBeNull();
    expect(resolveRef(doc, 'https://elsewhere/schema.json')).toBeNull();
    expect(resolveSchema(doc, { $ref: '#/components/schemas/missing' })).toEqual({});
  });

  it('ends a $ref cycle instead of looping', () => {
    const doc: OpenApiDocument = {
      openapi: '3.0.0',
      paths: {},
      components: { schemas: { A: { $ref: '#/components/schemas/B' }, B: { $ref: '#/components/schemas/A' } } },
    };
    expect(resolveSchema(doc, { $ref: '#/components/schemas/A' })).toEqual({});
    expect(exampleFor(handWritten, { $ref: '#/components/schemas/Node' })).toEqual({ value: 0, next: null });
  });

  it('tells the type, also where it is implied or a 3.1 list with null', () => {
    expect(schemaType({ type: ['string', 'null'] })).toBe('string');
    expect(schemaType({ properties: {} })).toBe('object');
    expect(schemaType({ items: { type: 'string' } })).toBe('array');
    expect(schemaType({ enum: [null, 3] })).toBe('number');
    expect(schemaType({ format: 'uuid' })).toBe('string');
    expect(schemaType({})).toBeNull();
  });
});

describe('example bodies', () => {
  it('builds the required fields, those with a default, from $ref/allOf, formats, ranges and nested objects', () => {
    expect(exampleFor(handWritten, { $ref: '#/components/schemas/NewPet' }, { now: NOW })).toEqual({
      name: 'string',
      kind: 'cat',
      born: '2026-12-23',
      chip: '3fa85f64-5717-4562-b3fc-2c963f66afa6',
      weight: 1,
      legs: 2,
      indoor: true,
      owner: {
        email: 'user@example.com',
        since: IN_A_MONTH,
        // the owner's pets are NewPets again: the cycle ends with null
        pets: [null],
        site: 'https://owner.example',
      },
      // read-only fields are never sent
    });
  });

  it('fills every writable field when asked', () => {
    const all = exampleFor(handWritten, { $ref: '#/components/schemas/NewPet' }, { fill: 'all', now: NOW }) as Record<string, unknown>;
    expect(all.nickname).toBe('string');
    expect(all).not.toHaveProperty('id');
  });

  it('shows the first field of an object of optional fields only (an edit)', () => {
    expect(exampleFor(handWritten, { $ref: '#/components/schemas/PetPatch' })).toEqual({ nickname: 'string' });
    expect(exampleFor(handWritten, { type: 'object', properties: {} })).toEqual({});
  });

  it('builds an object whose oneOf/anyOf only constrain it from its properties, with what the first branch requires', () => {
    const choice = {
      type: 'object',
      properties: { name: { type: 'string' }, permissions: { type: 'array', items: { type: 'string' } }, role: { type: 'string' } },
      required: ['name'],
      oneOf: [{ required: ['permissions'] }, { required: ['role'] }],
    };
    expect(exampleFor(handWritten, choice)).toEqual({ name: 'string', permissions: ['string'] });
    const constrained = { ...choice, oneOf: undefined, anyOf: [{ properties: { role: { enum: ['x'] } } }, { not: { required: ['role'] } }] };
    expect(exampleFor(handWritten, constrained)).toEqual({ name: 'string' });
  });

  it('prefers example, then examples, const, default, then the first enum value', () => {
    expect(exampleFor(handWritten, { type: 'string', example: 'ex', default: 'def', enum: ['a'] })).toBe('ex');
    expect(exampleFor(handWritten, { type: 'string', examples: ['first', 'second'] })).toBe('first');
    expect(exampleFor(handWritten, { const: 'fixed' })).toBe('fixed');
    expect(exampleFor(handWritten, { type: 'string', default: 'def', enum: ['a', 'def'] })).toBe('def');
    expect(exampleFor(handWritten, { type: 'string', enum: [null, 'x', 'y'] })).toBe('x');
    expect(exampleFor(handWritten, { type: 'array', items: { type: 'string' }, example: ['203.0.113.7'] })).toEqual(['203.0.113.7']);
  });

  it('returns copies, so editing an example never changes the document', () => {
    const schema: Schema = { type: 'array', example: ['a'] };
    (exampleFor(handWritten, schema) as string[]).push('b');
    expect(schema.example).toEqual(['a']);
  });

  it('builds strings by format and length', () => {
    const s = (schema: Schema) => exampleFor(handWritten, { type: 'string', ...schema }, { now: NOW });
    expect(s({ format: 'date-time' })).toBe(IN_A_MONTH);
    expect(s({ format: 'date' })).toBe('2026-12-23');
    expect(s({ format: 'uuid' })).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(s({ format: 'email' })).toBe('user@example.com');
    expect(s({ format: 'ipv4' })).toBe('203.0.113.7');
    expect(s({ format: 'ipv6' })).toBe('2001:db8::1');
    expect(s({ format: 'uri' })).toBe('https://example.com');
    expect(s({ minLength: 10 })).toBe('stringxxxx');
    expect(s({ maxLength: 3 })).toBe('str');
    expect(s({})).toBe('string');
  });

  it('puts date-times a month ahead at midnight UTC (expiries must be in the future)', () => {
    expect(exampleDateTime(new Date('2026-01-31T23:59:59Z'))).toBe('2026-03-02T00:00:00Z');
  });

  it('builds numbers inside their range', () => {
    const n = (schema: Schema) => exampleFor(handWritten, schema);
    expect(n({ type: 'integer' })).toBe(0);
    expect(n({ type: 'integer', minimum: 5 })).toBe(5);
    expect(n({ type: 'integer', maximum: -3 })).toBe(-3);
    expect(n({ type: 'integer', minimum: 0, exclusiveMinimum: true })).toBe(1);
    expect(n({ type: 'number', exclusiveMinimum: 0.5 })).toBe(1.5);
    expect(n({ type: 'integer', minimum: 1.5 })).toBe(2);
    expect(n({ type: 'number', maximum: 0.25, minimum: 0.1 })).toBe(0.1);
  });

  it('builds arrays with their minimum length, distinct enum values first', () => {
    expect(exampleFor(handWritten, { type: 'array', items: { type: 'string', enum: ['a', 'b', 'c'] }, minItems: 2 })).toEqual(['a', 'b']);
    expect(exampleFor(handWritten, { type: 'array', items: { type: 'integer' }, minItems: 3 })).toEqual([0, 0, 0]);
    expect(exampleFor(handWritten, { type: 'array', items: { $ref: '#/components/schemas/Kind' } })).toEqual(['cat']);
  });

  it('takes the first non-null choice of oneOf / anyOf', () => {
    expect(exampleFor(handWritten, { oneOf: [{ type: 'null' }, { type: 'boolean' }] })).toBe(false);
    expect(exampleFor(handWritten, { anyOf: [{ $ref: '#/components/schemas/Kind' }, { type: 'integer' }] })).toBe('cat');
  });

  it('gives null for a schema that says only that it may be null, {} for an empty one', () => {
    expect(exampleFor(handWritten, { nullable: true })).toBeNull();
    expect(exampleFor(handWritten, {})).toEqual({});
  });

  it('writes the body of an operation as pretty JSON, {} for a body without schema, nothing without a body', () => {
    expect(exampleBody(handWritten, op(handWritten, 'PATCH /pets/{petId}'))).toBe('{\n  "nickname": "string"\n}');
    expect(exampleBody(handWritten, op(handWritten, 'PUT /untagged'))).toBe('{}');
    expect(exampleBody(handWritten, op(handWritten, 'GET /pets'))).toBe('');
  });
});

describe('building the request', () => {
  const list = op(handWritten, 'GET /pets');
  const get = op(handWritten, 'GET /owners/{ownerId}/pets/{petId}');

  it('fills path parameters encoded, and the query from the values that are set', () => {
    expect(buildPathAndQuery(get.path, get.parameters, { 'path:ownerId': 'a b/c', 'path:petId': ' 42 ' })).toBe('/owners/a%20b%2Fc/pets/42');
    expect(buildPathAndQuery(list.path, list.parameters, { 'query:limit': '10', 'query:kind': 'cat', 'query:tags': 'small,large', 'query:vaccinated': '' })).toBe(
      '/pets?limit=10&kind=cat&tags=small,large',
    );
  });

  it('keeps commas and colons readable in the query but encodes the rest', () => {
    expect(buildPathAndQuery(list.path, list.parameters, { 'query:kind': 'a&b=c:d,e #' })).toBe('/pets?kind=a%26b%3Dc:d,e%20%23');
  });

  it('leaves the query off when nothing is set', () => {
    expect(buildPathAndQuery(list.path, list.parameters, {})).toBe('/pets');
  });

  it('names the path parameters left empty', () => {
    expect(missingPathParameters(get, { 'path:ownerId': 'x', 'path:petId': '  ' })).toEqual(['petId']);
    expect(missingPathParameters(get, { 'path:ownerId': 'x', 'path:petId': 'y' })).toEqual([]);
    expect(missingPathParameters(list, {})).toEqual([]);
  });

  it('describes parameters in words', () => {
    expect(parameterHint(handWritten, { type: 'string', format: 'date-time' })).toBe('date-time, ISO 8601 (2026-01-31T12:00:00Z)');
    expect(parameterHint(handWritten, { type: 'number', minimum: 1 })).toBe('number, at least 1');
    expect(parameterHint(handWritten, { type: 'string', maxLength: 100 })).toBe('text, up to 100 characters');
    expect(parameterHint(handWritten, { type: 'string' })).toBeNull();
  });
});

/* ------------------------------------------------------------------ the shapes @nestjs/swagger writes */

/*
 * A small controller shaped like Keyward's (apps/api/src/keys), documented by @nestjs/swagger
 * itself. The console compiles without legacy decorators, so the decorators are applied by
 * hand, with the `design:*` metadata TypeScript would emit (`string | null` reflects as Object).
 */
const PERMISSIONS = ['keys:read', 'keys:write'] as const;

type Ctor = new () => object;

function properties(target: Ctor, props: Record<string, { type: unknown; decorator: PropertyDecorator }>): void {
  for (const [name, { type, decorator }] of Object.entries(props)) {
    Reflect.defineMetadata('design:type', type, target.prototype, name);
    Reflect.decorate([decorator], target.prototype, name);
  }
}

function route(target: Ctor, name: string, params: { type: unknown; decorator: ParameterDecorator }[], decorators: MethodDecorator[]): void {
  const proto = target.prototype as Record<string, unknown>;
  // the explorer finds a handler's metadata by its function name
  proto[name] = { [name]: () => null }[name];
  Reflect.defineMetadata('design:paramtypes', params.map((p) => p.type), proto, name);
  Reflect.defineMetadata('design:returntype', Object, proto, name);
  params.forEach((p, i) => p.decorator(proto, name, i));
  const descriptor = Object.getOwnPropertyDescriptor(proto, name)!;
  Object.defineProperty(proto, name, Reflect.decorate(decorators, proto, name, descriptor) ?? descriptor);
}

class RateLimitDto {}
properties(RateLimitDto, {
  limit: { type: Number, decorator: ApiProperty({ minimum: 1, maximum: 1_000_000_000 }) },
  windowSeconds: { type: Number, decorator: ApiProperty({ minimum: 1, maximum: 31_536_000 }) },
});

class CreateThingDto {}
properties(CreateThingDto, {
  name: { type: String, decorator: ApiProperty({ minLength: 1, maxLength: 100 }) },
  description: { type: String, decorator: ApiPropertyOptional({ maxLength: 500 }) },
  permissions: { type: Array, decorator: ApiPropertyOptional({ enum: PERMISSIONS, isArray: true }) },
  type: { type: String, decorator: ApiPropertyOptional({ enum: ['standard', 'administration'], default: 'standard' }) },
  expiresAt: { type: String, decorator: ApiPropertyOptional({ format: 'date-time' }) },
  allowedIps: { type: Array, decorator: ApiPropertyOptional({ type: [String], example: ['203.0.113.7'] }) },
  rateLimit: { type: RateLimitDto, decorator: ApiPropertyOptional({ type: RateLimitDto }) },
  burst: { type: RateLimitDto, decorator: ApiProperty({ type: RateLimitDto }) },
});

class UpdateThingDto {}
properties(UpdateThingDto, {
  name: { type: String, decorator: ApiPropertyOptional({ minLength: 1, maxLength: 100 }) },
  // `string | null`: nestjs writes `type: 'object'` with the string keywords
  description: { type: Object, decorator: ApiPropertyOptional({ maxLength: 500, nullable: true }) },
  expiresAt: { type: Object, decorator: ApiPropertyOptional({ format: 'date-time', nullable: true }) },
  // a nullable reference: `{ nullable: true, type: 'object', allOf: [{ $ref }] }`
  rateLimit: { type: Object, decorator: ApiPropertyOptional({ type: RateLimitDto, nullable: true }) },
});

class ListThingsQueryDto {}
properties(ListThingsQueryDto, {
  limit: { type: Number, decorator: ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 }) },
  status: { type: Array, decorator: ApiPropertyOptional({ description: 'comma-separated: active,revoked', type: [String] }) },
  ownerId: { type: String, decorator: ApiPropertyOptional({ format: 'uuid' }) },
});

class ExportQueryDto {}
properties(ExportQueryDto, {
  format: { type: String, decorator: ApiProperty({ enum: ['csv', 'jsonl'] }) },
});

class ThingsController {}
route(ThingsController, 'create', [{ type: CreateThingDto, decorator: Body() }], [
  Post(),
  ApiOperation({ summary: 'Create a thing' }),
  ApiExtension('x-required-permissions', ['keys:write']),
]);
route(ThingsController, 'list', [{ type: ListThingsQueryDto, decorator: Query() }], [Get(), ApiOperation({ summary: 'List things' })]);
route(ThingsController, 'exportAll', [{ type: ExportQueryDto, decorator: Query() }], [Get('export')]);
route(
  ThingsController,
  'update',
  [
    { type: String, decorator: Param('id') },
    { type: UpdateThingDto, decorator: Body() },
  ],
  [Patch(':id')],
);
route(ThingsController, 'remove', [{ type: String, decorator: Param('id') }], [Delete(':id'), ApiSecurity('x-api-key', ['keys:write'])]);
Reflect.decorate([ApiTags('things'), ApiSecurity('x-api-key'), Controller('v1/things')], ThingsController);

class HealthController {}
route(HealthController, 'live', [], [Get('live'), ApiOperation({ summary: 'The process answers' })]);
Reflect.decorate([ApiTags('health'), Controller('health')], HealthController);

class ThingsModule {}
Reflect.decorate([Module({ controllers: [ThingsController, HealthController] })], ThingsModule);

describe('a document written by @nestjs/swagger', () => {
  let app: INestApplication;
  let doc: OpenApiDocument;

  beforeAll(async () => {
    app = await NestFactory.create(ThingsModule, { logger: false });
    const config = new DocumentBuilder().setTitle('Things').addApiKey({ type: 'apiKey', in: 'header', name: 'x-api-key' }, 'x-api-key').build();
    // through JSON, as the browser receives it
    doc = JSON.parse(JSON.stringify(SwaggerModule.createDocument(app, config))) as OpenApiDocument;
  });

  afterAll(async () => {
    await app.close();
  });

  it('is an OpenAPI document whose operations are read, grouped by tag and labelled', () => {
    expect(isOpenApiDocument(doc)).toBe(true);
    const ops = listOperations(doc);
    expect(ops.map(operationLabel)).toEqual([
      'POST /v1/things — Create a thing',
      'GET /v1/things — List things',
      'GET /v1/things/export',
      'PATCH /v1/things/{id}',
      'DELETE /v1/things/{id}',
      'GET /health/live — The process answers',
    ]);
    expect(groupByTag(ops, doc.tags).map((g) => [g.tag, g.operations.length])).toEqual([
      ['things', 5],
      ['health', 1],
    ]);
  });

  it('builds the create body from the $ref: required fields, defaults, nested required $ref; no optional extras', () => {
    expect(JSON.parse(exampleBody(doc, op(doc, 'POST /v1/things'), { now: NOW }))).toEqual({
      name: 'string',
      type: 'standard',
      burst: { limit: 1, windowSeconds: 1 },
    });
  });

  it('fills every field on request: enum arrays, date-time ahead, example lists, nested $ref', () => {
    expect(JSON.parse(exampleBody(doc, op(doc, 'POST /v1/things'), { now: NOW, fill: 'all' }))).toEqual({
      name: 'string',
      description: 'string',
      permissions: ['keys:read'],
      type: 'standard',
      expiresAt: IN_A_MONTH,
      allowedIps: ['203.0.113.7'],
      rateLimit: { limit: 1, windowSeconds: 1 },
      burst: { limit: 1, windowSeconds: 1 },
    });
  });

  it('reads `string | null` written as type object as a string, and a nullable allOf reference as the object', () => {
    const all = JSON.parse(exampleBody(doc, op(doc, 'PATCH /v1/things/{id}'), { now: NOW, fill: 'all' }));
    expect(all).toEqual({
      name: 'string',
      description: 'string',
      expiresAt: IN_A_MONTH,
      rateLimit: { limit: 1, windowSeconds: 1 },
    });
    // the edit body shows its first field
    expect(JSON.parse(exampleBody(doc, op(doc, 'PATCH /v1/things/{id}')))).toEqual({ name: 'string' });
  });

  it('reads the query parameters nestjs spreads from a query DTO', () => {
    const list = op(doc, 'GET /v1/things');
    const byName = Object.fromEntries(list.parameters.map((p) => [p.name, p]));
    expect(Object.keys(byName).sort()).toEqual(['limit', 'ownerId', 'status']);
    expect(byName.limit).toMatchObject({ in: 'query', required: false, hint: 'number, 1 to 500; default 50', initial: '' });
    expect(byName.status).toMatchObject({ description: 'comma-separated: active,revoked', hint: null });
    expect(byName.ownerId.hint).toBe('UUID');
    expect(op(doc, 'GET /v1/things/export').parameters[0]).toMatchObject({ name: 'format', required: true, options: ['csv', 'jsonl'], initial: 'csv' });
  });

  it('reads the path parameter and builds the URL', () => {
    const patch = op(doc, 'PATCH /v1/things/{id}');
    expect(patch.parameters).toEqual([expect.objectContaining({ name: 'id', in: 'path', required: true })]);
    expect(buildPathAndQuery(patch.path, patch.parameters, { 'path:id': 'abc' })).toBe('/v1/things/abc');
  });

  it('finds the permission of @ApiExtension and of @ApiSecurity scopes; none where the controller names none', () => {
    expect(op(doc, 'POST /v1/things').permissions).toEqual(['keys:write']);
    expect(op(doc, 'DELETE /v1/things/{id}').permissions).toEqual(['keys:write']);
    expect(op(doc, 'GET /v1/things').permissions).toBeNull();
  });

  it('tells keyed routes from public ones', () => {
    expect(op(doc, 'GET /v1/things').needsKey).toBe(true);
    expect(op(doc, 'GET /health/live').needsKey).toBe(false);
  });
});
