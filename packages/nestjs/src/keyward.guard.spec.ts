import { Controller, Get, INestApplication, Post, UseGuards } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { KeywardKey, RequirePermissions } from './decorators';
import { KeywardGuard } from './keyward.guard';
import { KeywardModule } from './keyward.module';
import { KeywardKeyInfo } from './keyward-runtime';
import { FakeKeyward, keyOf, until } from './fake-keyward.spec-helper';

const KEY = keyOf('a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T0uVw');
const OTHER = keyOf('Zyxwvutsrqponmlkjihgfedcba9876543210ABCDEFG');

@Controller('things')
@UseGuards(KeywardGuard)
class ThingsController {
  @Get()
  @RequirePermissions('things:read')
  list(@KeywardKey() key: KeywardKeyInfo) {
    return { keyId: key.keyId, roles: key.roles };
  }

  @Post()
  @RequirePermissions('things:write')
  create() {
    return {};
  }

  /** A careless handler: writes into the key it was given. */
  @Get('meddle')
  @RequirePermissions('things:read')
  meddle(@KeywardKey() key: KeywardKeyInfo) {
    const attempts = [() => (key.permissions as string[]).push('things:write'), () => Object.assign(key, { companyId: 'other' }), () => ((key.meta as any).tier = 'gold')];
    return { refused: attempts.map((attempt) => { try { attempt(); return false; } catch { return true; } }) };
  }
}

const valid: Record<string, unknown> = { valid: true, code: 'VALID', keyId: 'key-1', ownerId: 'owner-1', companyId: 'c1', name: 'k', permissions: ['things:read'], roles: ['reader'], meta: {}, externalId: null, expiresAt: null, allowedIps: null, rateLimit: { limit: 3, windowSeconds: 60 } };

