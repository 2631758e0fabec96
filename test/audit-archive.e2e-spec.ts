import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DataSource } from 'typeorm';
import { EventStore } from '@keyward/event-store';
import { TestDatabase, createTestDatabase, testConfig } from '@keyward/testing';
import { RunningProcess, processEnv, redactKeys, runCli, runCliJson, startProcess } from './support/processes';
import { call } from './support/stack';

/** Positions per partition here: a few dozen events make several partitions. */
const WIDTH = 20;

/** An empty log's partitions made WIDTH positions wide from position 1 (the migration made them 10,000,000). */
async function narrowPartitions(sql: DataSource): Promise<void> {
  await sql.query('UPDATE events_partitioning SET width = $1, ahead = 2', [WIDTH]);
  const parts: { name: string }[] = await sql.query('SELECT name FROM events_partition_bounds');
  for (const p of parts) await sql.query(`ALTER TABLE events DETACH PARTITION ${p.name}; DROP TABLE ${p.name}`);
  await sql.query('SELECT keyward_events_ensure_partitions(0)');
}

const partitionNames = async (sql: DataSource): Promise<string[]> =>
  (await sql.query('SELECT name FROM events_partition_bounds b ORDER BY b.from_position')).map((r: { name: string }) => r.name);

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * The archive of the log, end to end with the built command line, a real API and worker and
 * Postgres: `keyward audit archive`, the partitions gone, `audit verify` online (CLI and API)
 * from the seal, `audit verify --archive` offline and against the live log, a tampered segment
 * named by file and position, key state and history across the archived range, usage series and
 * the keys table intact, a projection rebuild refused.
 */
