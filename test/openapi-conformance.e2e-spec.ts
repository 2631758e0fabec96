import fc from 'fast-check';
import { Stack, call, startStack } from './support/stack';

/**
 * The server against its own OpenAPI document (issue 15): for every operation, requests
 * generated from the document's schemas (bodies, query and path parameters valid by schema,
 * then one with an unknown body field and one with a non-UUID id) are sent to a running API.
 * Every answer must be a status the operation documents and never 5xx; a request valid by the
 * schema must never be refused 400 VALIDATION_FAILED (else the document is looser than the
 * server); a 2xx body must match the documented schema (required properties, types, enums).
 */
type Schema = {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  nullable?: boolean;
  items?: Schema;
  allOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  anyOf?: Schema[];
  oneOf?: Schema[];
  not?: Schema;
};
type Parameter = { name: string; in: string; required?: boolean; schema?: Schema };
type Operation = {
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
};
type Doc = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };

/** Generated requests per operation (besides the unknown-field and non-UUID ones). */
const RUNS = Number(process.env.CONFORMANCE_RUNS ?? 3);
const SEED = Number(process.env.CONFORMANCE_SEED ?? 20261205);
/** Operations that stream (server-sent events): a request would not end. */
const STREAMS = ['GET /v1/verifiers/stream'];

