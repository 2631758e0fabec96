/**
 * Reading an OpenAPI 3.x document for the playground: the operations (grouped by tag), their
 * path and query parameters, the permission they need when the document says, and an example
 * request body built from the request-body schema. Pure functions, no React.
 *
 * The document is untrusted input (another server could answer /docs/openapi.json): every
 * field is checked before use, unknown shapes are skipped, `$ref` cycles end.
 */

export interface Schema {
  $ref?: string;
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  example?: unknown;
  examples?: unknown;
  description?: string;
  nullable?: boolean;
  readOnly?: boolean;
  writeOnly?: boolean;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number | boolean;
  exclusiveMaximum?: number | boolean;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  [extension: string]: unknown;
}

export interface OpenApiDocument {
  openapi?: string;
  info?: { title?: string; version?: string; description?: string };
  paths?: Record<string, unknown>;
  tags?: { name: string; description?: string }[];
  components?: { schemas?: Record<string, Schema>; parameters?: Record<string, unknown>; requestBodies?: Record<string, unknown> };
  security?: Record<string, string[]>[];
}

export type ParamLocation = 'path' | 'query';

export interface Parameter {
  name: string;
  in: ParamLocation;
  required: boolean;
  description: string | null;
  schema: Schema;
  /** The values a select offers (the schema's enum; `true`/`false` for booleans), or null for a text input. */
  options: string[] | null;
  /** What the input takes, in words: `number, 1 to 500, default 50`, `date-time (ISO 8601)`, … */
  hint: string | null;
  /** The value the input starts with: the default of a required parameter, the first choice of a required select. */
  initial: string;
  deprecated: boolean;
}

export interface Operation {
  /** `GET /v1/keys/{id}`: the select's value and the saved requests' reference. */
  id: string;
  method: string;
  path: string;
  tag: string;
  summary: string | null;
  description: string | null;
  operationId: string | null;
  deprecated: boolean;
  parameters: Parameter[];
  /** Header and cookie parameters the playground does not fill, named so the page can say so. */
  otherParameters: string[];
  body: { required: boolean; contentType: string; schema: Schema | null } | null;
  /** The permissions the document names for this operation; null when it names none. */
  permissions: string[] | null;
  /** Whether the operation asks for a key at all (its security requirement, or the document's). */
  needsKey: boolean;
}

export interface TagGroup {
  tag: string;
  operations: Operation[];
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'] as const;
const UNTAGGED = 'other';

function isObject(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value.trim() ? value : null;
}

/** Whether the answer of /docs/openapi.json looks like an OpenAPI document at all. */
export function isOpenApiDocument(value: unknown): value is OpenApiDocument {
  return isObject(value) && isObject(value.paths) && (typeof value.openapi === 'string' || typeof value.swagger === 'string');
}

/** Follows a local `#/components/...` reference; null when it points nowhere. */
export function resolveRef(doc: OpenApiDocument, ref: string): unknown {
  if (!ref.startsWith('#/')) return null;
  let node: unknown = doc;
  for (const raw of ref.slice(2).split('/')) {
    const part = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isObject(node) || !(part in node)) return null;
    node = node[part];
  }
  return node;
}

function deref<T>(doc: OpenApiDocument, value: unknown, seen: Set<string> = new Set()): T | null {
  let node = value;
  while (isObject(node) && typeof node.$ref === 'string') {
    if (seen.has(node.$ref)) return null;
    seen.add(node.$ref);
    node = resolveRef(doc, node.$ref);
  }
  return isObject(node) ? (node as T) : null;
}

/**
 * A schema with its `$ref` followed and its `allOf` merged into one: properties and required
 * lists joined, the outer schema's own keywords (nullable, description, default) kept.
 * @nestjs/swagger writes a nullable reference as `{ nullable: true, type: 'object', allOf: [{ $ref }] }`.
 */
