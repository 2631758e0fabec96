import { generateKey } from '@keyward/auth';
import { Reply, Stack, call, startStack } from './support/stack';

/**
 * Bad input on every v1 route of this build: always a 4xx problem+json with a `code`, the failing
 * field named, no stack trace, and nothing appended to the log.
 * Paths use {key} (a real key made in beforeAll) and {user} (the bootstrapped admin user).
 */
interface Case {
  name: string;
  method: string;
  path: string;
  body?: unknown;
  rawBody?: string | Uint8Array;
  headers?: Record<string, string>;
  /** false: send no key; default: the admin key in x-api-key */
  auth?: false;
  status: number;
  /** a field `errors` must name */
  field?: string;
  /** what `errors` must say about `field` */
  message?: string;
  code?: string;
}

const KEY = '/v1/keys/{key}';
const USER = '/v1/users/{user}';
const UNKNOWN = '3f0c5a52-8a57-4b8e-9f55-0a4bb1b2c9d1';
const JSON_TYPE = { 'content-type': 'application/json' };
const UNSUPPORTED = 'UNSUPPORTED_MEDIA_TYPE';
const x = (n: number) => 'x'.repeat(n);
/** A path as a test's name shows it: at most 100 characters. */
const shortened = (path: string) => (path.length > 100 ? `${path.slice(0, 97)}…` : path);
const daysAhead = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();
const cursorOf = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

function wrongChecksum(): string {
  const { key } = generateKey(); // never stored: a well-formed stranger
  const last = key.endsWith('0') ? '1' : '0';
  return key.slice(0, -1) + last;
}

// --- every route, for the authentication cases -------------------------------------------------
// Mutating :id routes aim at an unknown id and carry an invalid body, so a guard that wrongly
// let a request through still could not change anything.
const ROUTES: [string, string, unknown?][] = [
  ['GET', '/v1/me'],
  ['POST', '/v1/users', { nope: 1 }],
  ['GET', '/v1/users'],
  ['GET', USER],
  ['PATCH', `/v1/users/${UNKNOWN}`, { nope: 1 }],
  ['POST', '/v1/keys', { nope: 1 }],
  ['GET', '/v1/keys'],
  ['GET', KEY],
  ['PATCH', `/v1/keys/${UNKNOWN}`, { nope: 1 }],
  ['POST', `/v1/keys/${UNKNOWN}/revoke`, { nope: 1 }],
  ['POST', `/v1/keys/${UNKNOWN}/rotate`, { nope: 1 }],
  ['DELETE', `/v1/keys/${UNKNOWN}`],
  ['POST', '/v1/keys/verify', { nope: 1 }],
];

const AUTH: { name: string; headers: Record<string, string>; code: string }[] = [
  { name: 'no key', headers: {}, code: 'MISSING_API_KEY' },
  { name: 'Authorization: Basic', headers: { authorization: 'Basic eDp5' }, code: 'MALFORMED_API_KEY' },
  { name: 'Bearer with garbage', headers: { authorization: 'Bearer !!not a key!!' }, code: 'MALFORMED_API_KEY' },
  { name: 'Bearer with nothing', headers: { authorization: 'Bearer' }, code: 'MALFORMED_API_KEY' },
  { name: 'x-api-key of 10,000 characters', headers: { 'x-api-key': 'kw_' + 'A'.repeat(9_997) }, code: 'MALFORMED_API_KEY' },
  { name: 'x-api-key of the right length, not base62', headers: { 'x-api-key': 'kw_' + '-'.repeat(49) }, code: 'MALFORMED_API_KEY' },
  { name: 'x-api-key with a wrong checksum', headers: { 'x-api-key': wrongChecksum() }, code: 'MALFORMED_API_KEY' },
  { name: 'Bearer with a wrong checksum', headers: { authorization: `Bearer ${wrongChecksum()}` }, code: 'MALFORMED_API_KEY' },
  { name: 'a well-formed key nobody has', headers: { 'x-api-key': generateKey().key }, code: 'INVALID_API_KEY' },
  { name: 'api-key with a wrong checksum', headers: { 'api-key': wrongChecksum() }, code: 'MALFORMED_API_KEY' },
  { name: 'api-key: a well-formed key nobody has', headers: { 'api-key': generateKey().key }, code: 'INVALID_API_KEY' },
  { name: 'bearer (lower case) with a wrong checksum', headers: { authorization: `bearer ${wrongChecksum()}` }, code: 'MALFORMED_API_KEY' },
  { name: 'two different keys (x-api-key, api-key)', headers: { 'x-api-key': generateKey().key, 'api-key': generateKey().key }, code: 'AMBIGUOUS_API_KEY' },
  { name: 'a junk x-api-key beside a Bearer key', headers: { 'x-api-key': 'junk', authorization: `Bearer ${generateKey().key}` }, code: 'AMBIGUOUS_API_KEY' },
];