describe('OpenAPI conformance: generated requests against a running API', () => {
  let stack: Stack;
  let doc: Doc;
  let seed = SEED;
  /** A small deterministic PRNG (mulberry32), so a failure can be replayed with CONFORMANCE_SEED. */
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)];
  const uuid = () => crypto.randomUUID();
  /**
   * Values at the schema's limits (or past them where it sets none): every value of an
   * operation's first request, then one time in five.
   */
  let atLimits = false;
  const edge = () => atLimits || random() < 0.2;

  const resolve = (schema: Schema | undefined): Schema => {
    if (!schema) return {};
    if (schema.$ref) return resolve(doc.components.schemas[schema.$ref.replace('#/components/schemas/', '')]);
    if (schema.allOf) {
      const parts = schema.allOf.map(resolve);
      const merged: Schema = Object.assign({}, ...parts, schema);
      delete merged.allOf;
      merged.properties = Object.assign({}, ...parts.map((p) => p.properties ?? {}), schema.properties ?? {});
      merged.required = [...new Set([...parts.flatMap((p) => p.required ?? []), ...(schema.required ?? [])])];
      return merged;
    }
    return schema;
  };

  /**
   * Date-times: the document says `expiresAt` is in the future (at most 365 days ahead); the
   * others are times something happened (usage within the last 24 hours, ranges with from
   * before to), so they are generated in the past and in increasing order (at most a second
   * apart: thousands of them stay within the last day).
   */
  let past = Date.now() - 23 * 3_600_000;
  const dateTime = (name: string) =>
    new Date(name === 'expiresAt' ? Date.now() + int(1, 30) * 86_400_000 : (past += int(1, 1000))).toISOString();
  const text = (s: Schema, name: string): string => {
    const min = s.minLength ?? 0;
    // now and then at the limit, or long where the schema sets none: a limit left out shows
    const max = edge() ? (s.maxLength ?? 300) : Math.min(s.maxLength ?? min + 12, min + 12);
    if (s.format === 'ipv4') return [int(1, 223), int(0, 255), int(0, 255), int(1, 254)].join('.');
    if (s.format === 'ipv6') return `2001:db8::${int(1, 0xffff).toString(16)}`;
    if (s.format === 'x-cidr') return pick(['203.0.113.0/24', '2001:db8::/32', '10.0.0.0/8']);
    if (s.format === 'uri') return `https://example.com/hooks/${int(0, 1e6)}`;
    if (s.format === 'date-time') return dateTime(name);
    if (s.pattern) {
      const arb = fc.stringMatching(new RegExp(s.pattern)).filter((x) => x.length >= min && x.length <= (s.maxLength ?? Infinity));
      return fc.sample(arb, { numRuns: 1, seed: int(0, 2 ** 30) })[0];
    }
    if (s.format === 'uuid') return uuid();
    if (s.format === 'email') return `u${int(0, 1e9)}@example.test`;
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
    return Array.from({ length: edge() ? Math.max(min, max) : int(min, Math.max(min, max)) }, () => pick([...alphabet])).join('');
  };

  /** A value valid by the schema (optional properties left out at random). */
  const generate = (raw: Schema | undefined, name = ''): unknown => {
    let s = resolve(raw);
    if (s.nullable && random() < 0.2) return null;
    if (s.enum) return pick(s.enum.filter((v) => !s.not?.enum?.includes(v)));
    // a choice of value shapes (anyOf of formats): one of them
    if (s.anyOf && s.anyOf.some((b) => b.format)) s = { ...s, ...pick(s.anyOf), anyOf: undefined };
    switch (s.type) {
      case 'string':
        return text(s, name);
      case 'integer':
        if (edge()) return pick([s.minimum ?? -1, s.maximum ?? 2 ** 40]);
        return int(s.minimum ?? 0, Math.min(s.maximum ?? 1000, (s.minimum ?? 0) + 1000));
      case 'number':
        return (s.minimum ?? 0) + random() * (Math.min(s.maximum ?? 1000, (s.minimum ?? 0) + 1000) - (s.minimum ?? 0));
      case 'boolean':
        return random() < 0.5;
      case 'array': {
        // anyOf of array limits (e.g. "*" only alone): one branch's limits apply
        if (s.anyOf) {
          const branch = pick(s.anyOf);
          s = { ...s, ...branch, items: { ...resolve(s.items), ...(branch.items ?? {}) }, anyOf: undefined };
        }
        const n = edge() ? (s.maxItems ?? 120) : int(s.minItems ?? 0, Math.min(s.maxItems ?? 3, (s.minItems ?? 0) + 3));
        return Array.from({ length: n }, () => generate(s.items, name));
      }
      default: {
        const out: Record<string, unknown> = {};
        // anyOf / oneOf of required lists: one of them is required too (oneOf: and the others' left out)
        const branch = s.oneOf ? pick(s.oneOf) : s.anyOf ? pick(s.anyOf) : {};
        const required = [...(s.required ?? []), ...(branch.required ?? [])];
        const excluded = (s.oneOf ?? []).filter((b) => b !== branch).flatMap((b) => b.required ?? []);
        for (const [property, schema] of Object.entries(s.properties ?? {})) {
          if (excluded.includes(property)) continue;
          if (required.includes(property) || atLimits || random() < 0.5) out[property] = generate(schema, property);
        }
        // not: { required: [a, b] }: never all of them
        const exclusive = s.not?.required ?? [];
        if (exclusive.length > 0 && exclusive.every((p) => p in out)) delete out[pick(exclusive)];
        return out;
      }
    }
  };

  /**
   * Where a value departs from its schema: required properties, types, enums, lengths and
   * counts, and the combinations (anyOf, oneOf, not). Formats are not checked.
   */
  const mismatches = (value: unknown, raw: Schema | undefined, at = 'body'): string[] => {
    const s = resolve(raw);
    if (value === null) return s.nullable || (!s.type && !s.properties) ? [] : [`${at}: null, not nullable`];
    const ok = (branch: Schema) => mismatches(value, branch, at).length === 0;
    const combined = [
      ...(s.not && ok(s.not) ? [`${at}: matches what is excluded (${JSON.stringify(s.not)})`] : []),
      ...(s.anyOf && !s.anyOf.some(ok) ? [`${at}: matches none of ${JSON.stringify(s.anyOf)}`] : []),
      ...(s.oneOf && s.oneOf.filter(ok).length !== 1 ? [`${at}: matches not exactly one of ${JSON.stringify(s.oneOf)}`] : []),
    ];
    if (s.enum && !s.enum.includes(value)) return [`${at}: ${JSON.stringify(value)} not in ${JSON.stringify(s.enum)}`];
    const type = s.type ?? (s.properties || s.required ? 'object' : s.items || s.maxItems !== undefined ? 'array' : undefined);
    const actual = Array.isArray(value) ? 'array' : typeof value;
    const own = (): string[] => {
      if (type === 'integer') return Number.isInteger(value) ? [] : [`${at}: ${JSON.stringify(value)} is not an integer`];
      if (type === 'number') return actual === 'number' ? [] : [`${at}: ${actual}, not a number`];
      if (type === 'boolean') return actual === type ? [] : [`${at}: ${actual}, not a ${type}`];
      if (type === 'string') {
        if (actual !== 'string') return [`${at}: ${actual}, not a string`];
        const str = value as string;
        if (str.length < (s.minLength ?? 0) || str.length > (s.maxLength ?? Infinity)) return [`${at}: length ${str.length} outside its limits`];
        return s.pattern && !new RegExp(s.pattern).test(str) ? [`${at}: does not match ${s.pattern}`] : [];
      }
      if (type === 'array') {
        if (actual !== 'array') return [`${at}: ${actual}, not an array`];
        const list = value as unknown[];
        if (list.length < (s.minItems ?? 0) || list.length > (s.maxItems ?? Infinity)) return [`${at}: ${list.length} items, outside its limits`];
        return list.flatMap((v, i) => mismatches(v, s.items, `${at}[${i}]`));
      }
      if (type === 'object') {
        if (actual !== 'object') return [`${at}: ${actual}, not an object`];
        const record = value as Record<string, unknown>;
        return [
          ...(s.required ?? []).filter((name) => !(name in record)).map((name) => `${at}.${name}: required, missing`),
          ...Object.entries(s.properties ?? {}).flatMap(([name, p]) => (record[name] === undefined ? [] : mismatches(record[name], p, `${at}.${name}`))),
        ];
      }
      return [];
    };
    return [...own(), ...combined];
  };

  /** A value valid by the schema: generated, and drawn again while the combinations refuse it. */
  const generateValid = (schema: Schema | undefined): unknown => {
    for (let attempt = 0; attempt < 100; attempt++) {
      const value = generate(schema);
      if (mismatches(value, schema).length === 0) return value;
    }
    throw new Error(`no value valid by ${JSON.stringify(resolve(schema))} in 100 draws`);
  };

  /** A fresh key (and user) to aim each keyed request at: never the admin's own. */
  const newKey = async () => (await call(stack.url, 'POST', '/v1/keys', { key: stack.admin.key, body: { name: 'target', permissions: ['keys:read'] } })).body.id as string;
  const newUser = async () =>
    (await call(stack.url, 'POST', '/v1/users', { key: stack.admin.key, body: { email: `t${int(0, 1e9)}@example.test`, name: 'target', role: 'READONLY' } })).body.id as string;

  const pathFor = async (path: string, operation: Operation, badId = false) => {
    let out = path;
    for (const p of operation.parameters?.filter((x) => x.in === 'path') ?? []) {
      let value: string;
      if (badId && resolve(p.schema).format === 'uuid') value = 'not-a-uuid';
      else if (p.name === 'id' && path.startsWith('/v1/keys/')) value = await newKey();
      else if (p.name === 'id' && path.startsWith('/v1/users/')) value = await newUser();
      else value = String(generate(p.schema, p.name));
      out = out.replace(`{${p.name}}`, encodeURIComponent(value));
    }
    return out;
  };
  const queryFor = (operation: Operation) => {
    const q = new URLSearchParams();
    for (const p of operation.parameters?.filter((x) => x.in === 'query') ?? []) {
      // a cursor is opaque (the document: "from a previous page"): one made up is not one
      if (p.name === 'cursor') continue;
      if (!p.required && random() < 0.5) continue;
      const value = generate(p.schema, p.name);
      // arrays as the default query style (form, exploded): the name repeated, none when empty
      for (const v of Array.isArray(value) ? value : [value]) q.append(p.name, String(v));
    }
    const s = q.toString();
    return s ? `?${s}` : '';
  };

  beforeAll(async () => {
    stack = await startStack();
    doc = (await call<Doc>(stack.url, 'GET', '/docs/openapi.json')).body;
  });
  afterAll(async () => {
    await stack?.close();
  });

  const operations = (): [string, string, Operation][] =>
    Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([m, o]): [string, string, Operation] => [m.toUpperCase(), path, o]));

  test('every operation answers only documented statuses, never 5xx, and 2xx bodies match their schemas', async () => {
    const findings: string[] = [];
    let sent = 0;
    const send = async (id: string, operation: Operation, path: string, body: unknown, validBySchema: boolean, expect400: string | null) => {
      const [method] = id.split(' ');
      sent++;
      const attempt = () =>
        call(stack.url, method, path, { key: stack.admin.key, body }).then(
          (reply) => ({ reply }),
          (err: Error) => ({ err }),
        );
      // once more after a reset: generating a large body can outlast the server's keep-alive
      // timeout, and the client may then write to the connection the server is closing
      let answer = await attempt();
      if ('err' in answer && (answer.err.cause as { code?: string } | undefined)?.code === 'ECONNRESET') answer = await attempt();
      if (!('reply' in answer)) {
        const cause = (answer.err.cause as Error | undefined)?.message ?? answer.err.message;
        findings.push(`no answer (${cause}): ${id} ${path.slice(0, 200)} body of ${JSON.stringify(body ?? null).length} bytes`);
        return;
      }
      const res = answer.reply;
      const where = `${id} ${path} ${JSON.stringify(body ?? null).slice(0, 300)} -> ${res.status} ${JSON.stringify(res.body ?? null).slice(0, 300)}`;
      const documented = Object.keys(operation.responses ?? {});
      if (res.status >= 500 && !documented.includes(String(res.status))) findings.push(`5xx: ${where}`);
      else if (!documented.includes(String(res.status))) findings.push(`undocumented status: ${where}`);
      if (validBySchema && res.status === 400 && res.body?.code === 'VALIDATION_FAILED') findings.push(`valid by schema, refused: ${where}`);
      if (expect400 && res.status !== 400) findings.push(`${expect400} not refused 400: ${where}`);
      if (res.status >= 200 && res.status < 300) {
        const schema = operation.responses?.[String(res.status)]?.content?.['application/json']?.schema;
        if (schema) for (const m of mismatches(res.body, schema)) findings.push(`2xx body: ${m}: ${where}`);
      }
    };
    for (const [method, path, operation] of operations()) {
      const id = `${method} ${path}`;
      if (STREAMS.includes(id)) continue;
      const bodySchema = operation.requestBody?.content?.['application/json']?.schema;
      for (let run = 0; run < RUNS; run++) {
        atLimits = run === 0;
        const body = bodySchema ? generateValid(bodySchema) : undefined;
        await send(id, operation, (await pathFor(path, operation)) + queryFor(operation), body, true, null);
      }
      atLimits = false;
      if (bodySchema && resolve(bodySchema).additionalProperties === false) {
        const body = { ...(generateValid(bodySchema) as object), unknownField: 1 };
        await send(id, operation, await pathFor(path, operation), body, false, 'an unknown body field');
      }
      if (operation.parameters?.some((p) => p.in === 'path' && resolve(p.schema).format === 'uuid')) {
        await send(id, operation, await pathFor(path, operation, true), bodySchema ? generateValid(bodySchema) : undefined, false, 'a non-UUID id');
      }
    }
    if (process.env.CONFORMANCE_REPORT) console.log(`sent ${sent} requests over ${operations().length} operations`);
    expect(sent).toBeGreaterThan(operations().length * RUNS);
    expect(findings).toEqual([]);
  }, 120_000);
});