export function resolveSchema(doc: OpenApiDocument, schema: unknown, seen: Set<string> = new Set()): Schema {
  const own = new Set(seen);
  const base = deref<Schema>(doc, schema, own);
  if (!base) return {};
  if (!Array.isArray(base.allOf) || base.allOf.length === 0) return base;
  const { allOf, ...outer } = base;
  const merged: Schema = {};
  for (const part of allOf) {
    const resolved = resolveSchema(doc, part, own);
    mergeInto(merged, resolved);
  }
  mergeInto(merged, outer);
  return merged;
}

function mergeInto(target: Schema, source: Schema): void {
  for (const [k, v] of Object.entries(source)) {
    if (k === 'properties' && isObject(v)) {
      target.properties = { ...(target.properties ?? {}), ...(v as Record<string, Schema>) };
    } else if (k === 'required' && Array.isArray(v)) {
      target.required = [...new Set([...(target.required ?? []), ...v.filter((x): x is string => typeof x === 'string')])];
    } else if (k === 'type' && target.type !== undefined && source.type === 'object' && !source.properties) {
      // the outer `type: 'object'` nestjs adds around an allOf adds nothing to the parts
      continue;
    } else if (v !== undefined) {
      (target as Record<string, unknown>)[k] = v;
    }
  }
}

/** The first non-null type of a schema (`['string', 'null']` → `string`), inferred when absent. */
export function schemaType(schema: Schema): string | null {
  const t = Array.isArray(schema.type) ? schema.type.find((x) => x !== 'null') : schema.type;
  if (typeof t === 'string') {
    // @nestjs/swagger reflects `string | null` properties as `type: 'object'`; the string keywords tell
    if (t === 'object' && !schema.properties && !schema.additionalProperties && looksLikeString(schema)) return 'string';
    return t;
  }
  if (schema.properties || schema.additionalProperties) return 'object';
  if (schema.items) return 'array';
  if (Array.isArray(schema.enum) && schema.enum.length) {
    const first = schema.enum.find((v) => v !== null);
    return first === undefined ? null : Array.isArray(first) ? 'array' : typeof first;
  }
  if (looksLikeString(schema)) return 'string';
  return null;
}

function looksLikeString(schema: Schema): boolean {
  return typeof schema.format === 'string' || typeof schema.maxLength === 'number' || typeof schema.minLength === 'number' || typeof schema.pattern === 'string';
}

function isNullable(schema: Schema): boolean {
  return schema.nullable === true || (Array.isArray(schema.type) && schema.type.includes('null'));
}

/* ------------------------------------------------------------------ examples */

export interface ExampleOptions {
  /** `required`: required properties and those with a default; `all`: every property. */
  fill?: 'required' | 'all';
  /** The instant date-time examples are built from (a month after it), for repeatable output. */
  now?: Date;
}

const MAX_DEPTH = 8;

/** An example value for a schema: its `example`, default, first enum value, or one built from its type and format. */
export function exampleFor(doc: OpenApiDocument, schema: unknown, options: ExampleOptions = {}): unknown {
  return build(doc, schema, { fill: options.fill ?? 'required', now: options.now ?? new Date() }, new Set(), 0);
}

interface BuildContext {
  fill: 'required' | 'all';
  now: Date;
}

