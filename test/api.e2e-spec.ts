import { CommandBus } from '@nestjs/cqrs';
import { generateKey } from '@keyward/auth';
import { Projector } from '@keyward/event-store';
import { BootstrapCommand, BootstrapResult } from '@keyward/keys';
import { Stack, call, startStack } from './support/stack';

/** Rows of the read models in a stable order, for comparing a rebuild with the live projection. */
async function snapshot(stack: Stack) {
  return {
    companies: await stack.sql.query('SELECT * FROM companies ORDER BY id'),
    users: await stack.sql.query('SELECT * FROM users ORDER BY id'),
    keys: await stack.sql.query('SELECT * FROM api_keys ORDER BY id'),
  };
}

describe('API (one API and one worker, real Postgres and Redis)', () => {
  let s: Stack;
  let admin: string;
  const api = (method: string, path: string, options: Parameters<typeof call>[3] = {}) => call(s.url, method, path, { key: admin, ...options });

  beforeAll(async () => {
    s = await startStack();
    admin = s.admin.key;
  });
  afterAll(async () => s?.close());

  describe('GET /v1/me', () => {
    it('answers the same under x-api-key and Authorization: Bearer', async () => {
      const a = await call(s.url, 'GET', '/v1/me', { key: admin });
      const b = await call(s.url, 'GET', '/v1/me', { bearer: admin });
      expect(a.status).toBe(200);
      expect(b.body).toEqual(a.body);
      expect(a.body).toMatchObject({ keyId: s.admin.keyId, ownerId: s.admin.userId, companyId: s.admin.companyId, expiresAt: null });
      expect(a.body.permissions).toContain('admin.system.api');
      expect(a.body.rateLimit).toEqual({ limit: 1000, windowSeconds: 3600 });
      expect(a.body.allowedIps).toEqual([]);
      expect(a.headers.get('x-request-id')).toBeTruthy();
    });

    it('echoes a sane X-Request-Id and answers a request without one, or with one that is not sane, with a new one', async () => {
      const given = await call(s.url, 'GET', '/v1/me', { key: admin, headers: { 'x-request-id': 'trace-42.a_b' } });
      expect(given.headers.get('x-request-id')).toBe('trace-42.a_b');
      const insane = await call(s.url, 'GET', '/v1/me', { key: admin, headers: { 'x-request-id': 'not sane!' } });
      const none = await call(s.url, 'GET', '/health/live');
      for (const reply of [insane, none]) expect(reply.headers.get('x-request-id')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(insane.headers.get('x-request-id')).not.toBe(none.headers.get('x-request-id'));
    });

    it.each<[string, { key?: string }, string]>([
      ['no key', {}, 'MISSING_API_KEY'],
      ['a malformed key', { key: 'kw_nope' }, 'MALFORMED_API_KEY'],
      ['an unknown well-formed key', { key: 'unknown' }, 'INVALID_API_KEY'],
    ])('refuses %s with 401, WWW-Authenticate and a problem body', async (_name, auth, code) => {
      const opts = auth.key === 'unknown' ? { key: unknownKey() } : auth;
      const r = await call(s.url, 'GET', '/v1/me', opts);
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toBe('Bearer');
      expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(r.body).toMatchObject({ status: 401, code });
    });
  });

  describe('keys', () => {
    it('creates a key shown once, lists it without the secret, and filters', async () => {
      const created = await api('POST', '/v1/keys', { body: { name: 'reporting', role: 'READONLY', description: 'read only' } });
      expect(created.status).toBe(201);
      expect(created.headers.get('cache-control')).toBe('no-store'); // it shows the key: no cache keeps it
      expect(created.body.key).toMatch(/^kw_[0-9A-Za-z]{49}$/);
      expect(created.body).toMatchObject({ name: 'reporting', status: 'active', type: 'standard', start: created.body.key.slice(0, 10), lastUsedAt: null });
      expect(created.body.permissions).toEqual(['audit:read', 'keys:read', 'users:read']);

      const me = await call(s.url, 'GET', '/v1/me', { key: created.body.key });
      expect(me.status).toBe(200);
      expect(me.body.permissions).toEqual(['audit:read', 'keys:read', 'users:read']);

      const got = await api('GET', `/v1/keys/${created.body.id}`);
      expect(got.status).toBe(200);
      expect(got.body.key).toBeUndefined();
      expect(JSON.stringify(got.body)).not.toContain(created.body.key);

      const listed = await api('GET', '/v1/keys?q=report&status=active');
      expect(listed.body.items.map((k: { id: string }) => k.id)).toEqual([created.body.id]);
      const none = await api('GET', '/v1/keys?q=report&status=revoked');
      expect(none.body.items).toEqual([]);
    });

    it('pages through keys with an opaque cursor, newest first, no repeats', async () => {
      for (let i = 0; i < 5; i++) await api('POST', '/v1/keys', { body: { name: `page-${i}` } });
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const r: { body: { items: { name: string }[]; nextCursor: string | null } } = await api(
          'GET',
          `/v1/keys?q=page-&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        );
        seen.push(...r.body.items.map((k) => k.name));
        cursor = r.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual(['page-4', 'page-3', 'page-2', 'page-1', 'page-0']);
    });

    it('enforces permissions: 403 without the route permission, and no granting beyond your own', async () => {
      const ro = await api('POST', '/v1/keys', { body: { name: 'ro', role: 'READONLY' } });
      const write = await call(s.url, 'POST', '/v1/keys', { key: ro.body.key, body: { name: 'x' } });
      expect(write.status).toBe(403);
      expect(write.body.code).toBe('INSUFFICIENT_PERMISSIONS');

      const writer = await api('POST', '/v1/keys', { body: { name: 'writer', permissions: ['keys:write'] } });
      const escalate = await call(s.url, 'POST', '/v1/keys', { key: writer.body.key, body: { name: 'esc', role: 'ADMIN' } });
      expect(escalate.status).toBe(403);
      expect(escalate.body.errors[0].field).toBe('role');
      const fine = await call(s.url, 'POST', '/v1/keys', { key: writer.body.key, body: { name: 'ok', permissions: ['keys:write'] } });
      expect(fine.status).toBe(201);
    });

    it('takes effective permissions as key ∩ owner now', async () => {
      const user = await api('POST', '/v1/users', { body: { email: 'narrow@acme.test', name: 'Narrow', permissions: ['keys:read', 'keys:write'] } });
      expect(user.status).toBe(201);
      const key = await api('POST', '/v1/keys', { body: { name: 'for narrow', permissions: ['keys:read', 'users:read'], ownerId: user.body.id } });
      expect(key.status).toBe(201);
      expect((await call(s.url, 'GET', '/v1/me', { key: key.body.key })).body.permissions).toEqual(['keys:read']);

      await api('PATCH', `/v1/users/${user.body.id}`, { body: { permissions: ['users:read'] } });
      expect((await call(s.url, 'GET', '/v1/me', { key: key.body.key })).body.permissions).toEqual(['users:read']);

      await api('PATCH', `/v1/users/${user.body.id}`, { body: { disabled: true } });
      expect((await call(s.url, 'GET', '/v1/me', { key: key.body.key })).status).toBe(401);
    });

    it('edits, revokes (409 the second time), rotates with grace and deletes', async () => {
      const k = await api('POST', '/v1/keys', { body: { name: 'life', permissions: ['keys:read'] } });
      const patched = await api('PATCH', `/v1/keys/${k.body.id}`, {
        body: { name: 'life-2', allowedIps: ['127.0.0.1', '::1'], rateLimit: { limit: 10, windowSeconds: 60 } },
      });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ name: 'life-2', allowedIps: ['127.0.0.1', '::1'], rateLimit: { limit: 10, windowSeconds: 60 } });
      expect((await call(s.url, 'GET', '/v1/me', { key: k.body.key })).body.rateLimit).toEqual({ limit: 10, windowSeconds: 60 });

      const rotated = await api('POST', `/v1/keys/${k.body.id}/rotate`, { body: { gracePeriodSeconds: 3600 } });
      expect(rotated.status).toBe(201);
      expect(rotated.headers.get('cache-control')).toBe('no-store'); // it shows the new key
      expect(rotated.body).toMatchObject({ name: 'life-2', rotatedFrom: k.body.id, permissions: ['keys:read'] });
      expect((await call(s.url, 'GET', '/v1/me', { key: k.body.key })).status).toBe(200); // grace
      expect((await call(s.url, 'GET', '/v1/me', { key: rotated.body.key })).status).toBe(200);
      const old = await api('GET', `/v1/keys/${k.body.id}`);
      expect(old.body).toMatchObject({ replacedBy: rotated.body.id, status: 'active' });
      expect(Date.parse(old.body.graceEndsAt)).toBeGreaterThan(Date.now());
      expect((await api('POST', `/v1/keys/${k.body.id}/rotate`, { body: {} })).body.code).toBe('KEY_ALREADY_ROTATED');

      const revoked = await api('POST', `/v1/keys/${k.body.id}/revoke`, { body: { reason: 'leaked' } });
      expect(revoked.status).toBe(200);
      expect(revoked.body.status).toBe('revoked');
      expect((await call(s.url, 'GET', '/v1/me', { key: k.body.key })).status).toBe(401);
      const again = await api('POST', `/v1/keys/${k.body.id}/revoke`);
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('KEY_ALREADY_REVOKED');

      expect((await api('DELETE', `/v1/keys/${rotated.body.id}`)).status).toBe(204);
      expect((await call(s.url, 'GET', '/v1/me', { key: rotated.body.key })).status).toBe(401);
      expect((await api('GET', `/v1/keys/${rotated.body.id}`)).status).toBe(404);
      expect((await api('DELETE', `/v1/keys/${rotated.body.id}`)).status).toBe(404);
    });

    it('refuses a key from its expiry instant on, whatever the workers do', async () => {
      const expiresAt = new Date(Date.now() + 1500).toISOString();
      const k = await api('POST', '/v1/keys', { body: { name: 'short', expiresAt } });
      expect(k.status).toBe(201);
      expect((await call(s.url, 'GET', '/v1/me', { key: k.body.key })).status).toBe(200);
      await new Promise((r) => setTimeout(r, Date.parse(expiresAt) - Date.now() + 20));
      expect((await call(s.url, 'GET', '/v1/me', { key: k.body.key })).status).toBe(401);
      expect((await api('GET', `/v1/keys/${k.body.id}`)).body.status).toBe('expired');
      expect((await api('GET', '/v1/keys?status=expired&q=short')).body.items).toHaveLength(1);
    });

    it('refuses a key from an address it does not allow', async () => {
      const k = await api('POST', '/v1/keys', { body: { name: 'elsewhere', allowedIps: ['203.0.113.0/24'] } });
      expect((await call(s.url, 'GET', '/v1/me', { key: k.body.key })).status).toBe(401);
      const v = await api('POST', '/v1/keys/verify', { body: { key: k.body.key } });
      expect(v.body).toEqual({ valid: false, code: 'FORBIDDEN', ip: '127.0.0.1' });
    });
  });

  describe('what a key may do to other keys and users', () => {
    const create = (key: string, body: unknown) => call(s.url, 'POST', '/v1/keys', { key, body });

    it('cannot rotate a key that can do more than it (the admin key), nor mint an administration key beyond it', async () => {
      const writer = (await create(admin, { name: 'writer-only', permissions: ['keys:write'] })).body;
      const rotate = await call(s.url, 'POST', `/v1/keys/${s.admin.keyId}/rotate`, { key: writer.key, body: { gracePeriodSeconds: 604800 } });
      expect(rotate.status).toBe(403);
      expect(rotate.body.code).toBe('INSUFFICIENT_PERMISSIONS');
      expect((await call(s.url, 'GET', '/v1/me', { key: admin })).status).toBe(200); // untouched

      const half = (await create(admin, { name: 'half-admin', permissions: ['keys:write', 'admin.system.api'] })).body;
      const mint = await create(half.key, { name: 'full', type: 'administration' });
      expect(mint.status).toBe(403);
      expect(mint.body.errors[0].field).toBe('type');
    });

    it("needs users:write to touch another user's keys", async () => {
      const other = (await call(s.url, 'POST', '/v1/users', { key: admin, body: { email: 'other@acme.test', name: 'Other', role: 'ADMIN' } })).body;
      const theirs = (await create(admin, { name: 'theirs', permissions: ['keys:read'], ownerId: other.id })).body;
      const mine = (await create(admin, { name: 'mine', permissions: ['keys:read', 'keys:write'] })).body;
      for (const [method, path, body] of [
        ['PATCH', `/v1/keys/${theirs.id}`, { allowedIps: ['203.0.113.1'] }],
        ['POST', `/v1/keys/${theirs.id}/revoke`, {}],
        ['POST', `/v1/keys/${theirs.id}/rotate`, {}],
        ['DELETE', `/v1/keys/${theirs.id}`, undefined],
      ] as const) {
        const r = await call(s.url, method, path, { key: mine.key, body });
        expect({ method, path, status: r.status }).toEqual({ method, path, status: 403 });
      }
      expect((await call(s.url, 'GET', '/v1/me', { key: theirs.key })).status).toBe(200);
    });

    it('cannot lift its own restrictions', async () => {
      const limited = (await create(admin, { name: 'limited', permissions: ['keys:write'], rateLimit: { limit: 5, windowSeconds: 3600 } })).body;
      const self = await call(s.url, 'PATCH', `/v1/keys/${limited.id}`, { key: limited.key, body: { rateLimit: { limit: 1000000, windowSeconds: 1 } } });
      expect(self.status).toBe(403);
      expect(self.body.errors[0].field).toBe('rateLimit');
      expect((await call(s.url, 'PATCH', `/v1/keys/${limited.id}`, { key: limited.key, body: { name: 'renamed' } })).status).toBe(200);
    });

    it('keeps the keys it creates, edits or rotates inside its own expiry and addresses', async () => {
      const until = new Date(Date.now() + 86_400_000).toISOString();
      const restricted = (
        await create(admin, { name: 'restricted', permissions: ['keys:read', 'keys:write'], expiresAt: until, allowedIps: ['127.0.0.0/8', '::1'] })
      ).body;
      // the key can read its own restrictions, to stay inside them
      expect((await call(s.url, 'GET', '/v1/me', { key: restricted.key })).body).toMatchObject({ expiresAt: until, allowedIps: ['127.0.0.0/8', '::1'] });
      const fieldsOf = (r: { body: { errors?: { field: string }[] } }) => (r.body.errors ?? []).map((e) => e.field);
      const later = new Date(Date.now() + 2 * 86_400_000).toISOString();

      // no expiry, or a later one
      for (const expiresAt of [undefined, later]) {
        const r = await create(restricted.key, { name: 'longer', permissions: ['keys:read'], expiresAt, allowedIps: ['127.0.0.1'] });
        expect({ expiresAt, status: r.status, code: r.body.code, fields: fieldsOf(r) }).toEqual({ expiresAt, status: 403, code: 'INSUFFICIENT_PERMISSIONS', fields: ['expiresAt'] });
      }
      // no addresses, or some outside its own
      for (const allowedIps of [undefined, ['10.0.0.0/8'], ['127.0.0.0/7'], ['127.0.0.1', '192.0.2.1'], ['2001:db8::1']]) {
        const r = await create(restricted.key, { name: 'wider', permissions: ['keys:read'], expiresAt: until, allowedIps });
        expect({ allowedIps, status: r.status, fields: fieldsOf(r) }).toEqual({ allowedIps, status: 403, fields: ['allowedIps'] });
      }
      // both at once are both named
      expect(fieldsOf(await create(restricted.key, { name: 'both', permissions: ['keys:read'] }))).toEqual(['expiresAt', 'allowedIps']);

      // inside both: created, and it works
      const inside = await create(restricted.key, {
        name: 'inside',
        permissions: ['keys:read'],
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
        allowedIps: ['127.0.0.1', '127.5.0.0/16', '::1'],
      });
      expect(inside.status).toBe(201);
      expect((await call(s.url, 'GET', '/v1/me', { key: inside.body.key })).status).toBe(200);

      // edits cannot widen a key; renaming an unrestricted sibling widens nothing
      const sibling = (await create(admin, { name: 'sibling', permissions: ['keys:read'] })).body;
      const patch = (id: string, body: unknown) => call(s.url, 'PATCH', `/v1/keys/${id}`, { key: restricted.key, body });
      expect(fieldsOf(await patch(inside.body.id, { expiresAt: null }))).toEqual(['expiresAt']);
      expect(fieldsOf(await patch(inside.body.id, { allowedIps: [] }))).toEqual(['allowedIps']);
      expect((await patch(sibling.id, { name: 'sibling-renamed' })).status).toBe(200);
      // nor can it give the unrestricted sibling more rights (they would be usable from anywhere, for ever)
      const grant = await patch(sibling.id, { permissions: ['keys:read', 'keys:write'] });
      expect({ status: grant.status, fields: fieldsOf(grant) }).toEqual({ status: 403, fields: ['keyId'] });
      expect((await patch(inside.body.id, { permissions: ['keys:read', 'keys:write'] })).status).toBe(200);
      expect((await patch(inside.body.id, { allowedIps: ['127.0.0.2'] })).status).toBe(200);

      // rotating the unrestricted sibling would mint an unrestricted key: refused, naming keyId
      const rotateSibling = await call(s.url, 'POST', `/v1/keys/${sibling.id}/rotate`, { key: restricted.key, body: {} });
      expect(rotateSibling.status).toBe(403);
      expect(fieldsOf(rotateSibling)).toEqual(['keyId']);
      expect((await call(s.url, 'POST', `/v1/keys/${inside.body.id}/rotate`, { key: restricted.key, body: {} })).status).toBe(201);
      // nothing above changed the sibling's restrictions
      expect((await api('GET', `/v1/keys/${sibling.id}`)).body).toMatchObject({ expiresAt: null, allowedIps: [] });
    });

    it('cannot change a user who holds rights the calling key lacks', async () => {
      const hr = (await create(admin, { name: 'hr', permissions: ['users:write', 'users:read'] })).body;
      const r = await call(s.url, 'PATCH', `/v1/users/${s.admin.userId}`, { key: hr.key, body: { disabled: true } });
      expect(r.status).toBe(403);
      expect((await call(s.url, 'GET', '/v1/me', { key: admin })).status).toBe(200);
    });

    it("cannot revoke, delete or loosen the keys of a user whose rights it does not cover; can for one it covers", async () => {
      const rights = ['keys:read', 'keys:write', 'users:read', 'users:write'];
      const hrUser = (await call(s.url, 'POST', '/v1/users', { key: admin, body: { email: 'hr@acme.test', name: 'HR', permissions: rights } })).body;
      const hr = (await create(admin, { name: 'hr-keys', permissions: rights, ownerId: hrUser.id })).body;
      const adminsOther = (await create(admin, { name: 'admin-other', permissions: ['keys:read'] })).body;
      for (const [method, path, body] of [
        ['POST', `/v1/keys/${adminsOther.id}/revoke`, {}],
        ['DELETE', `/v1/keys/${adminsOther.id}`, undefined],
        ['PATCH', `/v1/keys/${adminsOther.id}`, { allowedIps: ['0.0.0.0/0'] }],
        ['PATCH', `/v1/keys/${adminsOther.id}`, { expiresAt: new Date(Date.now() + 86_400_000).toISOString() }],
        ['PATCH', `/v1/keys/${adminsOther.id}`, { rateLimit: { limit: 1000000, windowSeconds: 1 } }],
      ] as const) {
        const r = await call(s.url, method, path, { key: hr.key, body });
        expect({ method, path, body, status: r.status, code: r.body.code }).toEqual({ method, path, body, status: 403, code: 'INSUFFICIENT_PERMISSIONS' });
      }
      expect((await call(s.url, 'GET', '/v1/me', { key: adminsOther.key })).status).toBe(200);
      expect((await api('GET', `/v1/keys/${adminsOther.id}`)).body).toMatchObject({ status: 'active', allowedIps: [], expiresAt: null, rateLimit: null });

      // a user whose rights the key covers: its keys can be revoked and deleted
      const clerk = (await call(s.url, 'POST', '/v1/users', { key: admin, body: { email: 'clerk@acme.test', name: 'Clerk', permissions: ['keys:read'] } })).body;
      const clerks = (await create(admin, { name: 'clerks', permissions: ['keys:read'], ownerId: clerk.id })).body;
      const clerks2 = (await create(admin, { name: 'clerks-2', permissions: ['keys:read'], ownerId: clerk.id })).body;
      expect((await call(s.url, 'PATCH', `/v1/keys/${clerks.id}`, { key: hr.key, body: { allowedIps: ['127.0.0.1'] } })).status).toBe(200);
      expect((await call(s.url, 'POST', `/v1/keys/${clerks.id}/revoke`, { key: hr.key, body: {} })).status).toBe(200);
      expect((await call(s.url, 'DELETE', `/v1/keys/${clerks2.id}`, { key: hr.key })).status).toBe(204);
      expect((await call(s.url, 'GET', '/v1/me', { key: clerks.key })).status).toBe(401);
    });

    it('refuses null for a field that cannot be empty, and the projector keeps going', async () => {
      const k = (await create(admin, { name: 'nullable' })).body;
      const r = await call(s.url, 'PATCH', `/v1/keys/${k.id}`, { key: admin, body: { name: null } });
      expect(r.status).toBe(400);
      expect(r.body.errors[0].field).toBe('name');
      expect((await call(s.url, 'PATCH', `/v1/keys/${k.id}`, { key: admin, body: { description: null } })).status).toBe(200);
      expect((await create(admin, { name: 'after' })).status).toBe(201);
    });
  });

  describe('POST /v1/keys/verify', () => {
    it('answers a code for each state', async () => {
      const k = await api('POST', '/v1/keys', { body: { name: 'verify-me', permissions: ['keys:read'] } });
      const ok = await api('POST', '/v1/keys/verify', { body: { key: k.body.key } });
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ valid: true, code: 'VALID', keyId: k.body.id, permissions: ['keys:read'] });
      const lacking = await api('POST', '/v1/keys/verify', { body: { key: k.body.key, permissions: ['keys:write'] } });
      expect(lacking.body).toMatchObject({ valid: false, code: 'INSUFFICIENT_PERMISSIONS' });
      expect((await api('POST', '/v1/keys/verify', { body: { key: 'kw_garbage' } })).body).toEqual({ valid: false, code: 'NOT_FOUND' });
      await api('POST', `/v1/keys/${k.body.id}/revoke`);
      expect((await api('POST', '/v1/keys/verify', { body: { key: k.body.key } })).body).toEqual({ valid: false, code: 'REVOKED' });
    });

    it("answers NOT_FOUND for another company's key", async () => {
      const other: BootstrapResult = (await s.api
        .get(CommandBus)
        .execute(new BootstrapCommand({ companyName: 'Other', adminEmail: 'o@other.test', adminName: 'O', firstOnly: false })))!;
      const r = await api('POST', '/v1/keys/verify', { body: { key: other.key } });
      expect(r.body).toEqual({ valid: false, code: 'NOT_FOUND' });
      // and the other company's admin sees none of Acme's keys
      const list = await call(s.url, 'GET', '/v1/keys', { key: other.key });
      expect(list.body.items.every((k: { companyId: string }) => k.companyId === other.companyId)).toBe(true);
      expect((await call(s.url, 'GET', `/v1/keys/${s.admin.keyId}`, { key: other.key })).status).toBe(404);
    });
  });

  describe('users', () => {
    it('creates, reads, lists and refuses a duplicate e-mail', async () => {
      const u = await api('POST', '/v1/users', { body: { email: 'Dup@Acme.test', name: 'Dup', role: 'READONLY' } });
      expect(u.status).toBe(201);
      expect(u.body).toMatchObject({ email: 'dup@acme.test', disabled: false });
      const dup = await api('POST', '/v1/users', { body: { email: 'dup@acme.test', name: 'Again', role: 'READONLY' } });
      expect(dup.status).toBe(409);
      expect((await api('GET', `/v1/users/${u.body.id}`)).body.name).toBe('Dup');
      const list = await api('GET', '/v1/users?limit=500');
      expect(list.body.items.map((x: { id: string }) => x.id)).toContain(u.body.id);
    });
  });

  describe('the log behind it', () => {
    it('holds no key in clear, and a rebuild gives exactly the same read models', async () => {
      const k = await api('POST', '/v1/keys', { body: { name: 'secret-check' } });
      // a client that puts its key in the User-Agent: used, and refused once revoked — neither record keeps it
      await call(s.url, 'GET', '/v1/me', { key: k.body.key, headers: { 'user-agent': `bot (${k.body.key})` } });
      await api('POST', `/v1/keys/${k.body.id}/revoke`, { body: {}, headers: { 'user-agent': `ops (${admin})` } });
      await call(s.url, 'GET', '/v1/me', { key: k.body.key, headers: { 'user-agent': `bot (${k.body.key})` } });
      await s.settleUsage();
      const log = JSON.stringify(await s.sql.query('SELECT data, metadata FROM events'));
      expect(log).toContain('bot (kw_[redacted])');
      expect(log).not.toContain(k.body.key);
      expect(log).not.toContain(admin);

      await s.settleUsage();
      const before = await snapshot(s);
      const run = await s.worker.get(Projector).rebuild();
      expect(run.applied).toBe(Number((await s.sql.query('SELECT count(*) AS n FROM events'))[0].n));
      expect(await snapshot(s)).toEqual(before);
    });
  });
});

const unknownKey = () => generateKey().key;
