import { generateKeyPairSync, sign } from 'node:crypto';
import { CommandBus } from '@nestjs/cqrs';
import { EntityManager } from 'typeorm';
import { SignCheckpointCommand, VERIFY_LOCK, VerificationScans, checkpointPayload, publicKeyFingerprint } from '@keyward/audit';
import { computeEventHash, toStoredEvent } from '@keyward/event-store';
import { BootstrapCommand, BootstrapResult } from '@keyward/keys';
import { Stack, call, startStack } from './support/stack';

/** What a superuser can do: switch the append-only triggers off for one transaction. */
const asSuperuser = (s: Stack, work: (m: EntityManager) => Promise<unknown>) =>
  s.sql.transaction(async (m) => {
    await m.query('SET LOCAL session_replication_role = replica');
    await work(m);
  });

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not reached`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * GET /v1/audit-events/verify on a log shared by two companies: the operator company (the first,
 * "Acme") verifies the installation, tenant B only its own events and learns nothing of Acme's;
 * scans run one at a time; stored checkpoints are trusted only under the configured key.
 */
describe('audit verification per company, one scan at a time, checkpoints under the configured key', () => {
  let s: Stack;
  let operator: string;
  let tenant: BootstrapResult;
  const verify = (key: string, query = '') => call(s.url, 'GET', `/v1/audit-events/verify${query}`, { key });
  const createKey = (key: string, name: string) => call(s.url, 'POST', '/v1/keys', { key, body: { name, permissions: ['keys:read'] } });

  beforeAll(async () => {
    s = await startStack();
    operator = s.admin.key;
    tenant = (await s.api
      .get(CommandBus)
      .execute(new BootstrapCommand({ companyName: 'Tenant B', adminEmail: 'b@tenant.test', adminName: 'B', firstOnly: false })))!;
    for (let i = 0; i < 3; i++) {
      expect((await createKey(operator, `acme ${i}`)).status).toBe(201);
      expect((await createKey(tenant.key, `tenant ${i}`)).status).toBe(201);
    }
    await s.settleUsage();
  });
  afterAll(async () => s?.close());

  const companyEvents = async (companyId: string, upTo: number): Promise<{ position: number; hash: string }[]> =>
    (await s.sql.query('SELECT position, hash FROM events WHERE company_id = $1 AND position <= $2 ORDER BY position', [companyId, upTo])).map(
      (r: { position: string; hash: string }) => ({ position: Number(r.position), hash: r.hash }),
    );

  it("tells a tenant its own count and last event, and nothing of the operator company's events or the log's head", async () => {
    // the log ends with the operator company's events when the tenant asks
    expect((await createKey(operator, 'acme last')).status).toBe(201);
    const [{ head }] = await s.sql.query('SELECT max(position)::int AS head FROM events');

    const mine = await verify(tenant.key);
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({ scope: 'company', ok: true });
    const own = await companyEvents(tenant.companyId, mine.body.head.position);
    expect(mine.body.checked).toBe(own.length);
    expect(mine.body.head).toEqual(own[own.length - 1]);
    expect(mine.body.head.position).toBeLessThan(head);

    const others: { position: string; hash: string }[] = await s.sql.query(
      'SELECT position, hash FROM events WHERE company_id IS DISTINCT FROM $1 AND position <= $2',
      [tenant.companyId, head],
    );
    expect(others.length).toBeGreaterThan(0);
    const text = JSON.stringify(mine.body);
    for (const e of others) expect(text).not.toContain(e.hash);
    // the installation's count is not in the answer either
    const [{ n: all }] = await s.sql.query('SELECT count(*)::int AS n FROM events WHERE position <= $1', [mine.body.head.position]);
    expect(mine.body.checked).toBeLessThan(all);

    // a company with no event at or after `from`: nothing checked, no head
    const late = await verify(tenant.key, `?from=${head + 1_000_000}`);
    expect(late.body).toMatchObject({ scope: 'company', ok: true, checked: 0, head: null });
  });

  it('gives the operator company the installation-wide answer', async () => {
    const all = await verify(operator);
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ scope: 'installation', ok: true });
    const [{ n }] = await s.sql.query('SELECT count(*)::int AS n FROM events WHERE position <= $1', [all.body.head.position]);
    expect(all.body.checked).toBe(n);
    const [last] = await s.sql.query('SELECT hash FROM events WHERE position = $1', [all.body.head.position]);
    expect(all.body.head.hash).toBe(last.hash);
  });

  it('runs concurrent identical verifications as one scan, one scan at a time, and refuses a second different one of a company', async () => {
    const scans = s.api.get(VerificationScans);
    const before = { ...scans.stats };
    // the test holds the installation's verify lock, as another API instance scanning would
    const holder = s.sql.createQueryRunner();
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1)', [VERIFY_LOCK]);
      const tenantAnswers = Array.from({ length: 5 }, () => verify(tenant.key, '?from=2'));
      const operatorAnswers = Array.from({ length: 3 }, () => verify(operator, '?from=2'));
      await until(async () => scans.stats.requests - before.requests === 8, 'all eight requests reached the scans');

      // a different verification of the same company while its first one waits: refused, not queued
      const other = await verify(tenant.key, '?from=3');
      expect(other.status).toBe(429);
      expect(other.body.code).toBe('VERIFY_BUSY');
      expect(Number(other.headers.get('retry-after'))).toBeGreaterThan(0);

      // one scan waits for the lock in Postgres; the other one waits its turn inside the instance
      // backends of this database waiting for the verify lock (a bigint advisory key: high and low halves)
      const waiting = async () =>
        Number(
          (
            await s.sql.query(
              `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                WHERE a.datname = current_database() AND l.locktype = 'advisory' AND NOT l.granted
                  AND l.classid::bigint = ($1::bigint >> 32) AND l.objid::bigint = ($1::bigint & 4294967295) AND l.objsubid = 1`,
              [VERIFY_LOCK],
            )
          )[0].n,
        );
      await until(async () => (await waiting()) > 0, 'a scan waits for the lock');
      expect(await waiting()).toBe(1);
      expect(scans.stats.scans).toBe(before.scans);
      expect(scans.stats.running).toBe(0);

      await holder.query('SELECT pg_advisory_unlock($1)', [VERIFY_LOCK]);
      const tenantReplies = await Promise.all(tenantAnswers);
      const operatorReplies = await Promise.all(operatorAnswers);
      expect(tenantReplies.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
      expect(operatorReplies.map((r) => r.status)).toEqual([200, 200, 200]);
      for (const r of tenantReplies) expect(r.body).toEqual(tenantReplies[0].body);
      for (const r of operatorReplies) expect(r.body).toEqual(operatorReplies[0].body);
      expect(tenantReplies[0].body.scope).toBe('company');
      expect(operatorReplies[0].body.scope).toBe('installation');
      // eight requests, two scans: one per distinct verification
      expect(scans.stats.scans - before.scans).toBe(2);
      expect(scans.stats.shared - before.shared).toBe(6);
      expect(scans.stats.running).toBe(0);
    } finally {
      await holder.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
      await holder.release();
    }
    // the company's turn is over: its other verification is taken now
    expect((await verify(tenant.key, '?from=3')).status).toBe(200);
  });

  describe('signed checkpoints', () => {
    const sign1 = async () => {
      await createKey(operator, `checkpointed ${Date.now()}`);
      return s.worker.get(CommandBus).execute(new SignCheckpointCommand());
    };

    it('are verified with the configured key only: one re-signed and stored with another key is reported as unverifiable, not trusted', async () => {
      await sign1();
      const newest = (await sign1())!;
      const configured = (await call(s.url, 'GET', '/v1/audit-events/checkpoints', { key: operator })).body.publicKey;
      const fine = await verify(operator);
      expect(fine.body.checkpoints).toMatchObject({ signingKey: { algorithm: 'Ed25519', fingerprint: publicKeyFingerprint(configured) }, unverifiable: 0 });
      const stored = fine.body.checkpoints.checked;
      expect(stored).toBeGreaterThanOrEqual(2);

      // a forger with database access re-signs the newest checkpoint with a key of their own, stored beside it
      const forger = generateKeyPairSync('ed25519');
      const forgerPem = forger.publicKey.export({ type: 'spki', format: 'pem' }) as string;
      const forged = { ...newest, hash: 'f'.repeat(64) };
      await asSuperuser(s, (m) =>
        m.query('UPDATE audit_checkpoints SET hash = $2, signature = $3, public_key = $4 WHERE position = $1', [
          newest.position,
          forged.hash,
          sign(null, checkpointPayload(forged), forger.privateKey).toString('base64'),
          forgerPem,
        ]),
      );
      for (const key of [operator, tenant.key]) {
        const v = await verify(key);
        expect(v.body.checkpoints).toMatchObject({
          checked: stored - 1,
          unverifiable: 1,
          firstUnverifiable: { position: newest.position, keyFingerprint: publicKeyFingerprint(forgerPem) },
        });
        expect(v.body.checkpoints.firstContradicted).toBeUndefined();
      }
      // the answer names the configured key, and never trusted the forger's
      expect(publicKeyFingerprint(forgerPem)).not.toBe(publicKeyFingerprint(configured));
    });

    it("reports a forged signature stored under the configured key, and a checkpoint whose predecessor is gone", async () => {
      const configured = (await call(s.url, 'GET', '/v1/audit-events/checkpoints', { key: operator })).body.publicKey;
      const genuine = (await sign1())!;
      expect(genuine.publicKey).toBe(configured);
      const forger = generateKeyPairSync('ed25519');
      await asSuperuser(s, (m) =>
        m.query('UPDATE audit_checkpoints SET signature = $2 WHERE position = $1', [
          genuine.position,
          sign(null, checkpointPayload(genuine), forger.privateKey).toString('base64'),
        ]),
      );
      const forged = await verify(operator);
      expect(forged.body.ok).toBe(false);
      expect(forged.body.checkpoints.firstContradicted).toMatchObject({ position: genuine.position, reason: 'signature_invalid' });
      // a tenant is told too, without the log's hash at that position
      const told = await verify(tenant.key);
      expect(told.body.ok).toBe(false);
      expect(told.body.checkpoints.firstContradicted).toEqual({ position: genuine.position, signedHash: genuine.hash, reason: 'signature_invalid' });

      // start again from a clean set: three genuine checkpoints, the middle one removed
      await asSuperuser(s, (m) => m.query('DELETE FROM audit_checkpoints'));
      const first = (await sign1())!;
      const middle = (await sign1())!;
      const last = (await sign1())!;
      expect(last.previous).toEqual({ position: middle.position, hash: middle.hash });
      expect((await verify(operator)).body).toMatchObject({ ok: true, checkpoints: { checked: 3, unverifiable: 0 } });
      await asSuperuser(s, (m) => m.query('DELETE FROM audit_checkpoints WHERE position = $1', [middle.position]));
      const gap = await verify(operator);
      expect(gap.body.ok).toBe(false);
      expect(gap.body.checkpoints.firstContradicted).toMatchObject({ position: last.position, reason: 'previous_differs' });
      expect(first.previous).toBeNull();
      await asSuperuser(s, (m) => m.query('DELETE FROM audit_checkpoints'));
    });
  });

  it("finds a tampered event of the tenant in the tenant's verification, and never reports the operator company's to it", async () => {
    await s.settleUsage();
    expect((await verify(tenant.key)).body.ok).toBe(true);
    const [acme] = await s.sql.query(`SELECT position FROM events WHERE company_id = $1 AND type = 'KeyCreated' ORDER BY position LIMIT 1`, [
      s.admin.companyId,
    ]);
    // the operator company's event is altered (its hash left as it was)
    await asSuperuser(s, (m) =>
      m.query(`UPDATE events SET data = jsonb_set(data, '{name}', '"altered"') WHERE position = $1`, [acme.position]),
    );
    const operatorSees = await verify(operator);
    expect(operatorSees.body).toMatchObject({ ok: false, firstBadPosition: Number(acme.position), reason: 'hash_mismatch' });
    const tenantSees = await verify(tenant.key);
    expect(tenantSees.body).toMatchObject({ scope: 'company', ok: true });
    expect(tenantSees.body.firstBadPosition).toBeUndefined();

    // one of the tenant's own events is altered: its verification names it
    const [mine] = await s.sql.query(`SELECT position FROM events WHERE company_id = $1 AND type = 'KeyCreated' ORDER BY position LIMIT 1`, [
      tenant.companyId,
    ]);
    await asSuperuser(s, (m) =>
      m.query(`UPDATE events SET data = jsonb_set(data, '{name}', '"altered"') WHERE position = $1`, [mine.position]),
    );
    const caught = await verify(tenant.key);
    expect(caught.body).toMatchObject({ scope: 'company', ok: false, firstBadPosition: Number(mine.position), reason: 'hash_mismatch' });
    expect(caught.body.head === null || caught.body.head.position < Number(mine.position)).toBe(true);
  });

  it("finds a tenant's event rewritten with a recomputed hash when the event after it is another company's", async () => {
    // the tenant's newest event whose successor in the log belongs to the operator company
    const [victim] = await s.sql.query(
      `SELECT e.position FROM events e
         JOIN LATERAL (SELECT company_id FROM events n WHERE n.position > e.position ORDER BY n.position LIMIT 1) n ON true
        WHERE e.company_id = $1 AND n.company_id = $2
          -- not the one the test before altered
          AND e.position <> (SELECT min(position) FROM events WHERE company_id = $1 AND type = 'KeyCreated')
        ORDER BY e.position DESC LIMIT 1`,
      [tenant.companyId, s.admin.companyId],
    );
    expect(victim).toBeDefined();
    await asSuperuser(s, async (m) => {
      const [row] = await m.query('SELECT *, transaction_id::text AS transaction_id FROM events WHERE position = $1', [victim.position]);
      const e = toStoredEvent(row);
      const data = { ...e.data, forged: true };
      await m.query('UPDATE events SET data = $2, hash = $3 WHERE position = $1', [e.position, data, computeEventHash({ ...e, data })]);
    });
    const v = await verify(tenant.key, `?from=${Number(victim.position)}`);
    expect(v.body).toMatchObject({ scope: 'company', ok: false, firstBadPosition: Number(victim.position), reason: 'next_prev_hash_mismatch' });
  });
});