function build(doc: OpenApiDocument, raw: unknown, ctx: BuildContext, seen: Set<string>, depth: number): unknown {
  const refs = new Set(seen);
  if (isObject(raw) && typeof raw.$ref === 'string' && seen.has(raw.$ref)) return null; // a cycle
  if (isObject(raw) && typeof raw.$ref === 'string') refs.add(raw.$ref);
  const schema = resolveSchema(doc, raw, new Set(seen));
  collectRefs(raw, refs);

  if (schema.example !== undefined) return clone(schema.example);
  if (Array.isArray(schema.examples) && schema.examples.length) return clone(schema.examples[0]);
  if (schema.const !== undefined) return clone(schema.const);
  if (schema.default !== undefined) return clone(schema.default);
  if (Array.isArray(schema.enum) && schema.enum.length) {
    const first = schema.enum.find((v) => v !== null);
    return clone(first === undefined ? null : first);
  }
  const choices = schema.oneOf ?? schema.anyOf;
  if (Array.isArray(choices) && choices.length) {
    const pick = choices.find((c) => !(isObject(c) && c.type === 'null')) ?? choices[0];
    // beside an object's own properties, the branches only constrain it (e.g. "permissions or role"):
    // the object is built from its properties, with what the first branch requires
    if (isObject(schema.properties) && isObject(pick)) {
      const extra = Array.isArray(pick.required) ? pick.required : [];
      const required = [...(Array.isArray(schema.required) ? schema.required : []), ...extra];
      const { oneOf: _oneOf, anyOf: _anyOf, ...object } = schema;
      return build(doc, { ...object, required }, ctx, refs, depth + 1);
    }
    return build(doc, pick, ctx, refs, depth + 1);
  }
  if (depth > MAX_DEPTH) return null;

  switch (schemaType(schema)) {
    case 'object': {
      const out: Record<string, unknown> = {};
      const props = isObject(schema.properties) ? schema.properties : {};
      const required = new Set(Array.isArray(schema.required) ? schema.required : []);
      const writable = Object.entries(props).filter(([, p]) => !resolveSchema(doc, p, new Set(refs)).readOnly);
      let chosen = writable.filter(
        ([name, p]) => ctx.fill === 'all' || required.has(name) || resolveSchema(doc, p, new Set(refs)).default !== undefined,
      );
      // an object of optional fields only (an edit) shows its first field, so the shape is visible
      if (chosen.length === 0 && writable.length > 0) chosen = writable.slice(0, 1);
      for (const [name, prop] of chosen) out[name] = build(doc, prop, ctx, refs, depth + 1);
      return out;
    }
    case 'array': {
      const item = build(doc, schema.items ?? {}, ctx, refs, depth + 1);
      const count = Math.max(1, typeof schema.minItems === 'number' ? Math.min(schema.minItems, 10) : 1);
      const itemSchema = resolveSchema(doc, schema.items ?? {}, new Set(refs));
      if (Array.isArray(itemSchema.enum) && itemSchema.enum.length >= count) return clone(itemSchema.enum.slice(0, count));
      return Array.from({ length: count }, () => clone(item));
    }
    case 'string':
      return stringExample(schema, ctx.now);
    case 'integer':
      return numberExample(schema, true);
    case 'number':
      return numberExample(schema, false);
    case 'boolean':
      return false;
    case 'null':
      return null;
    default:
      return isNullable(schema) ? null : {};
  }
}

function collectRefs(raw: unknown, into: Set<string>): void {
  if (isObject(raw) && Array.isArray(raw.allOf)) {
    for (const part of raw.allOf) if (isObject(part) && typeof part.$ref === 'string') into.add(part.$ref);
  }
}

function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/** A month after `now`, at midnight UTC: a plausible future instant (expiries must be ahead). */
export function exampleDateTime(now: Date): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 30));
  return d.toISOString().replace('.000Z', 'Z');
}

const FORMAT_EXAMPLES: Record<string, string> = {
  uuid: '3fa85f64-5717-4562-b3fc-2c963f66afa6',
  email: 'user@example.com',
  uri: 'https://example.com',
  url: 'https://example.com',
  hostname: 'example.com',
  ipv4: '203.0.113.7',
  ipv6: '2001:db8::1',
  ip: '203.0.113.7',
  byte: 'c3RyaW5n',
  time: '12:00:00Z',
  duration: 'P1D',
};

function stringExample(schema: Schema, now: Date): string {
  const format = typeof schema.format === 'string' ? schema.format : '';
  if (format === 'date-time') return exampleDateTime(now);
  if (format === 'date') return exampleDateTime(now).slice(0, 10);
  let value = FORMAT_EXAMPLES[format] ?? 'string';
  if (value === 'string') {
    const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
    if (value.length < min) value = value.padEnd(min, 'x');
    if (typeof schema.maxLength === 'number' && schema.maxLength >= 1 && value.length > schema.maxLength) value = value.slice(0, schema.maxLength);
  }
  return value;
}