const authCases: Case[] = ROUTES.flatMap(([method, path, body]) =>
  AUTH.map((a) => ({ name: a.name, method, path, body, headers: a.headers, auth: false as const, status: 401, code: a.code })),
);

/** JSON bodies whose bytes are not UTF-8; each would be valid JSON if they were. */
const utf8Body = (before: string, bytes: number[], after: string) => Buffer.concat([Buffer.from(before), Buffer.from(bytes), Buffer.from(after)]);
const INVALID_UTF8: [string, Uint8Array][] = [
  ['a lone continuation byte in a value', utf8Body('{"name":"k', [0x80], '"}')],
  ['Latin-1 é in a value', utf8Body('{"name":"caf', [0xe9], '"}')],
  ['a truncated sequence', utf8Body('{"name":"k', [0xe2, 0x82], '"}')],
  ['an overlong encoding of "/"', utf8Body('{"name":"', [0xc0, 0xaf], '"}')],
  ['an encoded surrogate', utf8Body('{"name":"', [0xed, 0xa0, 0x80], '"}')],
  ['0xFF in a field name', utf8Body('{"na', [0xff], 'me":"k"}')],
];

// --- every route with a body: what the HTTP layer refuses before any DTO -------------------------
const BODY_ROUTES: [string, string][] = [
  ['POST', '/v1/users'],
  ['PATCH', USER],
  ['POST', '/v1/keys'],
  ['PATCH', KEY],
  ['POST', `${KEY}/revoke`],
  ['POST', `${KEY}/rotate`],
  ['POST', '/v1/keys/verify'],
];

const bodyCases: Case[] = BODY_ROUTES.flatMap(([method, path]): Case[] => [
  { name: 'unknown field', method, path, body: { nope: 1 }, status: 400, field: 'nope', code: 'VALIDATION_FAILED' },
  { name: 'JSON array body', method, path, body: [{ name: 'k' }], status: 400, field: 'body' },
  { name: 'JSON string body', method, path, body: 'name', status: 400, field: 'body' },
  { name: 'JSON number body', method, path, body: 42, status: 400, field: 'body' },
  { name: 'JSON null body', method, path, body: null, status: 400, field: 'body' },
  { name: 'malformed JSON', method, path, rawBody: '{"name": "k",', headers: JSON_TYPE, status: 400, field: 'body', code: 'MALFORMED_JSON' },
  { name: 'text/plain body', method, path, rawBody: 'name=k', headers: { 'content-type': 'text/plain' }, status: 415, field: 'content-type', code: UNSUPPORTED },
  { name: 'form body', method, path, rawBody: 'name=k', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415, field: 'content-type', code: UNSUPPORTED },
  { name: 'unsupported charset', method, path, rawBody: '{}', headers: { 'content-type': 'application/json; charset=latin1' }, status: 415, code: UNSUPPORTED },
  { name: 'unknown content-encoding', method, path, rawBody: '{}', headers: { ...JSON_TYPE, 'content-encoding': 'x-unknown' }, status: 415, code: UNSUPPORTED },
  { name: 'body over 64kb', method, path, body: { name: 'k', description: x(70_000) }, status: 413, field: 'body', code: 'PAYLOAD_TOO_LARGE' },
  { name: 'NUL in an unknown field', method, path, body: { nope: 'a\u0000b' }, status: 400, field: 'nope' },
  // bytes that are not UTF-8 would otherwise be decoded with replacement and stored as U+FFFD
  ...INVALID_UTF8.map(([what, bytes]) => ({
    name: `invalid UTF-8 (${what})`, method, path, rawBody: bytes, headers: JSON_TYPE, status: 400, field: 'body', message: 'is not valid UTF-8', code: 'MALFORMED_JSON',
  })),
  { name: 'invalid UTF-8 with charset=utf-8', method, path, rawBody: INVALID_UTF8[0][1], headers: { 'content-type': 'application/json; charset=UTF-8' }, status: 400, field: 'body', code: 'MALFORMED_JSON' },
]);

