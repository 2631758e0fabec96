import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { checkpointPayload, publicKeyFingerprint } from '@keyward/audit';
import { APPEND_LOCK, computeEventHash, toStoredEvent } from '@keyward/event-store';
import { TestDatabase, createTestDatabase, testConfig } from '@keyward/testing';
import { RunningProcess, processEnv, redactKeys, runCli, runCliJson, startProcess } from './support/processes';
import { call } from './support/stack';

/**
 * The whole command line of the audit trail, as built (`npm run build`): operator commands on the
 * database, auditor commands over HTTP against a real API and worker, offline verification with no
 * configuration at all.
 */
describe('keyward command line: users, key deletion, audit list/export/verify', () => {
  let db: TestDatabase;
  let sql: DataSource;
  let dir: string;
  /** The operator's environment: the database, Redis, the pepper and the signing key. */
  let env: NodeJS.ProcessEnv;
  let api: RunningProcess;
  let worker: RunningProcess;
  let admin: { companyId: string; userId: string; keyId: string; key: string };
  /** The auditor's environment: the API and a key, and nothing of the server's configuration. */
  let auditor: NodeJS.ProcessEnv;
  const offline: NodeJS.ProcessEnv = {};

  const file = (name: string) => path.join(dir, name);
  const lines = async (name: string) => (await readFile(file(name), 'utf8')).split('\n').filter(Boolean);

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = await mkdtemp(path.join(tmpdir(), 'keyward-cli-audit-'));
    env = processEnv(testConfig({ DATABASE_URL: db.url }), { AUDIT_CHECKPOINT_MS: '2000' });
    sql = new DataSource({ type: 'postgres', url: db.url, extra: { max: 2 } });
    await sql.initialize();
    admin = await runCliJson(['bootstrap', '--json'], env);
    [api, worker] = await Promise.all([startProcess('api', env), startProcess('worker', env)]);
    auditor = { KEYWARD_URL: api.url, KEYWARD_API_KEY: admin.key };
  }, 120_000);

  afterAll(async () => {
    await Promise.all([api?.stop(), worker?.stop()]);
    await sql?.destroy();
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const failOutput = (r: { stdout: string; stderr: string }) => redactKeys(`${r.stdout}\n${r.stderr}`);

  describe('users', () => {
    it('creates users with a role or permissions and lists them', async () => {
      const reader = await runCliJson<{ id: string; permissions: string[] }>(
        ['users', 'create', '--company', admin.companyId, '--email', 'reader@acme.test', '--name', 'Reader', '--role', 'READONLY', '--json'],
        env,
      );
      expect(reader.permissions).toEqual(['audit:read', 'keys:read', 'users:read']);
      const writer = await runCliJson<{ permissions: string[] }>(
        ['users', 'create', '--company', admin.companyId, '--email', 'writer@acme.test', '--name', 'Writer', '--permissions', 'keys:write,keys:read', '--json'],
        env,
      );
      expect(writer.permissions).toEqual(['keys:read', 'keys:write']);

      const table = await runCli(['users', 'list', '--company', admin.companyId], env);
      expect(table.code).toBe(0);
      expect(table.stdout).toMatch(/^ID\s+EMAIL\s+NAME\s+PERMISSIONS\s+DISABLED/m);
      expect(table.stdout).toContain('reader@acme.test');
      const page = await runCliJson<{ items: { email: string }[] }>(['users', 'list', '--company', admin.companyId, '--json'], env);
      expect(page.items.map((u) => u.email)).toEqual(['admin@localhost', 'reader@acme.test', 'writer@acme.test']);
    });

    it('refuses an unknown permission, a duplicate e-mail and a missing role, changing nothing', async () => {
      const before = await eventCount();
      const typo = await runCli(['users', 'create', '--company', admin.companyId, '--email', 'x@acme.test', '--name', 'X', '--permissions', 'keys:raed'], env);
      expect(typo.code).toBe(1);
      expect(typo.stderr).toMatch(/unknown permission keys:raed/);
      const dup = await runCli(['users', 'create', '--company', admin.companyId, '--email', 'reader@acme.test', '--name', 'R', '--role', 'READONLY'], env);
      expect(dup.code).toBe(1);
      expect(dup.stderr).toMatch(/email: a user with this e-mail already exists/);
      const none = await runCli(['users', 'create', '--company', admin.companyId, '--email', 'y@acme.test', '--name', 'Y'], env);
      expect(none.code).toBe(1);
      expect(none.stderr).toMatch(/give --role or --permissions/);
      expect(await eventCount()).toBe(before);
    });
  });

  it('deletes a key: refused by the API at once, gone from lists, its history kept', async () => {
    const created = await runCliJson<{ id: string; key: string }>(
      ['keys', 'create', '--company', admin.companyId, '--owner', admin.userId, '--name', 'doomed', '--role', 'READONLY', '--json'],
      env,
    );
    expect((await call(api.url!, 'GET', '/v1/me', { key: created.key })).status).toBe(200);

    const deleted = await runCli(['keys', 'delete', created.id, '--company', admin.companyId], env);
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toContain(`deleted ${created.id}`);
    expect((await call(api.url!, 'GET', '/v1/me', { key: created.key })).status).toBe(401);
    expect((await runCli(['keys', 'list', '--company', admin.companyId], env)).stdout).not.toContain(created.id);

    const again = await runCli(['keys', 'delete', created.id, '--company', admin.companyId, '--json'], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/was not found/);
    const history = await runCliJson<{ items: { type: string }[] }>(
      ['audit', 'list', '--key-id', created.id, '--type', 'KeyCreated,KeyDeleted', '--json'],
      auditor,
    );
    expect(history.items.map((e) => e.type)).toEqual(['KeyCreated', 'KeyDeleted']);
  });

  describe('audit list and export (auditor: HTTP API with a key, no database settings)', () => {
    it('lists with the filters of the API, as a table or JSON, following cursors with --all', async () => {
      for (let i = 0; i < 3; i++) await call(api.url!, 'GET', '/v1/me', { key: admin.key, headers: { 'x-request-id': `cli-audit-${i}` } });
      // usage reaches the log in batches, through the worker
      await waitFor(async () => {
        const used = await runCliJson<{ items: { metadata: { requestId?: string } }[] }>(['audit', 'list', '--type', 'KeyUsed', '--limit', '500', '--json'], auditor);
        return used.items.filter((e) => e.metadata.requestId?.startsWith('cli-audit-')).length === 3;
      });

      const table = await runCli(['audit', 'list', '--type', 'KeyUsed', '--request-id', 'cli-audit-1'], auditor);
      expect(table.code).toBe(0);
      expect(table.stdout).toMatch(/^POSITION\s+OCCURREDAT\s+TYPE\s+ACTOR\s+KEYID\s+IP\s+REQUESTID\s+DETAIL/m);
      expect(table.stdout).toMatch(/KeyUsed .*cli-audit-1\s+GET \/v1\/me → 200/);
      expect(table.stdout.trim().split('\n')).toHaveLength(2);

      const byActor = await runCliJson<{ items: { type: string }[] }>(['audit', 'list', '--actor-id', admin.keyId, '--ip', '127.0.0.1', '--json'], auditor);
      expect(byActor.items.length).toBeGreaterThanOrEqual(3);
      const future = await runCliJson<{ items: unknown[] }>(['audit', 'list', '--from', '2999-01-01T00:00:00Z', '--json'], auditor);
      expect(future.items).toEqual([]);

      const first = await runCliJson<{ items: { position: number }[]; nextCursor: string | null }>(['audit', 'list', '--limit', '2', '--json'], auditor);
      expect(first.items).toHaveLength(2);
      expect(first.nextCursor).not.toBeNull();
      const paged = await runCliJson<{ items: { position: number }[] }>(['audit', 'list', '--limit', '2', '--all', '--type', 'KeyCreated,UserCreated', '--json'], auditor);
      const whole = await runCliJson<{ items: { position: number }[] }>(['audit', 'list', '--limit', '500', '--type', 'KeyCreated,UserCreated', '--json'], auditor);
      expect(paged.items.map((e) => e.position)).toEqual(whole.items.map((e) => e.position));
      expect(whole.items.length).toBeGreaterThan(2);
      expect(JSON.stringify(whole)).not.toContain(admin.key);
    });

    it('says what is wrong: no key, a key without audit:read, a bad filter, no API', async () => {
      const noKey = await runCli(['audit', 'list'], { KEYWARD_URL: api.url });
      expect(noKey.code).toBe(1);
      expect(noKey.stderr).toMatch(/an API key is needed: set KEYWARD_API_KEY/);

      const limited = await runCliJson<{ key: string }>(
        ['keys', 'create', '--company', admin.companyId, '--owner', admin.userId, '--name', 'no-audit', '--permissions', 'keys:read', '--json'],
        env,
      );
      const forbidden = await runCli(['audit', 'export', '--out', file('never.jsonl')], { ...auditor, KEYWARD_API_KEY: limited.key });
      expect(forbidden.code).toBe(1);
      expect(forbidden.stderr).toMatch(/the API answered 403 INSUFFICIENT_PERMISSIONS/);
      expect(forbidden.stderr).not.toContain(limited.key);
      await expect(readFile(file('never.jsonl'))).rejects.toThrow();

      const badType = await runCli(['audit', 'list', '--type', 'KeyEaten'], auditor);
      expect(badType.code).toBe(1);
      expect(badType.stderr).toMatch(/400 VALIDATION_FAILED: type:/);
      const badTime = await runCli(['audit', 'list', '--from', 'yesterday'], auditor);
      expect(badTime.code).toBe(1);
      expect(badTime.stderr).toMatch(/--from <instant>.*must be an ISO 8601 date-time/);

      const down = await runCli(['audit', 'list'], { ...auditor, KEYWARD_URL: 'http://127.0.0.1:9' });
      expect(down.code).toBe(1);
      expect(down.stderr).toMatch(/cannot reach the API at http:\/\/127\.0\.0\.1:9/);
    });

    it('exports JSON lines and CSV to files, each recorded as AuditExported', async () => {
      const jsonl = await runCliJson<{ events: number; bytes: number; recordedAt: number | null }>(['audit', 'export', '--out', file('all.jsonl'), '--json'], auditor);
      const exported = await lines('all.jsonl');
      expect(jsonl.events).toBe(exported.length);
      expect(jsonl.recordedAt).toEqual(expect.any(Number)); // its own AuditExported record, found and complete
      expect(exported.map((l) => JSON.parse(l).position)).toEqual(
        (await sql.query('SELECT position FROM events WHERE company_id = $1 AND position <= $2 ORDER BY position', [admin.companyId, JSON.parse(exported.at(-1)!).position])).map((r: { position: string }) => Number(r.position)),
      );

      const csv = await runCli(['audit', 'export', '--format', 'csv', '--type', 'KeyCreated', '--out', file('created.csv')], auditor);
      expect(csv.code).toBe(0);
      expect(csv.stdout).toMatch(/^exported \d+ events .* to .*created\.csv/m);
      const rows = (await readFile(file('created.csv'), 'utf8')).trim().split('\r\n');
      expect(rows[0]).toBe('position,eventId,streamId,streamVersion,type,occurredAt,companyId,actor,data,metadata,prevHash,hash');
      expect(rows.slice(1).every((r) => r.includes(',KeyCreated,'))).toBe(true);

      const again = await runCli(['audit', 'export', '--out', file('all.jsonl')], auditor);
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/exists \(use --force to overwrite it\)/);

      const recorded = await runCliJson<{ items: { data: { format: string; completed: boolean } }[] }>(['audit', 'list', '--type', 'AuditExported', '--json'], auditor);
      expect(recorded.items.map((e) => e.data)).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ format: 'jsonl', completed: true, rows: jsonl.events }),
          expect.objectContaining({ format: 'csv', completed: true }),
        ]),
      );
    });
  });

  describe('audit verify --file (offline: no database, no configuration)', () => {
    it('verifies an export made through the HTTP API', async () => {
      const result = await runCliJson<{ ok: boolean; rows: number; gaps: number }>(['audit', 'verify', '--file', file('all.jsonl'), '--json'], offline);
      expect(result).toMatchObject({ ok: true, rows: (await lines('all.jsonl')).length });
      const text = await runCli(['audit', 'verify', '--file', file('all.jsonl')], offline);
      expect(text.code).toBe(0);
      expect(text.stdout).toMatch(/^export intact: \d+ events, every hash recomputed/m);
      expect(text.stderr).toBe('');
    });

    it('names the position and line of an edited event, and of a removed one with --strict', async () => {
      const exported = await lines('all.jsonl');
      const victim = JSON.parse(exported[3]);
      const forged = [...exported];
      forged[3] = JSON.stringify({ ...victim, data: { ...victim.data, name: 'forged' } });
      await writeFile(file('edited.jsonl'), forged.join('\n') + '\n');
      const edited = await runCli(['audit', 'verify', '--file', file('edited.jsonl')], offline);
      expect(edited.code).toBe(2);
      expect(edited.stdout).toContain(`EXPORT BROKEN at position ${victim.position} (hash_mismatch), line 4`);
      expect(JSON.parse((await runCli(['audit', 'verify', '--file', file('edited.jsonl'), '--json'], offline)).stdout)).toMatchObject({
        ok: false,
        firstBadPosition: victim.position,
        reason: 'hash_mismatch',
        line: 4,
      });

      // a whole event taken out: each remaining hash holds, only the link is missing
      await writeFile(file('gap.jsonl'), exported.filter((_, i) => i !== 3).join('\n') + '\n');
      const after = JSON.parse(exported[4]).position;
      const strict = await runCli(['audit', 'verify', '--file', file('gap.jsonl'), '--strict'], offline);
      expect(strict.code).toBe(2);
      expect(strict.stdout).toContain(`EXPORT BROKEN at position ${after} (prev_hash_mismatch), line 4`);
      expect(await runCliJson(['audit', 'verify', '--file', file('gap.jsonl'), '--json'], offline)).toMatchObject({ ok: true, gaps: 1 });
    });

    it('refuses a CSV export and a missing file with a message', async () => {
      const csv = await runCli(['audit', 'verify', '--file', file('created.csv')], offline);
      expect(csv.code).toBe(1);
      expect(csv.stderr).toMatch(/this is a CSV export; offline verification reads JSON lines/);
      const missing = await runCli(['audit', 'verify', '--file', file('nope.jsonl')], offline);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/no such file/);
    });
  });

  describe('audit verify (operator: the database)', () => {
    it('prints one JSON line and nothing else with --json', async () => {
      const r = await runCli(['audit', 'verify', '--json'], env);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout.trim().split('\n')).toHaveLength(1);
      expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, checked: expect.any(Number), checkpoints: { checked: expect.any(Number) } });
    });

    (hasScript() ? it : it.skip)('shows a progress bar on a terminal, never with --json', async () => {
      const bar = onTerminal(['audit', 'verify'], env);
      expect(bar.code).toBe(0);
      expect(bar.output).toMatch(/verifying \[[=-]+\] 100% \| [\d,]+\/[\d,]+ events/);
      expect(bar.output).toMatch(/chain intact: [\d,]+ events checked/);
      const json = onTerminal(['audit', 'verify', '--json'], env);
      expect(json.code).toBe(0);
      expect(json.output.trim()).toMatch(/^\{"ok":true.*\}$/);
    });

    it('reports a stored checkpoint re-signed with another key (and stored with it) as not trusted, as the API does', async () => {
      // two signed checkpoints at least: the oldest stays genuine (the next test keeps it), the newest is forged
      await waitFor(async () => (await call(api.url!, 'GET', '/v1/audit-events/checkpoints', { key: admin.key })).body.items.length >= 2);
      const page = (await call(api.url!, 'GET', '/v1/audit-events/checkpoints', { key: admin.key })).body;
      const target = page.items[0];
      const forger = generateKeyPairSync('ed25519');
      const forgerPem = forger.publicKey.export({ type: 'spki', format: 'pem' }) as string;
      // the same statement, signed by the forger (what a rewrite of the log would need, with a new hash);
      // its content is left as it was, so that checkpoints the worker signs meanwhile still link to it
      await sql.transaction(async (m) => {
        await m.query('SET LOCAL session_replication_role = replica');
        await m.query('UPDATE audit_checkpoints SET signature = $2, public_key = $3 WHERE position = $1', [
          target.position,
          sign(null, checkpointPayload(target), forger.privateKey).toString('base64'),
          forgerPem,
        ]);
      });
      const expected = { unverifiable: 1, firstUnverifiable: { position: target.position, keyFingerprint: publicKeyFingerprint(forgerPem) } };

      const json = await runCliJson<{ ok: boolean; checkpoints: Record<string, unknown> }>(['audit', 'verify', '--json'], env);
      expect(json.checkpoints).toMatchObject({ ...expected, signingKey: { fingerprint: publicKeyFingerprint(page.publicKey) } });
      expect(json.checkpoints.firstContradicted).toBeUndefined();
      const text = await runCli(['audit', 'verify'], env);
      expect(text.code).toBe(0);
      expect(text.stdout).toMatch(new RegExp(`1 signed checkpoint NOT TRUSTED: stored with another key \\(${publicKeyFingerprint(forgerPem)}, first at position ${target.position}\\)`));
      expect((await call(api.url!, 'GET', '/v1/audit-events/verify', { key: admin.key })).body.checkpoints).toMatchObject(expected);

      // without a configured signing key, nothing stored is trusted, and the answer says so
      const { AUDIT_SIGNING_KEY: _configured, ...unsigned } = env;
      const bare = await runCliJson<{ checkpoints: { signingKey: unknown; checked: number; unverifiable: number } }>(['audit', 'verify', '--json'], unsigned);
      expect(bare.checkpoints).toMatchObject({ signingKey: null, checked: 0 });
      expect(bare.checkpoints.unverifiable).toBeGreaterThanOrEqual(page.items.length);
      expect((await runCli(['audit', 'verify'], unsigned)).stdout).toMatch(/signed checkpoints NOT VERIFIED: AUDIT_SIGNING_KEY is not set/);
    });

    it('holds a kept checkpoint against the log: valid, then contradicted by a superuser rewrite', async () => {
      await waitFor(async () => (await call(api.url!, 'GET', '/v1/audit-events/checkpoints', { key: admin.key })).body.items.length > 0);
      const page = (await call(api.url!, 'GET', '/v1/audit-events/checkpoints', { key: admin.key })).body;
      const kept = page.items[page.items.length - 1]; // the oldest: the rewrite starts before it
      await writeFile(file('checkpoint.json'), JSON.stringify(kept));
      await writeFile(file('public.pem'), page.publicKey);

      const holds = await runCliJson<{ ok: boolean; kept: { ok: boolean; position: number; signatureValid: boolean }[] }>(
        ['audit', 'verify', '--checkpoint', file('checkpoint.json'), '--public-key', file('public.pem'), '--json'],
        env,
      );
      expect(holds).toMatchObject({ ok: true, kept: [{ ok: true, position: kept.position, signatureValid: true }] });

      // a superuser edits one early event, re-chains every event after it and removes the stored
      // checkpoints: the log alone is consistent again (the worker, which signs checkpoints, is
      // stopped first so that it cannot sign the old head while the rewrite commits)
      await worker.stop();
      const [target] = await sql.query(`SELECT position FROM events WHERE type = 'UserCreated' ORDER BY position LIMIT 1`);
      expect(Number(target.position)).toBeLessThanOrEqual(kept.position);
      await sql.transaction(async (m) => {
        await m.query('SELECT pg_advisory_xact_lock($1)', [APPEND_LOCK]);
        await m.query('SET LOCAL session_replication_role = replica');
        const rows = (await m.query('SELECT *, transaction_id::text AS transaction_id FROM events WHERE position >= $1 ORDER BY position', [target.position])).map(toStoredEvent);
        let [{ hash: prevHash }] = await m.query('SELECT hash FROM events WHERE position < $1 ORDER BY position DESC LIMIT 1', [target.position]);
        for (const e of rows) {
          const data = e.position === Number(target.position) ? { ...e.data, permissions: ['admin.system.api'] } : e.data;
          const hash = computeEventHash({ ...e, data, prevHash });
          await m.query('UPDATE events SET data = $2, prev_hash = $3, hash = $4 WHERE position = $1', [e.position, data, prevHash, hash]);
          prevHash = hash;
        }
        await m.query('DELETE FROM audit_checkpoints');
      });
      const plain = await runCliJson<{ ok: boolean }>(['audit', 'verify', '--json'], env);
      expect(plain.ok).toBe(true); // undetectable from the database alone ...

      const caught = await runCli(['audit', 'verify', '--checkpoint', file('checkpoint.json'), '--public-key', file('public.pem')], env);
      expect(caught.code).toBe(2); // ... but the kept checkpoint contradicts it
      expect(caught.stdout).toMatch(/^chain intact/m);
      expect(caught.stdout).toContain(`KEPT CHECKPOINT CONTRADICTED at position ${kept.position}: signed ${kept.hash.slice(0, 12)}`);
      const json = JSON.parse((await runCli(['audit', 'verify', '--checkpoint', file('checkpoint.json'), '--json'], env)).stdout);
      expect(json).toMatchObject({ ok: false, kept: [{ ok: false, signatureValid: true, reason: 'hash_differs', signedHash: kept.hash }] });
      expect(json.kept[0].logHash).not.toBe(kept.hash);

      // a checkpoint that was itself altered proves nothing, and says so
      await writeFile(file('forged-checkpoint.json'), JSON.stringify({ ...kept, hash: json.kept[0].logHash }));
      const forged = await runCli(['audit', 'verify', '--checkpoint', file('forged-checkpoint.json'), '--public-key', file('public.pem')], env);
      expect(forged.code).toBe(1);
      expect(forged.stdout).toMatch(/SIGNATURE NOT VALID/);
      expect(forged.stderr).toMatch(/does not carry a valid signature/);
    });
  });

  async function eventCount(): Promise<number> {
    return Number((await sql.query(`SELECT count(*) AS n FROM events WHERE type NOT IN ('KeyUsed', 'AuthenticationFailed')`))[0].n);
  }

  /** Runs the built command line under a pseudo-terminal (util-linux `script`): stdout and stderr together. */
  function onTerminal(args: string[], environment: NodeJS.ProcessEnv): { code: number | null; output: string } {
    const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    const command = [process.execPath, path.resolve(__dirname, '../dist/apps/cli/src/main.js'), ...args].map(quote).join(' ');
    const r = spawnSync('script', ['-qec', command, '/dev/null'], { env: { PATH: process.env.PATH, TERM: 'xterm', ...environment }, encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) throw new Error(`under a terminal, keyward ${args.join(' ')} exited with ${r.status}:\n${failOutput({ stdout: r.stdout, stderr: r.stderr })}`);
    return { code: r.status, output: r.stdout.replace(/\r/g, '') };
  }
});

function hasScript(): boolean {
  return spawnSync('script', ['--version']).status === 0;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}
