import { generateKey, keyWithChecksum } from '@keyward/auth';
import { Stack, call, startStack } from './support/stack';

/**
 * The key headers and the failed-authentication throttle (CONTRACT.md v1.1, "Authentication,
 * hardened"). TRUST_PROXY=loopback lets each scenario speak from an address of its own
 * (X-Forwarded-For), so one address's throttle never leaks into another scenario.
 */
describe('authentication, hardened: key headers and the failed-authentication throttle', () => {
  let s: Stack;
  const from = (ip: string, headers: Record<string, string> = {}) => ({ 'x-forwarded-for': ip, ...headers });
  /** A well-formed key (right shape and checksum) that nobody has. */
  const unknownKey = (i: number) => keyWithChecksum(`unknown${String(i).padStart(36, '0')}`);
  /** Keys that fail the shape or checksum test, of a few kinds. */
  const malformedKey = (i: number) => [`kw_${i}`, `${unknownKey(i).slice(0, -1)}!`, `${unknownKey(i).slice(0, -6)}000000`, 'x'][i % 4];

  const failuresFrom = async (ip: string): Promise<{ reason: string; route: string }[]> =>
    (await s.sql.query(`SELECT data FROM events WHERE type = 'AuthenticationFailed' AND data->>'ip' = $1 ORDER BY position`, [ip])).map(
      (r: { data: { reason: string; route: string } }) => r.data,
    );

  beforeAll(async () => {
    s = await startStack({ AUTH_FAILURE_LIMIT: '5', AUTH_FAILURE_WINDOW_SECONDS: '600', TRUST_PROXY: 'loopback' });
  });
  afterAll(async () => s?.close());

  describe('key headers', () => {
    it('accepts the key in api-key, and Authorization in the bearer scheme whatever its case', async () => {
      const ways: Record<string, string>[] = [
        { 'api-key': s.admin.key },
        { authorization: `bearer ${s.admin.key}` },
        { authorization: `BEARER ${s.admin.key}` },
        { authorization: `Bearer ${s.admin.key}` },
      ];
      for (const headers of ways) {
        const r = await call(s.url, 'GET', '/v1/me', { headers: from('198.51.100.1', headers) });
        expect({ status: r.status, keyId: r.body.keyId }).toEqual({ status: 200, keyId: s.admin.keyId });
      }
    });

    it('accepts the same key in several headers', async () => {
      const same = { 'x-api-key': s.admin.key, 'api-key': s.admin.key, authorization: `bearer ${s.admin.key}` };
      expect((await call(s.url, 'GET', '/v1/me', { headers: from('198.51.100.2', same) })).status).toBe(200);
      expect((await call(s.url, 'GET', '/v1/me', { key: s.admin.key, bearer: s.admin.key, headers: from('198.51.100.2') })).status).toBe(200);
    });

    it('refuses different keys in several headers (a junk one beside a valid one too) with 401 AMBIGUOUS_API_KEY, recorded as AuthenticationFailed', async () => {
      const other = generateKey().key;
      const cases: Record<string, string>[] = [
        { 'x-api-key': 'junk', authorization: `Bearer ${s.admin.key}` },
        { 'x-api-key': s.admin.key, 'api-key': other },
        { 'api-key': s.admin.key, authorization: `bearer ${other}` },
      ];
      for (const headers of cases) {
        const r = await call(s.url, 'GET', '/v1/me', { headers: from('198.51.100.3', headers) });
        expect({ status: r.status, code: r.body.code, challenge: r.headers.get('www-authenticate') }).toEqual({
          status: 401,
          code: 'AMBIGUOUS_API_KEY',
          challenge: 'Bearer',
        });
        expect(JSON.stringify(r.body)).not.toContain(s.admin.key);
      }

      await s.settleUsage();
      const recorded = await s.sql.query(`SELECT data, metadata FROM events WHERE type = 'AuthenticationFailed' AND data->>'ip' = '198.51.100.3' ORDER BY position`);
      expect(recorded.map((e: { data: { reason: string; route: string; keyId: string | null } }) => [e.data.reason, e.data.route, e.data.keyId])).toEqual([
        ['AMBIGUOUS', '/v1/me', null],
        ['AMBIGUOUS', '/v1/me', null],
        ['AMBIGUOUS', '/v1/me', null],
      ]);
      expect(JSON.stringify(recorded)).not.toContain(s.admin.key);
      expect(JSON.stringify(recorded)).not.toContain(other);
    });

    it('counts ambiguous headers as failures of the address', async () => {
      const ip = '198.51.100.4';
      for (let i = 0; i < 5; i++) {
        const r = await call(s.url, 'GET', '/v1/me', { headers: from(ip, { 'x-api-key': unknownKey(i), 'api-key': unknownKey(i + 1) }) });
        expect(r.body.code).toBe('AMBIGUOUS_API_KEY'); // always this answer, throttled or not: it names the mistake
      }
      // their counts are not awaited, but leave before the next request's count on the same connection
      const r = await call(s.url, 'GET', '/v1/me', { headers: from(ip, { 'x-api-key': unknownKey(9) }) });
      expect({ status: r.status, code: r.body.code }).toEqual({ status: 429, code: 'TOO_MANY_FAILED_AUTHENTICATIONS' });
    });
  });

  describe('the failed-authentication throttle', () => {
    const ip = '203.0.113.10';

    it('never counts malformed keys: after 200 of them an unknown key is still 401', async () => {
      for (let i = 0; i < 200; i++) {
        const r = await call(s.url, 'GET', '/v1/me', { key: malformedKey(i), headers: from(ip) });
        expect([r.status, r.body.code]).toEqual([401, 'MALFORMED_API_KEY']);
      }
      const r = await call(s.url, 'GET', '/v1/me', { key: unknownKey(1000), headers: from(ip) });
      expect({ status: r.status, code: r.body.code, challenge: r.headers.get('www-authenticate') }).toEqual({
        status: 401,
        code: 'INVALID_API_KEY',
        challenge: 'Bearer',
      });
    });

    it('answers 429 with Retry-After to the refused keys of an address over the limit', async () => {
      const answers: string[] = [];
      for (let i = 0; i < 50; i++) {
        const r = await call(s.url, 'GET', '/v1/me', { key: unknownKey(i), headers: from(ip) });
        answers.push(`${r.status} ${r.body.code}`);
      }
      // the unknown key of the test above was the first failure; limit 5
      expect(answers).toEqual([...Array(4).fill('401 INVALID_API_KEY'), ...Array(46).fill('429 TOO_MANY_FAILED_AUTHENTICATIONS')]);

      const r = await call(s.url, 'GET', '/v1/me', { key: unknownKey(4242), headers: from(ip) });
      expect({ status: r.status, code: r.body.code }).toEqual({ status: 429, code: 'TOO_MANY_FAILED_AUTHENTICATIONS' });
      const wait = Number(r.headers.get('retry-after'));
      expect(wait).toBeGreaterThan(0);
      expect(wait).toBeLessThanOrEqual(600);
      expect(JSON.stringify(r.body)).not.toContain(unknownKey(4242));
    });

    it('answers a valid key from the throttled address as usual: 200, and 403 for a permission it lacks', async () => {
      const me = await call(s.url, 'GET', '/v1/me', { key: s.admin.key, headers: from(ip) });
      expect({ status: me.status, keyId: me.body.keyId }).toEqual({ status: 200, keyId: s.admin.keyId });
      expect(me.headers.get('ratelimit-limit')).not.toBeNull();
      expect((await call(s.url, 'GET', '/v1/me', { headers: from(ip, { 'api-key': s.admin.key }) })).status).toBe(200);

      const readonly = (await call(s.url, 'POST', '/v1/keys', { key: s.admin.key, headers: from(ip), body: { name: 'behind the NAT', role: 'READONLY' } })).body;
      const refused = await call(s.url, 'POST', '/v1/keys', { key: readonly.key, headers: from(ip), body: { name: 'nope' } });
      expect({ status: refused.status, code: refused.body.code }).toEqual({ status: 403, code: 'INSUFFICIENT_PERMISSIONS' });

      // …and a key refused for another reason than being unknown is throttled like an unknown one
      await call(s.url, 'POST', `/v1/keys/${readonly.id}/revoke`, { key: s.admin.key, headers: from(ip) });
      const revoked = await call(s.url, 'GET', '/v1/me', { key: readonly.key, headers: from(ip) });
      expect({ status: revoked.status, code: revoked.body.code }).toEqual({ status: 429, code: 'TOO_MANY_FAILED_AUTHENTICATIONS' });
    });

    it('still answers a malformed key from the throttled address 401 MALFORMED_API_KEY', async () => {
      for (const key of [malformedKey(0), malformedKey(1), malformedKey(2)]) {
        const r = await call(s.url, 'GET', '/v1/me', { key, headers: from(ip) });
        expect({ status: r.status, code: r.body.code }).toEqual({ status: 401, code: 'MALFORMED_API_KEY' });
      }
    });

    it('records every refused well-formed key, throttled or not, and never a malformed one', async () => {
      await s.settleUsage();
      const reasons = (await failuresFrom(ip)).map((f) => f.reason);
      expect(reasons).toEqual([...Array(52).fill('NOT_FOUND'), 'REVOKED']);
    });

    it('throttles only that address; IPv6 by /64', async () => {
      expect((await call(s.url, 'GET', '/v1/me', { key: unknownKey(1), headers: from('203.0.113.11') })).status).toBe(401);

      for (let i = 0; i < 5; i++) await call(s.url, 'GET', '/v1/me', { key: unknownKey(i), headers: from('2001:db8:1:2::1') });
      const sameNetwork = await call(s.url, 'GET', '/v1/me', { key: unknownKey(7), headers: from('2001:db8:1:2:ffff::9') });
      expect(sameNetwork.status).toBe(429);
      expect((await call(s.url, 'GET', '/v1/me', { key: unknownKey(7), headers: from('2001:db8:1:3::1') })).status).toBe(401);
      expect((await call(s.url, 'GET', '/v1/me', { key: s.admin.key, headers: from('2001:db8:1:2::1') })).status).toBe(200);
    });

    it('counts the new outcomes in /metrics', async () => {
      const text = await (await fetch(`${s.url}/metrics`, { headers: { 'x-api-key': s.admin.key } })).text();
      expect(text).toMatch(/keyward_auth_outcomes_total\{code="AMBIGUOUS_API_KEY"\} [1-9]/);
      expect(text).toMatch(/keyward_auth_outcomes_total\{code="TOO_MANY_FAILED_AUTHENTICATIONS"\} [1-9]/);
      expect(text).toMatch(/keyward_auth_outcomes_total\{code="MALFORMED_API_KEY"\} [1-9]/);
    });
  });
});