// --- :id routes: malformed and unknown ids ------------------------------------------------------
const ID_ROUTES: [string, string, unknown?][] = [
  ['GET', '/v1/users/ID'],
  ['PATCH', '/v1/users/ID', { name: 'Renamed' }],
  ['GET', '/v1/keys/ID'],
  ['PATCH', '/v1/keys/ID', { name: 'Renamed' }],
  ['POST', '/v1/keys/ID/revoke', {}],
  ['POST', '/v1/keys/ID/rotate', {}],
  ['DELETE', '/v1/keys/ID'],
];

const idCases: Case[] = ID_ROUTES.flatMap(([method, template, body]): Case[] => [
  { name: 'non-UUID id', method, path: template.replace('ID', 'abc'), body, status: 400, field: 'id' },
  { name: 'UUID with a suffix', method, path: template.replace('ID', `${UNKNOWN}0`), body, status: 400, field: 'id' },
  { name: 'SQL in the id', method, path: template.replace('ID', "1'%20OR%20'1'='1"), body, status: 400, field: 'id' },
  { name: 'NUL as the id', method, path: template.replace('ID', '%00'), body, status: 400, field: 'id' },
  { name: 'malformed percent-encoding in the id', method, path: template.replace('ID', '%E0%A4%A'), body, status: 400 },
  // longer than Fastify's default parameter limit (100) and than 8 KB, within Node's 16 KB request head
  { name: 'an id of 12,000 characters', method, path: template.replace('ID', x(12_000)), body, status: 400, field: 'id' },
  { name: 'unknown UUID', method, path: template.replace('ID', UNKNOWN), body, status: 404, code: 'NOT_FOUND' },
]);

// --- list routes: pagination and filters --------------------------------------------------------
const LIST_ROUTES = ['/v1/users', '/v1/keys'];
const listCases: Case[] = LIST_ROUTES.flatMap((path): Case[] => [
  ...['0', '501', 'abc', '1.5', '-1', '', '1e3'].map((v) => ({
    name: `limit=${v}`, method: 'GET', path: `${path}?limit=${v}`, status: 400, field: 'limit',
  })),
  { name: 'limit given twice', method: 'GET', path: `${path}?limit=1&limit=2`, status: 400, field: 'limit' },
  { name: 'cursor of garbage', method: 'GET', path: `${path}?cursor=garbage`, status: 400, field: 'cursor' },
  { name: 'cursor of 513 characters', method: 'GET', path: `${path}?cursor=${x(513)}`, status: 400, field: 'cursor' },
  { name: 'cursor of the wrong shape', method: 'GET', path: `${path}?cursor=${cursorOf({ a: 1 })}`, status: 400, field: 'cursor' },
  { name: 'cursor with a bad date', method: 'GET', path: `${path}?cursor=${cursorOf(['1', UNKNOWN])}`, status: 400, field: 'cursor' },
  { name: 'cursor with a bad id', method: 'GET', path: `${path}?cursor=${cursorOf(['2025-01-01T00:00:00.000Z', '-'.repeat(36)])}`, status: 400, field: 'cursor' },
  { name: 'unknown query parameter', method: 'GET', path: `${path}?nope=1`, status: 400, field: 'nope' },
  { name: 'NUL in the query', method: 'GET', path: `${path}?cursor=a%00b`, status: 400, field: 'cursor' },
]);