function numberExample(schema: Schema, integer: boolean): number {
  const min = typeof schema.minimum === 'number' ? schema.minimum : typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum : null;
  const max = typeof schema.maximum === 'number' ? schema.maximum : typeof schema.exclusiveMaximum === 'number' ? schema.exclusiveMaximum : null;
  const exclusiveMin = typeof schema.exclusiveMinimum === 'number' || schema.exclusiveMinimum === true;
  let value = min ?? (max !== null && max < 0 ? max : 0);
  if (min !== null && exclusiveMin) value = integer ? Math.floor(min) + 1 : min + 1;
  if (max !== null && value > max) value = max;
  return integer ? Math.ceil(value) : value;
}

/** The request body of an operation as pretty-printed JSON, or '' when it takes none. */
export function exampleBody(doc: OpenApiDocument, operation: Operation, options: ExampleOptions = {}): string {
  if (!operation.body || !operation.body.schema) return operation.body ? '{}' : '';
  return JSON.stringify(exampleFor(doc, operation.body.schema, options), null, 2);
}

/* ------------------------------------------------------------------ operations */

/** Every operation of the document, in document order. */
export function listOperations(doc: OpenApiDocument): Operation[] {
  const out: Operation[] = [];
  if (!isObject(doc.paths)) return out;
  const docSecurity = Array.isArray(doc.security) ? doc.security : undefined;
  for (const [path, rawItem] of Object.entries(doc.paths)) {
    const item = deref<Record<string, unknown>>(doc, rawItem);
    if (!item || !path.startsWith('/')) continue;
    const shared = Array.isArray(item.parameters) ? item.parameters : [];
    // the path item's own order: @nestjs/swagger writes the methods in controller order
    for (const method of Object.keys(item).filter((k): k is (typeof METHODS)[number] => (METHODS as readonly string[]).includes(k))) {
      const op = item[method];
      if (!isObject(op)) continue;
      out.push(readOperation(doc, method, path, op, shared, docSecurity));
    }
  }
  return out;
}

function readOperation(
  doc: OpenApiDocument,
  method: string,
  path: string,
  op: Record<string, unknown>,
  shared: unknown[],
  docSecurity: Record<string, string[]>[] | undefined,
): Operation {
  const byKey = new Map<string, Record<string, unknown>>();
  for (const raw of [...shared, ...(Array.isArray(op.parameters) ? op.parameters : [])]) {
    const p = deref<Record<string, unknown>>(doc, raw);
    if (!p || typeof p.name !== 'string' || typeof p.in !== 'string') continue;
    byKey.set(`${p.in} ${p.name}`, p); // the operation's own definition overrides the path's
  }
  const parameters: Parameter[] = [];
  const otherParameters: string[] = [];
  for (const p of byKey.values()) {
    if (p.in === 'path' || p.in === 'query') parameters.push(readParameter(doc, p));
    else otherParameters.push(`${p.name as string} (${p.in as string})`);
  }
  // a {name} in the path that the document forgot is still a parameter the route needs
  for (const name of pathParameterNames(path)) {
    if (!parameters.some((p) => p.in === 'path' && p.name === name)) {
      parameters.push(readParameter(doc, { name, in: 'path', required: true, schema: { type: 'string' } }));
    }
  }
  parameters.sort((a, b) => (a.in === b.in ? 0 : a.in === 'path' ? -1 : 1));

  const tags = Array.isArray(op.tags) ? op.tags.filter((t): t is string => typeof t === 'string' && t.length > 0) : [];
  const security = Array.isArray(op.security) ? (op.security as unknown[]) : docSecurity;
  return {
    id: `${method.toUpperCase()} ${path}`,
    method: method.toUpperCase(),
    path,
    tag: tags[0] ?? UNTAGGED,
    summary: str(op.summary),
    description: str(op.description),
    operationId: str(op.operationId),
    deprecated: op.deprecated === true,
    parameters,
    otherParameters,
    body: readBody(doc, op.requestBody),
    permissions: requiredPermissions(op),
    needsKey: Array.isArray(security) && security.some((req) => isObject(req) && Object.keys(req).length > 0),
  };
}