describe('KeywardGuard in a Nest app, against a fake Keyward', () => {
  let keyward: FakeKeyward;
  let app: INestApplication;
  let url: string;

  beforeEach(async () => {
    keyward = await new FakeKeyward().start();
    keyward.verifyAnswer = (body) => (body.key === KEY ? valid : { valid: false, code: 'REVOKED' });
    let remaining = 3;
    keyward.quota = (_k, want) => {
      const granted = Math.min(want, remaining);
      remaining -= granted;
      return { granted, limit: 3, windowSeconds: 60, resetSeconds: 60 };
    };
    const moduleRef = await Test.createTestingModule({
      imports: [KeywardModule.forRoot({ url: keyward.url, apiKey: 'kw_service', connectTimeoutMs: 50 })],
      controllers: [ThingsController],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
  });

  afterEach(async () => {
    await app?.close();
    await keyward.stop();
  });

  const get = (headers: Record<string, string>, method = 'GET') => fetch(`${url}/things`, { method, headers });

  it('missing, malformed and ambiguous keys: 401 problems, and Keyward is never asked', async () => {
    const cases: [Record<string, string>, string][] = [
      [{}, 'MISSING_API_KEY'],
      [{ 'x-api-key': 'kw_not-a-key' }, 'MALFORMED_API_KEY'],
      [{ 'x-api-key': KEY.slice(0, -1) + (KEY.endsWith('a') ? 'b' : 'a') }, 'MALFORMED_API_KEY'],
      [{ 'x-api-key': KEY, authorization: `Bearer ${OTHER}` }, 'AMBIGUOUS_API_KEY'],
    ];
    for (const [headers, code] of cases) {
      const res = await get(headers);
      expect([res.status, res.headers.get('content-type'), res.headers.get('www-authenticate'), (await res.json()).code]).toEqual([401, 'application/problem+json; charset=utf-8', 'Bearer', code]);
    }
    expect(keyward.of('/v1/keys/verify')).toHaveLength(0);
  });

  it('a valid key: 200 with the key for the handler; a missing permission: 403; a refused key: 401', async () => {
    const ok = await get({ authorization: `bearer ${KEY}` });
    expect([ok.status, await ok.json()]).toEqual([200, { keyId: 'key-1', roles: ['reader'] }]);
    // the service's request is what Keyward's trail names, should the key be refused
    expect(keyward.of('/v1/keys/verify')[0].body).toMatchObject({ record: false, request: { method: 'GET', route: '/things' } });
    const denied = await get({ 'api-key': KEY }, 'POST');
    expect([denied.status, (await denied.json()).code]).toEqual([403, 'INSUFFICIENT_PERMISSIONS']);
    const refused = await get({ 'x-api-key': OTHER });
    expect([refused.status, (await refused.json()).code]).toEqual([401, 'INVALID_API_KEY']);
    expect(JSON.stringify(keyward.requests.filter((r) => r.path === '/v1/usage'))).not.toContain(KEY);
  });

  it('the rate limit: what Keyward grants passes, then 429 RATE_LIMITED with Retry-After', async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await get({ 'x-api-key': KEY })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const res = await get({ 'x-api-key': KEY });
    expect([res.status, res.headers.get('retry-after'), (await res.json()).code]).toEqual([429, '60', 'RATE_LIMITED']);
  });

  it('Keyward unreachable and no trusted cache: 503 KEYWARD_UNAVAILABLE, never an accept', async () => {
    await keyward.stop();
    const res = await get({ 'x-api-key': KEY });
    expect([res.status, (await res.json()).code]).toEqual([503, 'KEYWARD_UNAVAILABLE']);
  });

  it('every authenticated request is reported once, and app.close() sends what is left', async () => {
    await get({ 'x-api-key': KEY });
    await get({ 'x-api-key': KEY }, 'POST');
    await app.close();
    const records = keyward.of('/v1/usage').flatMap((r) => r.body.records);
    expect(records.map((r: any) => [r.keyId, r.method, r.route, r.status])).toEqual([
      ['key-1', 'GET', '/things', 200],
      ['key-1', 'POST', '/things', 403],
    ]);
    expect(new Set(records.map((r: any) => r.eventId)).size).toBe(2);
  });

  it('the key a handler gets is frozen: writing into it fails and cannot reach the cache or the next request', async () => {
    await until(() => keyward.streams.length === 1, 'the stream');
    keyward.send('hello', { verifierId: 'v1', leaseMs: 10_000, head: 1 });
    await until(() => keyward.of('/v1/verifiers/v1/ack').length > 0, 'the ack');
    valid.meta = { tier: 'silver' };
    const meddled = await fetch(`${url}/things/meddle`, { headers: { 'x-api-key': KEY } });
    expect([meddled.status, await meddled.json()]).toEqual([200, { refused: [true, true, true] }]);
    const denied = await get({ 'x-api-key': KEY }, 'POST');
    expect([denied.status, (await denied.json()).code]).toEqual([403, 'INSUFFICIENT_PERMISSIONS']);
    expect(keyward.of('/v1/keys/verify')).toHaveLength(1); // the cached key served both
  });

  it('an over-long user agent and request id are cut to what Keyward takes, in the verify and in the usage report (never a 503, never a dropped record)', async () => {
    const userAgent = 'a'.repeat(511) + 'b'.repeat(2000);
    const res = await fetch(`${url}/things`, { headers: { 'x-api-key': KEY, 'user-agent': userAgent, 'x-request-id': 'r'.repeat(300) } });
    expect(res.status).toBe(200);
    await app.close();
    const verified = keyward.of('/v1/keys/verify')[0].body.request;
    const [used] = keyward.of('/v1/usage').flatMap((r) => r.body.records);
    for (const sent of [verified, used]) expect([sent.userAgent, sent.requestId]).toEqual(['a'.repeat(511) + 'b', 'r'.repeat(200)]);
  });

  it('an expiry Keyward sends that does not parse counts as passed: 401, never a key without end', async () => {
    keyward.verifyAnswer = () => ({ ...valid, expiresAt: 'not a time' });
    const res = await get({ 'x-api-key': KEY });
    expect([res.status, (await res.json()).code]).toEqual([401, 'INVALID_API_KEY']);
  });

  it('with a lease, a cached key is answered without asking Keyward again', async () => {
    await until(() => keyward.streams.length === 1, 'the stream');
    keyward.send('hello', { verifierId: 'v1', leaseMs: 10_000, head: 1 });
    await until(() => keyward.of('/v1/verifiers/v1/ack').length > 0, 'the ack');
    await get({ 'x-api-key': KEY });
    await get({ 'x-api-key': KEY });
    expect(keyward.of('/v1/keys/verify')).toHaveLength(1);
    keyward.send('change', { seq: 2, keyIds: ['key-1'], ownerIds: [], wholeCompany: false });
    await until(() => keyward.of('/v1/verifiers/v1/ack').some((r) => r.body.seq === 2), 'the ack of the change');
    await get({ 'x-api-key': KEY });
    expect(keyward.of('/v1/keys/verify')).toHaveLength(2);
  });
});