const limits = (base: Record<string, unknown>) => [
  { name: 'rateLimit.limit 0', body: { ...base, rateLimit: { limit: 0, windowSeconds: 60 } }, field: 'rateLimit.limit' },
  { name: 'rateLimit.limit too big', body: { ...base, rateLimit: { limit: 1_000_000_001, windowSeconds: 60 } }, field: 'rateLimit.limit' },
  { name: 'rateLimit.limit fractional', body: { ...base, rateLimit: { limit: 1.5, windowSeconds: 60 } }, field: 'rateLimit.limit' },
  { name: 'rateLimit.limit as a string', body: { ...base, rateLimit: { limit: '10', windowSeconds: 60 } }, field: 'rateLimit.limit' },
  { name: 'rateLimit.windowSeconds 0', body: { ...base, rateLimit: { limit: 10, windowSeconds: 0 } }, field: 'rateLimit.windowSeconds' },
  { name: 'rateLimit.windowSeconds over a year', body: { ...base, rateLimit: { limit: 10, windowSeconds: 31_536_001 } }, field: 'rateLimit.windowSeconds' },
  { name: 'rateLimit without windowSeconds', body: { ...base, rateLimit: { limit: 10 } }, field: 'rateLimit.windowSeconds' },
  { name: 'rateLimit with an unknown field', body: { ...base, rateLimit: { limit: 10, windowSeconds: 60, burst: 5 } }, field: 'rateLimit.burst' },
  { name: 'rateLimit as a number', body: { ...base, rateLimit: 100 }, field: 'rateLimit' },
  { name: 'rateLimit as an array', body: { ...base, rateLimit: [10, 60] }, field: 'rateLimit' },
];

