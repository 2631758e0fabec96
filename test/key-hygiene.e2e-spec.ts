import { Stack, call, startStack } from './support/stack';

/** Key hygiene (issue 13): the key list filters by disuse and sorts by last use, name or creation, with cursors of their own. */
describe('key list: unusedSince and sort', () => {
  let s: Stack;
  let admin: string;
  const ids: Record<string, string> = {};
  let between: string;

  beforeAll(async () => {
    s = await startStack();
    admin = s.admin.key;
    const keys: Record<string, string> = {};
    for (const name of ['hy-delta', 'hy-alpha', 'hy-charlie', 'hy-bravo']) {
      const created = (await call(s.url, 'POST', '/v1/keys', { key: admin, body: { name, permissions: ['keys:read'] } })).body;
      ids[name] = created.id;
      keys[name] = created.key;
    }
    // hy-delta is never used; alpha, then (after `between`) bravo, then charlie
    await call(s.url, 'GET', '/v1/me', { key: keys['hy-alpha'] });
    await s.settleUsage();
    await new Promise((r) => setTimeout(r, 20));
    between = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    await call(s.url, 'GET', '/v1/me', { key: keys['hy-bravo'] });
    await s.settleUsage();
    await new Promise((r) => setTimeout(r, 20));
    await call(s.url, 'GET', '/v1/me', { key: keys['hy-charlie'] });
    await s.settleUsage();
  });
  afterAll(async () => s?.close());

  const names = async (query: string) => {
    const res = await call(s.url, 'GET', `/v1/keys?q=hy-&${query}`, { key: admin });
    expect([query, res.status]).toEqual([query, 200]);
    return res.body.items.map((k: { name: string }) => k.name);
  };

  it('unusedSince: the keys never used or last used before the instant', async () => {
    expect((await names(`unusedSince=${between}`)).sort()).toEqual(['hy-alpha', 'hy-delta']);
    expect((await names(`unusedSince=2000-01-01T00:00:00Z`)).sort()).toEqual(['hy-delta']);
  });

  it('sort=lastUsedAt: most recent first and never used last, or the reverse; name; creation by default', async () => {
    expect(await names('sort=lastUsedAt')).toEqual(['hy-charlie', 'hy-bravo', 'hy-alpha', 'hy-delta']);
    expect(await names('sort=lastUsedAt&order=asc')).toEqual(['hy-delta', 'hy-alpha', 'hy-bravo', 'hy-charlie']);
    expect(await names('sort=name')).toEqual(['hy-alpha', 'hy-bravo', 'hy-charlie', 'hy-delta']);
    expect(await names('sort=name&order=desc')).toEqual(['hy-delta', 'hy-charlie', 'hy-bravo', 'hy-alpha']);
    expect(await names('')).toEqual(['hy-bravo', 'hy-charlie', 'hy-alpha', 'hy-delta']);
  });

  it('pages of one follow the same order through their cursors, for every sort', async () => {
    for (const query of ['sort=lastUsedAt', 'sort=lastUsedAt&order=asc', 'sort=name', 'sort=name&order=desc', 'sort=createdAt&order=asc', '']) {
      const whole = await names(query);
      const paged: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { body: { items: { name: string }[]; nextCursor: string | null } } = await call(
          s.url,
          'GET',
          `/v1/keys?q=hy-&limit=1&${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
          { key: admin },
        );
        paged.push(...page.body.items.map((k) => k.name));
        cursor = page.body.nextCursor;
      } while (cursor && paged.length < 10);
      expect([query, paged]).toEqual([query, whole]);
    }
  });

  it('bad values are 400 naming the field; a cursor of another ordering is refused, not misread', async () => {
    for (const [query, field] of [
      ['sort=lastUse', 'sort'],
      ['order=up', 'order'],
      ['unusedSince=last-week', 'unusedSince'],
    ]) {
      const res = await call(s.url, 'GET', `/v1/keys?${query}`, { key: admin });
      expect([query, res.status, res.body.errors?.[0]?.field]).toEqual([query, 400, field]);
    }
    const first = await call(s.url, 'GET', '/v1/keys?q=hy-&limit=1&sort=name', { key: admin });
    const other = await call(s.url, 'GET', `/v1/keys?q=hy-&limit=1&sort=lastUsedAt&cursor=${encodeURIComponent(first.body.nextCursor)}`, { key: admin });
    expect([other.status, other.body.errors?.[0]?.field]).toEqual([400, 'cursor']);
    const legacy = await call(s.url, 'GET', '/v1/keys?q=hy-&limit=1', { key: admin });
    const asName = await call(s.url, 'GET', `/v1/keys?q=hy-&limit=1&sort=name&cursor=${encodeURIComponent(legacy.body.nextCursor)}`, { key: admin });
    expect(asName.status).toBe(400);
  });
});