describe('audit archive (keyward audit archive, verify --archive)', () => {
  let db: TestDatabase;
  let sql: DataSource;
  let root: string;
  let env: NodeJS.ProcessEnv;
  let api: RunningProcess;
  let worker: RunningProcess;
  let admin: { companyId: string; userId: string; keyId: string; key: string };
  /** Created, used and (one) revoked before the archive: their events go to it. */
  const early: { id: string; key: string }[] = [];
  let archiveDir: string;
  let run: {
    manifest: string;
    manifestSha256: string;
    segments: { file: string; events: number; firstPosition: number; lastPosition: number }[];
    events: number;
    startsAfter: { position: number; hash: string };
    through: { position: number; hash: string };
    recordedAt: number;
    dropped: string[];
  };
  let partitionsBefore: string[];
  let usageBefore: unknown;
  let usagePath: string;
  let bucketsBefore: unknown[];
  let keyRowBefore: unknown;
  /** GET /v1/keys/:id/state of the revoked early key, before the archive. */
  let stateBefore: unknown;
  let stateAt: string;

  const failOutput = (r: { stdout: string; stderr: string }) => redactKeys(`${r.stdout}\n${r.stderr}`);
  const projected = async (position: number) =>
    until(`projector at ${position}`, async () => {
      const [row] = await sql.query(`SELECT position FROM projection_checkpoints WHERE name = 'read-models'`);
      return row && Number(row.position) >= position;
    });

  beforeAll(async () => {
    db = await createTestDatabase();
    root = await mkdtemp(path.join(tmpdir(), 'keyward-archive-'));
    archiveDir = path.join(root, 'archive');
    sql = new DataSource({ type: 'postgres', url: db.url, extra: { max: 2 } });
    await sql.initialize();
    await narrowPartitions(sql);
    env = processEnv(testConfig({ DATABASE_URL: db.url }), { USAGE_FLUSH_MS: '50' });
    admin = await runCliJson(['bootstrap', '--json'], env);
    [api, worker] = await Promise.all([startProcess('api', env), startProcess('worker', env)]);

    // the early life: keys created, used, one revoked; then every usage event in the log and projected
    for (let i = 0; i < 3; i++) {
      const res = await call(api.url!, 'POST', '/v1/keys', { key: admin.key, body: { name: `early ${i}`, permissions: ['keys:read', 'audit:read'] } });
      expect(res.status).toBe(201);
      early.push({ id: res.body.id, key: res.body.key });
    }
    for (const k of early) for (let n = 0; n < 12; n++) expect((await call(api.url!, 'GET', '/v1/me', { key: k.key })).status).toBe(200);
    expect((await call(api.url!, 'POST', `/v1/keys/${early[2].id}/revoke`, { key: admin.key, body: { reason: 'done' } })).status).toBe(200);
    const used = await until('36 KeyUsed of the early keys', async () => {
      const [row] = await sql.query(`SELECT count(*)::int AS n, max(position)::int AS last FROM events WHERE type = 'KeyUsed' AND actor->>'id' = ANY($1)`, [early.map((k) => k.id)]);
      return row.n === 36 && row;
    });
    await projected(used.last);
    // the whole log so far is before this instant; partitions closed by then can be archived
    await new Promise((r) => setTimeout(r, 20));
  }, 180_000);

  afterAll(async () => {
    await Promise.all([api?.stop(), worker?.stop()]);
    await sql?.destroy();
    await db?.drop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('archives the whole partitions before the instant to sealed segments, records it, and only then drops them', async () => {
    const before = new Date();
    // what must survive the archive: a key's usage series, its buckets and its row in the keys table
    usagePath = `/v1/keys/${early[0].id}/usage?granularity=minute&from=${new Date(Date.now() - 3_600_000).toISOString()}&to=${new Date(Date.now() + 60_000).toISOString()}`;
    usageBefore = (await call(api.url!, 'GET', usagePath, { key: admin.key })).body;
    bucketsBefore = await sql.query('SELECT * FROM usage_buckets WHERE key_id = $1 ORDER BY granularity, start', [early[0].id]);
    expect(bucketsBefore.length).toBeGreaterThan(0);
    [keyRowBefore] = await sql.query('SELECT id, status, revoked_at, name, permissions FROM api_keys WHERE id = $1', [early[0].id]);
    // the usage these requests make lands after the instant, in later partitions
    await until('the log past a partition after the instant', async () => {
      await call(api.url!, 'GET', '/v1/me', { key: admin.key });
      const [row] = await sql.query(`SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS last FROM events_position_seq`);
      const [first] = await sql.query(`SELECT min(position) AS p FROM events WHERE occurred_at >= $1`, [before]);
      return first.p !== null && Number(row.last) > Number(first.p) + WIDTH;
    });
    partitionsBefore = await partitionNames(sql);
    stateAt = new Date().toISOString();
    stateBefore = (await call(api.url!, 'GET', `/v1/keys/${early[2].id}/state?at=${stateAt}`, { key: admin.key })).body;
    expect(stateBefore).toMatchObject({ existed: true, status: 'revoked' });

    const r = await runCli(['audit', 'archive', '--before', before.toISOString(), '--out', archiveDir, '--json'], env);
    expect({ code: r.code, out: failOutput(r) }).toMatchObject({ code: 0 });
    run = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(run.startsAfter.position).toBe(0);
    expect(run.segments.length).toBeGreaterThanOrEqual(2);
    expect(run.events).toBe(run.segments.reduce((n, s) => n + s.events, 0));
    // whole partitions only: the archive ends in the last dropped partition, every archived event before the instant
    const lastFrom = Number(run.dropped.at(-1)!.replace('events_from_', ''));
    expect(run.through.position).toBeGreaterThanOrEqual(lastFrom);
    expect(run.through.position).toBeLessThan(lastFrom + WIDTH);

    // the files: one gzip JSONL per partition, a manifest, nothing half-written
    const files = (await readdir(archiveDir)).sort();
    expect(files).toEqual([...run.segments.map((s) => s.file), run.manifest].sort());
    const manifest = JSON.parse(await readFile(path.join(archiveDir, run.manifest), 'utf8'));
    expect(manifest.segments.map((s: { seal: { position: number } }) => s.seal.position)).toEqual(run.segments.map((s) => s.lastPosition));
    const lines = gunzipSync(await readFile(path.join(archiveDir, run.segments[0].file))).toString('utf8').trim().split('\n');
    expect(lines).toHaveLength(run.segments[0].events);
    expect(Object.keys(JSON.parse(lines[0])).sort()).toEqual(
      ['actor', 'companyId', 'data', 'eventId', 'hash', 'metadata', 'occurredAt', 'position', 'prevHash', 'streamId', 'streamVersion', 'type'].sort(),
    );

    // the partitions are gone, the live log says where its start went
    const now = await partitionNames(sql);
    for (const name of run.dropped) {
      expect(partitionsBefore).toContain(name);
      expect(now).not.toContain(name);
      expect(await sql.query('SELECT 1 FROM pg_class WHERE relname = $1', [name])).toEqual([]);
    }
    expect(run.dropped).toHaveLength(run.segments.length);
    const [{ n }] = await sql.query('SELECT count(*)::int AS n FROM events WHERE position <= $1', [run.through.position]);
    expect(n).toBe(0);
    const [recorded] = await sql.query('SELECT position, type, company_id, actor, data FROM events WHERE position = $1', [run.recordedAt]);
    expect(recorded).toMatchObject({
      type: 'AuditArchived',
      company_id: null,
      actor: { type: 'system', id: 'cli' },
      data: { throughPosition: run.through.position, lastHash: run.through.hash, manifest: run.manifest, manifestSha256: run.manifestSha256, events: run.events },
    });
    expect(recorded.data.segments).toHaveLength(run.segments.length);
    // the write side's copy: every archived event but the per-request records
    const retained: { type: string; n: number }[] = await sql.query('SELECT type, count(*)::int AS n FROM events_retained GROUP BY type ORDER BY type');
    expect(retained.map((r) => r.type)).toEqual(expect.arrayContaining(['CompanyCreated', 'KeyCreated', 'UserCreated']));
    expect(retained.map((r) => r.type)).not.toContain('KeyUsed');
    let archivedLifecycle = 0;
    for (const segment of run.segments) {
      const events = gunzipSync(await readFile(path.join(archiveDir, segment.file))).toString('utf8').trim().split('\n').map((l) => JSON.parse(l));
      archivedLifecycle += events.filter((e) => e.type !== 'KeyUsed' && e.type !== 'AuthenticationFailed').length;
    }
    expect(retained.reduce((n, r) => n + r.n, 0)).toBe(archivedLifecycle);
    // the sequence goes on where it was
    const [seq] = await sql.query(`SELECT pg_get_serial_sequence('events', 'position') AS s`);
    expect(seq.s).toBe('public.events_position_seq');
  }, 120_000);

  it('audit verify (CLI and API) walks the live log from the newest seal', async () => {
    const cli = await runCliJson<{ ok: boolean; checked: number; archived: { throughPosition: number; lastHash: string; recordedAt: number } }>(['audit', 'verify', '--json'], env);
    expect(cli).toMatchObject({ ok: true, archived: { throughPosition: run.through.position, lastHash: run.through.hash, recordedAt: run.recordedAt } });
    const [{ n }] = await sql.query('SELECT count(*)::int AS n FROM events');
    expect(cli.checked).toBeGreaterThanOrEqual(n);
    const text = await runCli(['audit', 'verify'], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/chain intact/);
    expect(text.stdout).toContain(`started from the archive's seal: positions 1..${run.through.position} went to an archive (AuditArchived at position ${run.recordedAt}`);
    // a checkpoint someone kept, whose event went to the archive (a segment's seal is one): not a contradiction
    const manifest = JSON.parse(await readFile(path.join(archiveDir, run.manifest), 'utf8'));
    await writeFile(path.join(root, 'kept.json'), JSON.stringify(manifest.segments[0].seal));
    const kept = await runCli(['audit', 'verify', '--checkpoint', path.join(root, 'kept.json')], env);
    expect({ code: kept.code, out: failOutput(kept) }).toMatchObject({ code: 0 });
    expect(kept.stdout).toContain(`kept checkpoint at position ${run.segments[0].lastPosition}`);
    expect(kept.stdout).toContain(`its event went to an archive (positions 1..${run.through.position})`);

    const res = await call(api.url!, 'GET', '/v1/audit-events/verify', { key: admin.key });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, archived: { throughPosition: run.through.position } });
    expect(res.body.checkpoints.firstContradicted).toBeUndefined();
  }, 120_000);

  it('audit verify --archive: every segment offline, and its link to the live log', async () => {
    const online = await runCli(['audit', 'verify', '--archive', archiveDir], env);
    expect({ code: online.code, out: failOutput(online) }).toMatchObject({ code: 0 });
    expect(online.stdout).toMatch(new RegExp(`archive intact: 1 manifest, ${run.segments.length} segments, ${run.events} events \\(positions 1\\.\\.${run.through.position}\\)`));
    expect(online.stdout).toMatch(new RegExp(`live log: the first live event \\(position \\d+\\) chains to the archive's last hash`));
    const json = await runCliJson<{ ok: boolean; live: { ok: boolean; sealedThrough: number; retained: { checked: number } } }>(['audit', 'verify', '--archive', archiveDir, '--json'], env);
    expect(json).toMatchObject({ ok: true, live: { ok: true, sealedThrough: run.through.position } });
    const [{ n: retainedRows }] = await sql.query('SELECT count(*)::int AS n FROM events_retained');
    expect(json.live.retained).toEqual({ checked: retainedRows });

    // what the write side folds, changed in the database by a superuser: named against the archive
    const [victim] = await sql.query(`SELECT position, data FROM events_retained WHERE type = 'KeyCreated' ORDER BY position LIMIT 1`);
    const superuser = (statement: string, params: unknown[]) =>
      sql.transaction(async (m) => {
        await m.query('SET LOCAL session_replication_role = replica');
        await m.query(statement, params);
      });
    await superuser('UPDATE events_retained SET data = $2 WHERE position = $1', [victim.position, { ...victim.data, permissions: ['admin.system.api'] }]);
    try {
      const changed = await runCli(['audit', 'verify', '--archive', archiveDir], env);
      expect(changed.code).toBe(2);
      expect(changed.stdout).toContain(`LIVE LOG NOT LINKED: the database's copy of the archived lifecycle events (events_retained) differs from the archive at position ${victim.position}`);
    } finally {
      await superuser('UPDATE events_retained SET data = $2 WHERE position = $1', [victim.position, victim.data]);
    }
    // offline: no database, no configuration
    const offline = await runCliJson<{ ok: boolean; events: number; live: null }>(['audit', 'verify', '--archive', archiveDir, '--offline', '--json'], {});
    expect(offline).toMatchObject({ ok: true, events: run.events, live: null });
  }, 120_000);

  it('names a tampered segment by file and position, and a removed one', async () => {
    const tampered = path.join(root, 'tampered');
    await cp(archiveDir, tampered, { recursive: true });
    const victim = run.segments[1];
    const file = path.join(tampered, victim.file);
    const lines = gunzipSync(await readFile(file)).toString('utf8').trim().split('\n');
    const edited = JSON.parse(lines[3]);
    edited.metadata = { ...edited.metadata, ip: '203.0.113.99' };
    lines[3] = JSON.stringify(edited);
    await writeFile(file, gzipSync(lines.join('\n') + '\n'));

    const r = await runCli(['audit', 'verify', '--archive', tampered, '--offline', '--json'], {});
    expect(r.code).toBe(2);
    const result = JSON.parse(r.stdout);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ reason: 'sha256_differs', file: victim.file }),
        expect.objectContaining({ reason: 'hash_mismatch', file: victim.file, position: edited.position, line: 4 }),
      ]),
    );
    const text = await runCli(['audit', 'verify', '--archive', tampered, '--offline'], {});
    expect(text.code).toBe(2);
    expect(text.stdout).toContain(`ARCHIVE BROKEN: hash_mismatch in ${victim.file} at position ${edited.position} (line 4)`);

    // a segment removed from the directory, and the chain across the gap
    const gone = path.join(root, 'gone');
    await cp(archiveDir, gone, { recursive: true });
    await rm(path.join(gone, run.segments[0].file));
    const missing = JSON.parse((await runCli(['audit', 'verify', '--archive', gone, '--offline', '--json'], {})).stdout);
    expect(missing.problems[0]).toMatchObject({ reason: 'file_missing', file: run.segments[0].file });
  }, 120_000);

  it('keeps key state (replayed with the retained lifecycle events), the keys table, usage series and the write side; a history wholly archived is 410 naming it', async () => {
    // read models: the keys table and the usage buckets are what they were
    const [keyRow] = await sql.query('SELECT id, status, revoked_at, name, permissions FROM api_keys WHERE id = $1', [early[0].id]);
    expect(keyRow).toEqual(keyRowBefore);
    expect(await sql.query('SELECT * FROM usage_buckets WHERE key_id = $1 ORDER BY granularity, start', [early[0].id])).toEqual(bucketsBefore);
    const usage = await call(api.url!, 'GET', usagePath, { key: admin.key });
    expect(usage.status).toBe(200);
    expect(usage.body).toEqual(usageBefore);

    // every event of the key was archived: its history is 410 naming the archive (the key is still known)
    const gone = await call(api.url!, 'GET', `/v1/keys/${early[0].id}/history`, { key: admin.key });
    expect(gone.status).toBe(410);
    expect(gone.body).toMatchObject({ code: 'AUDIT_ARCHIVED' });
    expect(gone.body.detail).toContain(`positions 1..${run.through.position}`);

    // the early keys still work (the revoked one still does not): the guard reads the keys table
    expect((await call(api.url!, 'GET', '/v1/me', { key: early[0].key })).status).toBe(200);
    expect((await call(api.url!, 'GET', '/v1/me', { key: early[2].key })).status).toBe(401);
    const key = await call(api.url!, 'GET', `/v1/keys/${early[2].id}`, { key: admin.key });
    expect(key.body).toMatchObject({ id: early[2].id, status: 'revoked' });

    // a replay of an archived key: its lifecycle events were retained, so its state is what it was
    const state = await call(api.url!, 'GET', `/v1/keys/${early[2].id}/state?at=${stateAt}`, { key: admin.key });
    expect(state.status).toBe(200);
    expect(state.body).toEqual(stateBefore);
    // the write side folds archived streams: a key made by the archived admin user, a revoke of an archived key
    const fresh = await call(api.url!, 'POST', '/v1/keys', { key: admin.key, body: { name: 'after the archive', permissions: ['keys:read'] } });
    expect({ status: fresh.status, body: fresh.status === 201 ? null : fresh.body }).toEqual({ status: 201, body: null });
    const freshState = await call(api.url!, 'GET', `/v1/keys/${fresh.body.id}/state?at=${new Date().toISOString()}`, { key: admin.key });
    expect(freshState.status).toBe(200);
    expect(freshState.body).toMatchObject({ existed: true, status: 'active' });
    const revoke = await call(api.url!, 'POST', `/v1/keys/${early[1].id}/revoke`, { key: admin.key, body: { reason: 'after the archive' } });
    expect(revoke.status).toBe(200);
    expect((await call(api.url!, 'GET', '/v1/me', { key: early[1].key })).status).toBe(401);
    expect((await call(api.url!, 'GET', `/v1/keys/${early[1].id}/state?at=${new Date().toISOString()}`, { key: admin.key })).body).toMatchObject({ status: 'revoked' });
    // once it has live events again (the request above), its history lists them and says its start was archived
    const history = await until('a live event of the early key', async () => {
      const res = await call(api.url!, 'GET', `/v1/keys/${early[0].id}/history`, { key: admin.key });
      return res.status === 200 && res;
    });
    expect(history.body.items.map((e: { type: string }) => e.type)).toEqual(['KeyUsed']);
    expect(history.body.archived).toMatchObject({ throughPosition: run.through.position, manifest: run.manifest });
    // an unknown key is still 404
    expect((await call(api.url!, 'GET', `/v1/keys/00000000-0000-4000-8000-000000000000/state?at=${new Date().toISOString()}`, { key: admin.key })).status).toBe(404);
  }, 120_000);

  it('projections rebuild says it cannot start before the archive, and changes nothing', async () => {
    const keysBefore = await sql.query('SELECT id, status FROM api_keys ORDER BY id');
    const r = await runCli(['projections', 'rebuild'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the log starts at position \d+: positions 1 to \d+ were archived .* cannot replay it from position 1; the read models were left as they are/);
    expect(await sql.query('SELECT id, status FROM api_keys ORDER BY id')).toEqual(keysBefore);
  }, 60_000);

  it('a second archive into the same directory starts at the first one\'s seal; both verify as one chain', async () => {
    const before = new Date();
    await until('the log past another partition', async () => {
      await call(api.url!, 'GET', '/v1/me', { key: admin.key });
      const [row] = await sql.query(`SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS last FROM events_position_seq`);
      const [first] = await sql.query(`SELECT min(position) AS p FROM events WHERE occurred_at >= $1`, [before]);
      return first.p !== null && Number(row.last) > Number(first.p) + WIDTH;
    });
    const second = await runCliJson<typeof run>(['audit', 'archive', '--before', before.toISOString(), '--out', archiveDir, '--json'], env);
    expect(second.startsAfter).toEqual(run.through);
    expect(second.segments.length).toBeGreaterThanOrEqual(1);
    const both = await runCliJson<{ ok: boolean; manifests: number; live: { ok: boolean } }>(['audit', 'verify', '--archive', archiveDir, '--json'], env);
    expect(both).toMatchObject({ ok: true, manifests: 2, live: { ok: true } });
    expect(await runCliJson(['audit', 'verify', '--json'], env)).toMatchObject({ ok: true, archived: { throughPosition: second.through.position } });
    // nothing more to archive before the same instant
    const none = await runCliJson<{ manifest: string | null }>(['audit', 'archive', '--before', before.toISOString(), '--out', archiveDir, '--json'], env);
    expect(none.manifest).toBeNull();
  }, 120_000);

  it('refuses a bad --before and an archive without a signing key, changing nothing', async () => {
    const count = async () => (await sql.query('SELECT count(*)::int AS n FROM events_partition_bounds'))[0].n;
    const parts = await count();
    const bad = await runCli(['audit', 'archive', '--before', 'yesterday', '--out', archiveDir], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/before/i);
    const { AUDIT_SIGNING_KEY: _key, ...unsigned } = env;
    const noKey = await runCli(['audit', 'archive', '--before', new Date().toISOString(), '--out', path.join(root, 'unsigned')], unsigned);
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toContain('AUDIT_SIGNING_KEY is not set');
    expect(await count()).toBe(parts);
  }, 60_000);

  it('the worker archives on its schedule (AUDIT_ARCHIVE_AFTER_DAYS, AUDIT_ARCHIVE_DIR)', async () => {
    // a log of its own whose first partitions are three days old
    const other = await createTestDatabase();
    const otherSql = new DataSource({ type: 'postgres', url: other.url, extra: { max: 2 } });
    await otherSql.initialize();
    let scheduled: RunningProcess | undefined;
    try {
      await narrowPartitions(otherSql);
      const store = new EventStore(otherSql);
      const old = new Date(Date.now() - 3 * 86_400_000);
      for (let i = 0; i < 3; i++) {
        await store.append(
          Array.from({ length: WIDTH }, (_, n) => ({ streamId: `thing-${i}-${n}`, type: 'ThingHappened', companyId: null, actor: { type: 'system' as const, id: 'test' }, data: { i, n }, occurredAt: old })),
          { expectedVersions: {} },
        );
      }
      await store.append([{ streamId: 'recent', type: 'ThingHappened', companyId: null, actor: { type: 'system', id: 'test' }, data: {} }], { expectedVersions: {} });
      const dir = path.join(root, 'scheduled');
      const otherEnv = processEnv(testConfig({ DATABASE_URL: other.url }), { AUDIT_ARCHIVE_AFTER_DAYS: '1', AUDIT_ARCHIVE_DIR: dir });
      scheduled = await startProcess('worker', otherEnv);
      const recorded = await until('AuditArchived by the worker', async () => {
        const [row] = await otherSql.query(`SELECT actor, data FROM events WHERE type = 'AuditArchived'`);
        return row;
      }, 90_000);
      expect(recorded).toMatchObject({ actor: { type: 'system', id: 'worker' }, data: { firstPosition: 1, throughPosition: 3 * WIDTH, events: 3 * WIDTH } });
      const verified = await runCliJson<{ ok: boolean; live: { ok: boolean } }>(['audit', 'verify', '--archive', dir, '--json'], otherEnv);
      expect(verified).toMatchObject({ ok: true, live: { ok: true } });
    } finally {
      await scheduled?.stop();
      await otherSql.destroy();
      await other.drop();
    }
  }, 180_000);
});