/** Settings shared by create and edit of a key. */
const keySettings = (base: Record<string, unknown>) => [
  { name: 'name empty', body: { ...base, name: '' }, field: 'name' },
  { name: 'name of 101 characters', body: { ...base, name: x(101) }, field: 'name' },
  { name: 'name a number', body: { ...base, name: 7 }, field: 'name' },
  { name: 'name an object', body: { ...base, name: { first: 'k' } }, field: 'name' },
  { name: 'name with NUL', body: { ...base, name: 'a\u0000b' }, field: 'name' },
  { name: 'description of 501 characters', body: { ...base, description: x(501) }, field: 'description' },
  { name: 'description a number', body: { ...base, description: 5 }, field: 'description' },
  { name: 'permissions a string', body: { ...base, permissions: 'keys:read' }, field: 'permissions' },
  { name: 'permissions an object', body: { ...base, permissions: { 0: 'keys:read' } }, field: 'permissions' },
  // a name of the right shape that the company has not defined: 422 naming the entry
  { name: 'unknown permission', body: { ...base, permissions: ['keys:read', 'keys:destroy'] }, field: 'permissions[1]', status: 422 },
  { name: 'permission not a name', body: { ...base, permissions: ['keys:read', 'Keys Destroy'] }, field: 'permissions' },
  { name: 'role unknown', body: { ...base, role: 'GOD' }, field: 'role', status: 422 },
  { name: 'roles unknown', body: { ...base, roles: ['GOD'] }, field: 'roles[0]', status: 422 },
  { name: 'role not a name', body: { ...base, role: 'G' }, field: 'role' },
  { name: 'role an array', body: { ...base, role: ['ADMIN'] }, field: 'role' },
  { name: 'role and roles both', body: { ...base, roles: ['READONLY'], role: 'READONLY' }, field: 'role' },
  { name: 'meta an array', body: { ...base, meta: ['a'] }, field: 'meta' },
  { name: 'meta over 4 KB', body: { ...base, meta: { blob: x(4100) } }, field: 'meta' },
  { name: 'externalId of 257 characters', body: { ...base, externalId: x(257) }, field: 'externalId' },
  { name: 'expiresAt in the past', body: { ...base, expiresAt: daysAhead(-1) }, field: 'expiresAt' },
  { name: 'expiresAt 366 days ahead', body: { ...base, expiresAt: daysAhead(366) }, field: 'expiresAt' },
  { name: 'expiresAt not ISO', body: { ...base, expiresAt: '01/02/2030' }, field: 'expiresAt' },
  { name: 'expiresAt with a space separator', body: { ...base, expiresAt: daysAhead(30).replace('T', ' ') }, field: 'expiresAt' },
  { name: 'expiresAt not a calendar date', body: { ...base, expiresAt: '2030-02-30T00:00:00Z' }, field: 'expiresAt' },
  { name: 'expiresAt a number', body: { ...base, expiresAt: Date.now() + 86_400_000 }, field: 'expiresAt' },
  { name: 'allowedIps a string', body: { ...base, allowedIps: '203.0.113.7' }, field: 'allowedIps' },
  { name: 'allowedIps an object', body: { ...base, allowedIps: { ip: '203.0.113.7' } }, field: 'allowedIps' },
  { name: 'allowedIps not an address', body: { ...base, allowedIps: ['localhost'] }, field: 'allowedIps[0]' },
  { name: 'allowedIps bad IPv4', body: { ...base, allowedIps: ['203.0.113.7', '300.1.1.1'] }, field: 'allowedIps[1]' },
  { name: 'allowedIps CIDR /33', body: { ...base, allowedIps: ['10.0.0.0/33'] }, field: 'allowedIps[0]' },
  { name: 'allowedIps IPv6 CIDR /129', body: { ...base, allowedIps: ['2001:db8::/129'] }, field: 'allowedIps[0]' },
  { name: 'allowedIps CIDR without bits', body: { ...base, allowedIps: ['10.0.0.0/'] }, field: 'allowedIps[0]' },
  { name: 'allowedIps bad IPv6', body: { ...base, allowedIps: ['2001:db8:::1'] }, field: 'allowedIps[0]' },
  { name: 'allowedIps entry a number', body: { ...base, allowedIps: [167772160] }, field: 'allowedIps' },
  { name: 'allowedIps entry with NUL', body: { ...base, allowedIps: ['10.0.0.1\u0000'] }, field: 'allowedIps[0]' },
  { name: 'allowedIps of 101 entries', body: { ...base, allowedIps: Array.from({ length: 101 }, (_, i) => `10.0.0.${i}`) }, field: 'allowedIps' },
  ...limits(base),
];

type BodyCase = { name: string; body: unknown; field?: string; message?: string; status?: number; code?: string; rawBody?: string };
const on = (method: string, path: string, list: BodyCase[]): Case[] =>
  list.map((c) => ({
    ...c,
    method,
    path,
    status: c.status ?? 400,
    ...(c.rawBody !== undefined ? { headers: JSON_TYPE } : {}),
  }));