function readBody(doc: OpenApiDocument, raw: unknown): Operation['body'] {
  const body = deref<Record<string, unknown>>(doc, raw);
  if (!body) return null;
  const content = isObject(body.content) ? body.content : {};
  const types = Object.keys(content);
  const contentType = types.find((t) => /^application\/(.+\+)?json\b/i.test(t)) ?? types[0] ?? 'application/json';
  const media = content[contentType];
  const schema = isObject(media) && isObject(media.schema) ? (media.schema as Schema) : null;
  return { required: body.required === true, contentType, schema };
}

/** `/v1/keys/{id}/state` → `['id']`. */
export function pathParameterNames(path: string): string[] {
  return [...path.matchAll(/\{([^}/]+)\}/g)].map((m) => m[1]);
}

function readParameter(doc: OpenApiDocument, p: Record<string, unknown>): Parameter {
  const schema = resolveSchema(doc, isObject(p.schema) ? p.schema : {});
  const location = p.in as ParamLocation;
  const required = location === 'path' || p.required === true;
  const type = schemaType(schema);
  let options: string[] | null = null;
  if (Array.isArray(schema.enum) && schema.enum.length) options = schema.enum.filter((v) => v !== null).map(String);
  else if (type === 'boolean') options = ['true', 'false'];
  const initial = required && schema.default !== undefined ? String(schema.default) : required && options ? options[0] : '';
  const description = str(p.description) ?? str(schema.description);
  let hint = parameterHint(doc, schema);
  // `comma-separated: active,revoked,expired` already says what the list hint would
  if (hint && description && /comma/i.test(description)) hint = hint.replace(/^a list, comma-separated(; )?/, '') || null;
  return {
    name: p.name as string,
    in: location,
    required,
    description,
    schema,
    options,
    hint,
    initial,
    deprecated: p.deprecated === true,
  };
}

/** What a parameter takes, in words, from its schema: type, format, range, default, list values. */
export function parameterHint(doc: OpenApiDocument, schema: Schema): string | null {
  const parts: string[] = [];
  const type = schemaType(schema);
  if (type === 'array') {
    const items = resolveSchema(doc, schema.items ?? {});
    const values = Array.isArray(items.enum) ? items.enum.map(String) : null;
    parts.push(values ? `a list, comma-separated, of: ${values.join(', ')}` : 'a list, comma-separated');
  } else if (type === 'integer' || type === 'number') {
    const min = typeof schema.minimum === 'number' ? schema.minimum : null;
    const max = typeof schema.maximum === 'number' ? schema.maximum : null;
    const kind = type === 'integer' ? 'whole number' : 'number';
    parts.push(min !== null && max !== null ? `${kind}, ${min} to ${max}` : min !== null ? `${kind}, at least ${min}` : max !== null ? `${kind}, at most ${max}` : kind);
  } else if (type === 'string' && typeof schema.format === 'string') {
    const formats: Record<string, string> = {
      'date-time': 'date-time, ISO 8601 (2026-01-31T12:00:00Z)',
      date: 'date, YYYY-MM-DD',
      uuid: 'UUID',
      email: 'email address',
    };
    parts.push(formats[schema.format] ?? schema.format);
  } else if (type === 'string' && typeof schema.maxLength === 'number') {
    parts.push(`text, up to ${schema.maxLength} characters`);
  }
  if (schema.default !== undefined) parts.push(`default ${JSON.stringify(schema.default)}`);
  return parts.length ? parts.join('; ') : null;
}

const PERMISSION_EXTENSIONS = ['x-required-permissions', 'x-permissions', 'x-permission', 'x-required-permission', 'x-scopes'];

