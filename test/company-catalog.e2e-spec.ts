import { Projector } from '@keyward/event-store';
import { Stack, call, startStack } from './support/stack';

/**
 * Company-defined permissions and roles (the customer's own API): definitions, keys that hold
 * them, what `verify` answers, and how edits reach keys at once.
 */
describe("company-defined permissions and roles (one API and one worker)", () => {
  let s: Stack;
  const api = (method: string, path: string, body?: unknown, key?: string) => call(s.url, method, path, { key: key ?? s.admin.key, body });
  const verify = (key: string, permissions?: string[]) => api('POST', '/v1/keys/verify', { key, ...(permissions ? { permissions } : {}) });
  const fieldsOf = (r: { body: { errors?: { field: string }[] } }) => (r.body.errors ?? []).map((e) => e.field);

  beforeAll(async () => {
    s = await startStack();
    for (const name of ['invoices:read', 'invoices:write', 'reports.export']) {
      expect((await api('POST', '/v1/permissions', { name, description: `may ${name}` })).status).toBe(201);
    }
    expect((await api('POST', '/v1/roles', { name: 'billing', permissions: ['invoices:read', 'invoices:write'] })).status).toBe(201);
  });
  afterAll(async () => s?.close());

  it('defines permissions: names checked, Keyward names reserved, duplicates refused', async () => {
    const list = await api('GET', '/v1/permissions');
    expect(list.body.items.map((p: { name: string }) => p.name)).toEqual(['invoices:read', 'invoices:write', 'reports.export']);
    expect(list.body.items[0]).toEqual({ name: 'invoices:read', description: 'may invoices:read', createdAt: expect.any(String) });

    for (const [name, status, code] of [
      ['invoices:read', 409, 'ALREADY_EXISTS'],
      ['keys:read', 409, 'RESERVED_PERMISSION'],
      ['admin.system.api', 409, 'RESERVED_PERMISSION'],
      ['invoices', 400, 'VALIDATION_FAILED'],
      ['Invoices:Read', 400, 'VALIDATION_FAILED'],
      ['a:', 400, 'VALIDATION_FAILED'],
    ] as const) {
      const r = await api('POST', '/v1/permissions', { name });
      expect({ name, status: r.status, code: r.body.code, fields: fieldsOf(r) }).toEqual({ name, status, code, fields: ['name'] });
    }
  });

  it('defines roles of existing company permissions only; ADMIN and READONLY are built in', async () => {
    const unknown = await api('POST', '/v1/roles', { name: 'ghost', permissions: ['invoices:read', 'invoices:void'] });
    expect({ status: unknown.status, fields: fieldsOf(unknown) }).toEqual({ status: 422, fields: ['permissions[1]'] });
    const keyward = await api('POST', '/v1/roles', { name: 'sneaky', permissions: ['admin.system.api'] });
    expect({ status: keyward.status, fields: fieldsOf(keyward) }).toEqual({ status: 422, fields: ['permissions[0]'] });
    for (const name of ['ADMIN', 'readonly']) expect((await api('POST', '/v1/roles', { name, permissions: [] })).body.code).toBe('BUILT_IN_ROLE');
    expect((await api('PATCH', '/v1/roles/ADMIN', { permissions: [] })).body.code).toBe('BUILT_IN_ROLE');
    expect((await api('DELETE', '/v1/roles/READONLY')).body.code).toBe('BUILT_IN_ROLE');
    expect((await api('GET', '/v1/roles/nope')).status).toBe(404);
    expect((await api('GET', '/v1/roles/bad%20name')).status).toBe(400);

    const roles = await api('GET', '/v1/roles');
    expect(roles.body.items.map((r: { name: string; builtIn: boolean }) => [r.name, r.builtIn])).toEqual([
      ['ADMIN', true],
      ['READONLY', true],
      ['billing', false],
    ]);
    expect((await api('GET', '/v1/roles/billing')).body).toMatchObject({ permissions: ['invoices:read', 'invoices:write'], builtIn: false });
  });

  it('keys hold company permissions, roles, meta and an external id; verify answers them', async () => {
    const created = await api('POST', '/v1/keys', {
      name: 'acme-billing',
      permissions: ['reports.export'],
      roles: ['billing'],
      meta: { plan: 'pro', seats: 3 },
      externalId: 'cust_42',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ permissions: ['reports.export'], roles: ['billing'], meta: { plan: 'pro', seats: 3 }, externalId: 'cust_42' });
    const found = await api('GET', '/v1/keys?externalId=cust_42');
    expect(found.body.items.map((k: { id: string }) => k.id)).toEqual([created.body.id]);

    const ok = await verify(created.body.key, ['invoices:write', 'reports.export']);
    expect(ok.body).toMatchObject({
      valid: true,
      code: 'VALID',
      keyId: created.body.id,
      name: 'acme-billing',
      roles: ['billing'],
      meta: { plan: 'pro', seats: 3 },
      externalId: 'cust_42',
      permissions: ['invoices:read', 'invoices:write', 'reports.export'],
    });
    const missing = await verify(created.body.key, ['invoices:read', 'invoices:void', 'keys:read']);
    expect(missing.body).toMatchObject({ valid: false, code: 'INSUFFICIENT_PERMISSIONS', missingPermissions: ['invoices:void', 'keys:read'] });
  });

  it('refuses unknown permissions and roles on keys, naming the field, and changes nothing', async () => {
    const before = (await api('GET', '/v1/keys?limit=500')).body.items.length;
    const perm = await api('POST', '/v1/keys', { name: 'x', permissions: ['keys:read', 'invoices:void'] });
    expect({ status: perm.status, fields: fieldsOf(perm) }).toEqual({ status: 422, fields: ['permissions[1]'] });
    const role = await api('POST', '/v1/keys', { name: 'x', roles: ['billing', 'nope'] });
    expect({ status: role.status, fields: fieldsOf(role) }).toEqual({ status: 422, fields: ['roles[1]'] });
    const both = await api('POST', '/v1/keys', { name: 'x', role: 'billing', roles: ['billing'] });
    expect({ status: both.status, fields: fieldsOf(both) }).toEqual({ status: 400, fields: ['role'] });
    const big = await api('POST', '/v1/keys', { name: 'x', meta: { blob: 'x'.repeat(5000) } });
    expect({ status: big.status, fields: fieldsOf(big) }).toEqual({ status: 400, fields: ['meta'] });
    const notObject = await api('POST', '/v1/keys', { name: 'x', meta: ['a'] });
    expect({ status: notObject.status, fields: fieldsOf(notObject) }).toEqual({ status: 400, fields: ['meta'] });
    expect((await api('GET', '/v1/keys?limit=500')).body.items.length).toBe(before);
  });

  it('remembers the built-in role a key was created with', async () => {
    const r = await api('POST', '/v1/keys', { name: 'reader', role: 'READONLY' });
    expect(r.body).toMatchObject({ roles: ['READONLY'], permissions: ['audit:read', 'keys:read', 'users:read'] });
    expect((await api('GET', `/v1/keys/${r.body.id}`)).body.roles).toEqual(['READONLY']);
  });

  it('a role edit reaches a key that was just verified (cached) before the edit returns', async () => {
    await api('POST', '/v1/roles', { name: 'clerk', permissions: ['invoices:read', 'invoices:write'] });
    const k = (await api('POST', '/v1/keys', { name: 'clerk-key', roles: ['clerk'] })).body;
    expect((await verify(k.key, ['invoices:write'])).body.code).toBe('VALID'); // cached now

    const edited = await api('PATCH', '/v1/roles/clerk', { permissions: ['invoices:read'] });
    expect(edited.status).toBe(200);
    expect(edited.body.permissions).toEqual(['invoices:read']);
    expect((await verify(k.key, ['invoices:write'])).body).toMatchObject({ code: 'INSUFFICIENT_PERMISSIONS', missingPermissions: ['invoices:write'] });

    expect((await api('DELETE', '/v1/roles/clerk')).status).toBe(204);
    expect((await verify(k.key, ['invoices:read'])).body.code).toBe('INSUFFICIENT_PERMISSIONS');
    expect((await api('GET', `/v1/keys/${k.id}`)).body.roles).toEqual([]);
  });

  it('a permission in use is removed only with force, then from every role and key, in the trail', async () => {
    await api('POST', '/v1/permissions', { name: 'ledger:close' });
    await api('POST', '/v1/roles', { name: 'closer', permissions: ['ledger:close', 'invoices:read'] });
    const direct = (await api('POST', '/v1/keys', { name: 'direct', permissions: ['ledger:close'] })).body;
    const viaRole = (await api('POST', '/v1/keys', { name: 'via-role', roles: ['closer'] })).body;
    for (const k of [direct, viaRole]) expect((await verify(k.key, ['ledger:close'])).body.code).toBe('VALID');

    const refused = await api('DELETE', '/v1/permissions/ledger:close');
    expect({ status: refused.status, code: refused.body.code }).toEqual({ status: 409, code: 'PERMISSION_IN_USE' });
    expect((await verify(direct.key, ['ledger:close'])).body.code).toBe('VALID');

    expect((await api('DELETE', '/v1/permissions/ledger:close?force=true')).status).toBe(204);
    for (const k of [direct, viaRole]) expect((await verify(k.key, ['ledger:close'])).body.code).toBe('INSUFFICIENT_PERMISSIONS');
    expect((await api('GET', `/v1/keys/${direct.id}`)).body.permissions).toEqual([]);
    expect((await api('GET', '/v1/roles/closer')).body.permissions).toEqual(['invoices:read']);
    const trail = await api('GET', '/v1/audit-events?type=PermissionRemoved');
    expect(trail.body.items.at(-1).data).toEqual({ name: 'ledger:close', forced: true, roles: ['closer'], keyIds: [direct.id] });
    expect((await api('POST', '/v1/keys', { name: 'late', permissions: ['ledger:close'] })).status).toBe(422);
    expect((await api('DELETE', '/v1/permissions/ledger:close')).status).toBe(404);
  });

  it('company permissions need keys:write only; Keyward permissions still need the caller to hold them', async () => {
    const writer = (await api('POST', '/v1/keys', { name: 'writer', permissions: ['keys:write', 'keys:read'] })).body;
    const ok = await api('POST', '/v1/keys', { name: 'granted', permissions: ['invoices:write'], roles: ['billing'] }, writer.key);
    expect(ok.status).toBe(201);
    const wider = await api('POST', '/v1/keys', { name: 'wider', permissions: ['invoices:write', 'audit:read'] }, writer.key);
    expect({ status: wider.status, code: wider.body.code }).toEqual({ status: 403, code: 'INSUFFICIENT_PERMISSIONS' });
    const me = await call(s.url, 'GET', '/v1/me', { key: ok.body.key });
    expect(me.body.permissions).toEqual(['invoices:read', 'invoices:write']);
  });

  it('the tables the guard reads are what a rebuild of the log gives', async () => {
    const snapshot = async () => ({
      keys: await s.sql.query('SELECT id, permissions, roles, meta, external_id, version FROM api_keys ORDER BY id'),
      roles: await s.sql.query('SELECT * FROM company_roles ORDER BY company_id, name'),
      permissions: await s.sql.query('SELECT * FROM company_permissions ORDER BY company_id, name'),
    });
    await s.settleUsage();
    const live = await snapshot();
    await s.worker.get(Projector).rebuild();
    expect(await snapshot()).toEqual(live);
  });
});