const validUser = { email: 'new@acme.test', name: 'New', role: 'READONLY' };
const fieldCases: Case[] = [
  { name: 'NUL in a query value', method: 'GET', path: '/v1/me?x=a%00b', status: 400, field: 'x' },
  ...on('POST', '/v1/users', [
    { name: 'empty object', body: {}, field: 'email', message: 'is required' },
    { name: 'email missing', body: { name: 'New', role: 'READONLY' }, field: 'email', message: 'is required' },
    { name: 'name missing', body: { email: 'new@acme.test', role: 'READONLY' }, field: 'name', message: 'is required' },
    { name: 'email a number', body: { ...validUser, email: 123 }, field: 'email' },
    { name: 'email an array', body: { ...validUser, email: ['new@acme.test'] }, field: 'email' },
    { name: 'email not an address', body: { ...validUser, email: 'not-an-email' }, field: 'email' },
    { name: 'email over 254 characters', body: { ...validUser, email: `${'a'.repeat(60)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.test` }, field: 'email' },
    { name: 'email with NUL', body: { ...validUser, email: 'new\u0000@acme.test' }, field: 'email' },
    { name: 'name empty', body: { ...validUser, name: '' }, field: 'name' },
    { name: 'name of 101 characters', body: { ...validUser, name: x(101) }, field: 'name' },
    { name: 'name an object', body: { ...validUser, name: { first: 'New' } }, field: 'name' },
    { name: 'role unknown', body: { ...validUser, role: 'GOD' }, field: 'role' },
    { name: 'role lower-case', body: { ...validUser, role: 'admin' }, field: 'role' },
    { name: 'permissions unknown', body: { email: 'new@acme.test', name: 'New', permissions: ['keys:destroy'] }, field: 'permissions' },
    { name: 'permissions a string', body: { email: 'new@acme.test', name: 'New', permissions: 'keys:read' }, field: 'permissions' },
    { name: 'neither permissions nor role', body: { email: 'new@acme.test', name: 'New' }, field: 'permissions' },
    { name: 'permissions and role both', body: { ...validUser, permissions: ['keys:read'] }, field: 'role' },
    { name: 'disabled a string', body: { ...validUser, disabled: 'yes' }, field: 'disabled' },
    { name: 'e-mail already taken (any case)', body: { ...validUser, email: 'ADMIN@acme.test' }, status: 409, field: 'email' },
  ]),
  ...on('PATCH', USER, [
    { name: 'name empty', body: { name: '' }, field: 'name' },
    { name: 'name of 101 characters', body: { name: x(101) }, field: 'name' },
    { name: 'name a number', body: { name: 5 }, field: 'name' },
    { name: 'role unknown', body: { role: 'GOD' }, field: 'role' },
    { name: 'permissions unknown', body: { permissions: ['root'] }, field: 'permissions' },
    { name: 'permissions an object', body: { permissions: { 'keys:read': true } }, field: 'permissions' },
    { name: 'permissions and role both', body: { permissions: ['keys:read'], role: 'READONLY' }, field: 'role' },
    { name: 'disabled a string', body: { disabled: 'false' }, field: 'disabled' },
    { name: 'disabled a number', body: { disabled: 0 }, field: 'disabled' },
    { name: 'email is not editable', body: { email: 'other@acme.test' }, field: 'email' },
    { name: 'name with NUL', body: { name: 'a\u0000b' }, field: 'name' },
  ]),
  ...on('POST', '/v1/keys', [
    { name: 'empty object', body: {}, field: 'name', message: 'is required' },
    { name: 'name missing', body: { description: 'd' }, field: 'name', message: 'is required' },
    { name: 'rateLimit without its fields', body: { name: 'k', rateLimit: {} }, field: 'rateLimit.limit', message: 'is required' },
    { name: 'name a number: the type is named, not the length', body: { name: 7 }, field: 'name', message: 'must be a string' },
    ...keySettings({ name: 'k' }),
    { name: 'type unknown', body: { name: 'k', type: 'super' }, field: 'type' },
    { name: 'type upper-case', body: { name: 'k', type: 'STANDARD' }, field: 'type' },
    { name: 'administration key with permissions', body: { name: 'k', type: 'administration', permissions: ['keys:read'] }, field: 'permissions' },
    { name: 'allowedIps in octal notation', body: { name: 'k', allowedIps: ['010.1.1.1'] }, field: 'allowedIps[0]' },
    { name: 'allowedIps of three parts', body: { name: 'k', allowedIps: ['10.1.1'] }, field: 'allowedIps[0]' },
    { name: 'ownerId not a UUID', body: { name: 'k', ownerId: 'me' }, field: 'ownerId' },
    { name: 'ownerId unknown', body: { name: 'k', ownerId: UNKNOWN }, status: 404, field: 'ownerId' },
    { name: '__proto__ field', body: undefined, rawBody: '{"name":"k","__proto__":{"type":"administration"}}' },
    { name: 'constructor field', body: { name: 'k', constructor: { name: 'x' } }, field: 'constructor' },
  ]),
  ...on('PATCH', KEY, [
    ...keySettings({}),
    { name: 'type is not editable', body: { type: 'administration' }, field: 'type' },
    { name: 'ownerId is not editable', body: { ownerId: UNKNOWN }, field: 'ownerId' },
    { name: 'status is not editable', body: { status: 'revoked' }, field: 'status' },
  ]),
  ...on('POST', `${KEY}/revoke`, [
    { name: 'reason a number', body: { reason: 123 }, field: 'reason' },
    { name: 'reason an array', body: { reason: ['leaked'] }, field: 'reason' },
    { name: 'reason of 501 characters', body: { reason: x(501) }, field: 'reason' },
    { name: 'reason with NUL', body: { reason: 'leaked\u0000' }, field: 'reason' },
  ]),
  ...on('POST', `${KEY}/rotate`, [
    { name: 'gracePeriodSeconds -1', body: { gracePeriodSeconds: -1 }, field: 'gracePeriodSeconds' },
    { name: 'gracePeriodSeconds 604801', body: { gracePeriodSeconds: 604_801 }, field: 'gracePeriodSeconds' },
    { name: 'gracePeriodSeconds fractional', body: { gracePeriodSeconds: 1.5 }, field: 'gracePeriodSeconds' },
    { name: 'gracePeriodSeconds a string', body: { gracePeriodSeconds: '60' }, field: 'gracePeriodSeconds' },
    { name: 'gracePeriodSeconds a boolean', body: { gracePeriodSeconds: true }, field: 'gracePeriodSeconds' },
    { name: 'gracePeriodSeconds an object', body: { gracePeriodSeconds: { seconds: 60 } }, field: 'gracePeriodSeconds' },
  ]),
  ...on('POST', '/v1/keys/verify', [
    { name: 'key missing', body: {}, field: 'key', message: 'is required' },
    { name: 'key missing, permissions given', body: { permissions: ['keys:read'] }, field: 'key', message: 'is required' },
    { name: 'key null', body: { key: null }, field: 'key', message: 'must be a string' },
    { name: 'key a number', body: { key: 123 }, field: 'key', message: 'must be a string' },
    { name: 'key an array', body: { key: ['kw_'] }, field: 'key', message: 'must be a string' },
    { name: 'key of 257 characters', body: { key: x(257) }, field: 'key' },
    { name: 'key with NUL', body: { key: 'abc\u0000' }, field: 'key' },
    { name: 'permissions a string', body: { key: 'abc', permissions: 'keys:read' }, field: 'permissions' },
    { name: 'permissions not names', body: { key: 'abc', permissions: ['keys destroy'] }, field: 'permissions' },
  ]),
  ...[
    'status=bogus',
    'status=active,bogus',
    'status=ACTIVE',
    'status=',
    'ownerId=abc',
    `q=${x(101)}`,
    'q=a%00b',
  ].map((query) => ({
    name: query.length > 40 ? `${query.slice(0, 2)}<101 characters>` : query,
    method: 'GET',
    path: `/v1/keys?${query}`,
    status: 400,
    field: query.split('=')[0],
  })),
  { name: 'DELETE with a text/plain body', method: 'DELETE', path: KEY, rawBody: 'please', headers: { 'content-type': 'text/plain' }, status: 415, field: 'content-type', code: UNSUPPORTED },
  { name: 'DELETE with malformed JSON', method: 'DELETE', path: KEY, rawBody: '{', headers: JSON_TYPE, status: 400, field: 'body' },
];