/**
 * The permissions an operation needs, when the document says: an `x-required-permissions`
 * (or `x-permissions`, `x-permission`) extension, scopes in its security requirement
 * (`@ApiSecurity('x-api-key', ['keys:read'])`), or a sentence of its description
 * (``Needs `keys:write`.``). Null when it says nothing.
 */
export function requiredPermissions(op: Record<string, unknown>): string[] | null {
  for (const name of PERMISSION_EXTENSIONS) {
    const v = op[name];
    const list = typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
    if (list.length) return [...new Set(list.flatMap((x) => x.split(/[\s,]+/)).filter(Boolean))];
  }
  if (Array.isArray(op.security)) {
    const scopes = op.security.flatMap((req) => (isObject(req) ? Object.values(req).flatMap((s) => (Array.isArray(s) ? s : [])) : []));
    const names = scopes.filter((s): s is string => typeof s === 'string' && s.length > 0);
    if (names.length) return [...new Set(names)];
  }
  const description = str(op.description);
  if (description) {
    const m = /\b(?:permissions?|requires?|needs?)\b:?\s+(?:the\s+)?(?:permissions?\s+)?((?:`[\w.:-]+`(?:\s*(?:,|and|or)\s*)?)+)/i.exec(description);
    if (m) return [...m[1].matchAll(/`([\w.:-]+)`/g)].map((x) => x[1]);
  }
  return null;
}

/** Operations grouped by their first tag; groups and operations keep the document's order. */
export function groupByTag(operations: Operation[], tagOrder: { name: string }[] = []): TagGroup[] {
  const groups = new Map<string, Operation[]>();
  for (const t of tagOrder) if (typeof t?.name === 'string') groups.set(t.name, []);
  for (const op of operations) {
    const list = groups.get(op.tag) ?? [];
    list.push(op);
    groups.set(op.tag, list);
  }
  return [...groups.entries()].filter(([, ops]) => ops.length > 0).map(([tag, ops]) => ({ tag, operations: ops }));
}

/** The option text of the endpoint select: `GET /v1/me — The calling key: …`. */
export function operationLabel(op: Operation): string {
  return op.summary ? `${op.method} ${op.path} — ${op.summary}` : `${op.method} ${op.path}`;
}

/* ------------------------------------------------------------------ building the request */

/** Encodes a query value, leaving `,` and `:` readable (both are allowed in a query, RFC 3986). */
function encodeQueryPart(value: string): string {
  return encodeURIComponent(value).replace(/%2C/gi, ',').replace(/%3A/gi, ':');
}

/**
 * `/v1/keys/{id}` + values → `/v1/keys/0b1…?limit=10`: path parameters encoded in place,
 * the query built from the parameters that have a value (lists stay comma-separated).
 */
export function buildPathAndQuery(path: string, parameters: Parameter[], values: Record<string, string>): string {
  const filled = path.replace(/\{([^}/]+)\}/g, (_, name: string) => encodeURIComponent((values[paramKey('path', name)] ?? '').trim()));
  const query = parameters
    .filter((p) => p.in === 'query')
    .map((p) => [p.name, (values[paramKey('query', p.name)] ?? '').trim()] as const)
    .filter(([, v]) => v !== '')
    .map(([name, v]) => `${encodeQueryPart(name)}=${encodeQueryPart(v)}`)
    .join('&');
  return query ? `${filled}?${query}` : filled;
}

/** The form's key for a parameter (a path and a query parameter may share a name). */
export function paramKey(location: ParamLocation, name: string): string {
  return `${location}:${name}`;
}

/** The starting values of an operation's parameter inputs. */
export function initialValues(operation: Operation): Record<string, string> {
  return Object.fromEntries(operation.parameters.map((p) => [paramKey(p.in, p.name), p.initial]));
}

/** The required path parameters left empty: a request without them would reach another route. */
export function missingPathParameters(operation: Operation, values: Record<string, string>): string[] {
  return operation.parameters.filter((p) => p.in === 'path' && !(values[paramKey('path', p.name)] ?? '').trim()).map((p) => p.name);
}
