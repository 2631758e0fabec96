import { DataSource } from 'typeorm';
import { TestDatabase, createTestDatabase, testConfig } from '@keyward/testing';
import { processEnv, runCli, runCliJson } from './support/processes';

/** The operator command line against a real database and Redis, no API or worker running. */
describe('keyward command line', () => {
  let db: TestDatabase;
  let env: NodeJS.ProcessEnv;
  let sql: DataSource;
  let companyId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    env = processEnv(testConfig({ DATABASE_URL: db.url }));
    sql = new DataSource({ type: 'postgres', url: db.url, extra: { max: 2 } });
    await sql.initialize();
  });
  afterAll(async () => {
    await sql?.destroy();
    await db?.drop();
  });

  const snapshot = async () => ({
    users: await sql.query('SELECT * FROM users ORDER BY id'),
    keys: await sql.query('SELECT * FROM api_keys ORDER BY id'),
    companies: await sql.query('SELECT * FROM companies ORDER BY id'),
  });

  it('bootstraps once; --if-needed then does nothing', async () => {
    const first = await runCliJson<{ created: boolean; companyId: string; key: string }>(['bootstrap', '--json'], env);
    expect(first.created).toBe(true);
    expect(first.key).toMatch(/^kw_/);
    companyId = first.companyId;
    expect(await runCliJson(['bootstrap', '--if-needed', '--json'], env)).toEqual({ created: false });
    const again = await runCli(['bootstrap'], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already bootstrapped/);
  });

  it('creates, lists, rotates and revokes keys, with readable output', async () => {
    const [{ id: ownerId }] = await sql.query('SELECT id FROM users WHERE company_id = $1', [companyId]);
    const created = await runCliJson<{ id: string; key: string }>(
      ['keys', 'create', '--company', companyId, '--owner', ownerId, '--name', 'from-cli', '--role', 'READONLY', '--json'],
      env,
    );
    const list = await runCli(['keys', 'list', '--company', companyId], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^ID\s+NAME\s+START\s+STATUS/m);
    expect(list.stdout).toContain('from-cli');
    expect(list.stdout).not.toContain(created.key);

    const rotated = await runCliJson<{ id: string; rotatedFrom: string }>(['keys', 'rotate', created.id, '--company', companyId, '--json'], env);
    expect(rotated.rotatedFrom).toBe(created.id);
    const revoked = await runCliJson<{ status: string }>(['keys', 'revoke', rotated.id, '--company', companyId, '--json'], env);
    expect(revoked.status).toBe('revoked');
    const bad = await runCli(['keys', 'revoke', rotated.id, '--company', companyId], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/already revoked/);
  });

  it('rebuilds the read models to exactly the same rows', async () => {
    const before = await snapshot();
    const run = await runCliJson<{ applied: number }>(['projections', 'rebuild', '--json'], env);
    expect(run.applied).toBe(Number((await sql.query('SELECT count(*) AS n FROM events'))[0].n));
    expect(await snapshot()).toEqual(before);
  });

  it('verifies the chain, then names the position a superuser edited', async () => {
    const ok = await runCliJson<{ ok: boolean; checked: number }>(['audit', 'verify', '--json'], env);
    expect(ok.ok).toBe(true);
    expect(ok.checked).toBeGreaterThan(5);

    const [{ position }] = await sql.query(`SELECT position FROM events WHERE type = 'KeyCreated' ORDER BY position DESC LIMIT 1`);
    await sql.transaction(async (m) => {
      await m.query('SET LOCAL session_replication_role = replica'); // what a superuser can do: triggers off
      await m.query(`UPDATE events SET data = jsonb_set(data, '{name}', '"forged"') WHERE position = $1`, [position]);
    });
    const broken = await runCli(['audit', 'verify'], env);
    expect(broken.code).toBe(2);
    expect(broken.stdout).toContain(`CHAIN BROKEN at position ${position} (hash_mismatch)`);
    const json = await runCli(['audit', 'verify', '--json'], env);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, firstBadPosition: Number(position) });
  });

  it('fails with a message naming a missing variable', async () => {
    const { DATABASE_URL: _dropped, ...rest } = env;
    const r = await runCli(['audit', 'verify'], rest);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/DATABASE_URL: is required/);
  });
});