const CASES: Case[] = [...authCases, ...bodyCases, ...idCases, ...listCases, ...fieldCases];

/** What a failure prints: never headers, never anything shaped like a key. */
const redact = (text: string) => text.replace(/kw_[0-9A-Za-z]*/g, 'kw_<redacted>');

describe('bad input is refused cleanly on every route', () => {
  let stack: Stack;
  let keyId: string;
  let keyBefore: unknown;
  let userBefore: unknown;

  const resolve = (path: string) => path.replace('{key}', keyId).replace('{user}', stack.admin.userId);

  beforeAll(async () => {
    stack = await startStack({ AUTH_FAILURE_LIMIT: '1000000' }); // this suite fails authentication on purpose, often
    const created = await call(stack.url, 'POST', '/v1/keys', {
      key: stack.admin.key,
      body: { name: 'target', permissions: ['keys:read'], allowedIps: ['10.0.0.0/8'], rateLimit: { limit: 10, windowSeconds: 60 } },
    });
    expect(created.status).toBe(201);
    keyId = created.body.id;
    keyBefore = (await call(stack.url, 'GET', `/v1/keys/${keyId}`, { key: stack.admin.key })).body;
    userBefore = (await call(stack.url, 'GET', `/v1/users/${stack.admin.userId}`, { key: stack.admin.key })).body;
  });

  afterAll(async () => {
    await stack?.close();
  });

  test.each(CASES.map((c) => [`${c.method} ${shortened(c.path.split('?')[0])} — ${c.name}`, c] as const))('%s', async (_label, c) => {
    const before = await stack.eventCount();
    const res: Reply = await call(stack.url, c.method, resolve(c.path), {
      key: c.auth === false ? undefined : stack.admin.key,
      body: c.body,
      rawBody: c.rawBody,
      headers: c.headers,
    });
    const text = typeof res.body === 'string' ? res.body : JSON.stringify(res.body ?? '');
    const body = (typeof res.body === 'object' && res.body !== null ? res.body : {}) as Record<string, any>;
    const observed = {
      status: res.status,
      contentType: res.headers.get('content-type')?.split(';')[0],
      bodyStatus: body.status,
      code: typeof body.code === 'string' && body.code.length > 0 ? (c.code ? body.code : 'any') : body.code,
      shape: ['type', 'title', 'detail'].every((k) => typeof body[k] === 'string'),
      fields: Array.isArray(body.errors) ? body.errors.map((e: { field: unknown }) => e.field) : [],
      message: c.message === undefined || !Array.isArray(body.errors) ? undefined : body.errors.find((e: { field: unknown }) => e.field === c.field)?.message,
      stackTrace: text.includes('    at ') || text.includes('.ts:'),
      wwwAuthenticate: res.status === 401 ? res.headers.get('www-authenticate') : null,
      events: await stack.eventCount(),
      // every answer names its request, those Fastify gives before routing included
      requestId: res.headers.get('x-request-id'),
      detail: redact(String(body.detail ?? text).slice(0, 300)),
    };
    expect(observed).toMatchObject({
      status: c.status,
      contentType: 'application/problem+json',
      bodyStatus: c.status,
      code: c.code ?? 'any',
      shape: true,
      fields: c.field ? expect.arrayContaining([c.field]) : expect.any(Array),
      message: c.message,
      stackTrace: false,
      wwwAuthenticate: c.status === 401 ? 'Bearer' : null,
      events: before,
      requestId: expect.stringMatching(/^\S+$/),
      detail: expect.any(String), // printed on failure, redacted
    });
  });

  test('the key and the user used above are exactly as they were', async () => {
    const key = await call(stack.url, 'GET', `/v1/keys/${keyId}`, { key: stack.admin.key });
    const user = await call(stack.url, 'GET', `/v1/users/${stack.admin.userId}`, { key: stack.admin.key });
    const safe = (v: unknown) => JSON.parse(redact(JSON.stringify(v))); // `start` begins with kw_
    expect(safe(key.body)).toEqual(safe(keyBefore));
    expect(user.body).toEqual(userBefore);
    const listed = await call(stack.url, 'GET', '/v1/keys?limit=500', { key: stack.admin.key });
    expect(listed.body.items.map((k: { id: string }) => k.id).sort()).toEqual([stack.admin.keyId, keyId].sort()); // nothing created
  });
});

describe('valid UTF-8 is taken byte for byte', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack?.close());

  it('accepts multi-byte characters (2, 3 and 4 bytes) and a byte-order mark, and stores exactly them', async () => {
    const name = 'café ✓ 𝄞';
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify({ name }), 'utf8')]);
    const created = await call(stack.url, 'POST', '/v1/keys', { key: stack.admin.key, rawBody: bytes, headers: JSON_TYPE });
    expect(created.status).toBe(201);
    const got = await call(stack.url, 'GET', `/v1/keys/${created.body.id}`, { key: stack.admin.key });
    expect(got.body.name).toBe(name);
  });
});
