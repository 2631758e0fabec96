import { createPublicKey } from 'node:crypto';
import { CommandBus } from '@nestjs/cqrs';
import { EntityManager } from 'typeorm';
import { Checkpoint, OfflineVerifier, SignCheckpointCommand, checkpointSignatureValid } from '@keyward/audit';
import { APPEND_LOCK, GENESIS_HASH, computeEventHash, toStoredEvent } from '@keyward/event-store';
import { BootstrapCommand } from '@keyward/keys';
import { Stack, call, startStack } from './support/stack';

/** What a superuser can do: switch the append-only triggers off for one transaction. */
const asSuperuser = (s: Stack, work: (m: EntityManager) => Promise<unknown>) =>
  s.sql.transaction(async (m) => {
    await m.query('SET LOCAL session_replication_role = replica');
    await work(m);
  });

describe('audit trail (one API and one worker)', () => {
  let s: Stack;
  let admin: string;
  const get = (path: string, key = admin) => call(s.url, 'GET', path, { key });
  let key: { id: string; key: string };
  let createdAt: number;

  beforeAll(async () => {
    s = await startStack();
    admin = s.admin.key;
    key = (await call(s.url, 'POST', '/v1/keys', { key: admin, body: { name: 'audited', permissions: ['keys:read', 'audit:read'] } })).body;
    createdAt = Date.now();
    await new Promise((r) => setTimeout(r, 20));
    await call(s.url, 'PATCH', `/v1/keys/${key.id}`, { key: admin, body: { permissions: ['keys:read'] } });
    for (let i = 0; i < 3; i++) await call(s.url, 'GET', '/v1/me', { key: key.key, headers: { 'x-request-id': `audit-${i}` } });
    await call(s.url, 'POST', `/v1/keys/${key.id}/revoke`, { key: admin, body: { reason: 'done' } });
    await s.settleUsage();
  });
  afterAll(async () => s?.close());

  it('lists the company log in order, filtered, with a cursor', async () => {
    const all = await get('/v1/audit-events?limit=500');
    expect(all.status).toBe(200);
    const positions = all.body.items.map((e: { position: number }) => e.position);
    expect(positions).toEqual([...positions].sort((a: number, b: number) => a - b));
    expect(all.body.items[0]).toMatchObject({ type: 'CompanyCreated', companyId: s.admin.companyId });

    const lifecycle = await get(`/v1/audit-events?keyId=${key.id}&type=KeyCreated,KeyUpdated,KeyRevoked`);
    expect(lifecycle.body.items.map((e: { type: string }) => e.type)).toEqual(['KeyCreated', 'KeyUpdated', 'KeyRevoked']);
    expect(lifecycle.body.items[0].data.hash).toMatch(/^[0-9a-f]{64}$/); // the HMAC, never the key
    expect(JSON.stringify(all.body)).not.toContain(key.key);

    const used = await get(`/v1/audit-events?type=KeyUsed&requestId=audit-1`);
    expect(used.body.items).toHaveLength(1);
    expect(used.body.items[0].data).toMatchObject({ keyId: key.id, route: '/v1/me', status: 200 });
    expect((await get(`/v1/audit-events?type=KeyUsed&keyId=${key.id}&ip=127.0.0.1`)).body.items).toHaveLength(3);
    expect((await get(`/v1/audit-events?actorId=${s.admin.keyId}&type=KeyRevoked`)).body.items).toHaveLength(1);
    expect((await get(`/v1/audit-events?from=${new Date(createdAt).toISOString()}&type=KeyCreated`)).body.items).toHaveLength(0);

    const pages: number[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { position: number }[]; nextCursor: string | null } } = await get(
        `/v1/audit-events?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
      );
      pages.push(...page.body.items.map((e) => e.position));
      cursor = page.body.nextCursor;
    } while (cursor);
    // this test's own requests keep adding KeyUsed events: compare what both walks saw
    expect(pages.slice(0, positions.length)).toEqual(positions);
  });

  it('lists newest first with order=desc, walking back with its own cursor', async () => {
    const asc = (await get('/v1/audit-events?limit=500&type=KeyCreated,KeyUpdated,KeyRevoked,UserCreated,CompanyCreated')).body.items.map(
      (e: { position: number }) => e.position,
    );
    const desc: number[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: { position: number }[]; nextCursor: string | null } } = await get(
        `/v1/audit-events?order=desc&limit=2&type=KeyCreated,KeyUpdated,KeyRevoked,UserCreated,CompanyCreated${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.status).toBe(200);
      desc.push(...page.body.items.map((e) => e.position));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(asc.length).toBeGreaterThan(3);
    expect(desc).toEqual([...asc].reverse());

    const first = await get('/v1/audit-events?limit=1');
    const newest = await get('/v1/audit-events?limit=1&order=desc');
    // a cursor keeps the order it was returned for
    const mixed = await get(`/v1/audit-events?order=desc&cursor=${first.body.nextCursor}`);
    expect(mixed.status).toBe(400);
    expect(mixed.body.errors).toEqual([expect.objectContaining({ field: 'cursor' })]);
    expect((await get(`/v1/audit-events?cursor=${newest.body.nextCursor}`)).status).toBe(400);
    const sideways = await get('/v1/audit-events?order=sideways');
    expect(sideways.status).toBe(400);
    expect(sideways.body.errors).toEqual([expect.objectContaining({ field: 'order' })]);
  });

  it("keeps other companies' events out, and needs audit:read", async () => {
    const other = (await s.api
      .get(CommandBus)
      .execute(new BootstrapCommand({ companyName: 'Other', adminEmail: 'x@other.test', adminName: 'X', firstOnly: false })))!;
    const theirs = await get('/v1/audit-events?limit=500', other.key);
    expect(theirs.body.items.every((e: { companyId: string }) => e.companyId === other.companyId)).toBe(true);
    expect((await get(`/v1/keys/${key.id}/history`, other.key)).status).toBe(404);
    const noAudit = (await call(s.url, 'POST', '/v1/keys', { key: admin, body: { name: 'no-audit', permissions: ['keys:read'] } })).body;
    expect((await get('/v1/audit-events', noAudit.key)).status).toBe(403);
  });

  it('answers a key history and its state at an instant, by replay', async () => {
    const history = await get(`/v1/keys/${key.id}/history?limit=100`);
    const types = history.body.items.map((e: { type: string }) => e.type);
    // usage reaches the log in batches, after the request: it may follow the revoke
    expect([...types].sort()).toEqual(['KeyCreated', 'KeyRevoked', 'KeyUpdated', 'KeyUsed', 'KeyUsed', 'KeyUsed']);
    expect(types.slice(0, 2)).toEqual(['KeyCreated', 'KeyUpdated']);
    const [created, updated] = history.body.items;
    const revoked = history.body.items.find((e: { type: string }) => e.type === 'KeyRevoked');

    const atCreation = await get(`/v1/keys/${key.id}/state?at=${created.occurredAt}`);
    expect(atCreation.body).toMatchObject({
      existed: true,
      status: 'active',
      permissions: ['audit:read', 'keys:read'],
      effectivePermissions: ['audit:read', 'keys:read'],
      couldAuthenticate: true,
      asOfPosition: created.position,
    });
    expect((await get(`/v1/keys/${key.id}/state?at=${updated.occurredAt}`)).body.effectivePermissions).toEqual(['keys:read']);
    const after = await get(`/v1/keys/${key.id}/state?at=${revoked.occurredAt}`);
    expect(after.body).toMatchObject({ status: 'revoked', couldAuthenticate: false, effectivePermissions: [] });
    const before = await get(`/v1/keys/${key.id}/state?at=${new Date(Date.parse(created.occurredAt) - 1).toISOString()}`);
    expect(before.body).toMatchObject({ existed: false, status: 'not-created' });
    expect((await get(`/v1/keys/${key.id}/state?at=yesterday`)).body.errors[0].field).toBe('at');
  });

  it('exports JSON lines that verify offline, and CSV, each export recorded as AuditExported', async () => {
    // usage events keep arriving from this test's own requests: compare the rest of the log
    const settled = 'CompanyCreated,UserCreated,UserUpdated,KeyCreated,KeyUpdated,KeyRotated,KeyRevoked,KeyExpired,KeyDeleted,AuditExported';
    const jsonl = await fetch(`${s.url}/v1/audit-events/export?format=jsonl&type=${settled}`, { headers: { 'x-api-key': admin } });
    expect(jsonl.status).toBe(200);
    expect(jsonl.headers.get('content-type')).toMatch(/application\/x-ndjson/);
    const lines = (await jsonl.text()).trim().split('\n');
    const listed = (await get(`/v1/audit-events?limit=500&type=${settled}`)).body.items;
    // everything up to the export, then the export's own record
    expect(listed.length).toBe(lines.length + 1);
    expect(lines.map((l) => JSON.parse(l))).toEqual(listed.slice(0, lines.length));
    expect(listed[lines.length].type).toBe('AuditExported');

    const verifier = new OfflineVerifier();
    for (const line of lines) verifier.add(line);
    expect(verifier.finish()).toMatchObject({ ok: true, rows: lines.length });

    const forged = JSON.parse(lines[2]);
    forged.data = { ...forged.data, name: 'forged' };
    const bad = new OfflineVerifier();
    for (const line of [lines[0], lines[1], JSON.stringify(forged), lines[3]]) bad.add(line);
    expect(bad.finish()).toMatchObject({ ok: false, firstBadPosition: forged.position, reason: 'hash_mismatch' });

    const csv = await fetch(`${s.url}/v1/audit-events/export?format=csv&type=KeyRevoked`, { headers: { 'x-api-key': admin } });
    const rows = (await csv.text()).trim().split('\r\n');
    expect(rows[0]).toBe('position,eventId,streamId,streamVersion,type,occurredAt,companyId,actor,data,metadata,prevHash,hash');
    expect(rows).toHaveLength(2);
    expect(rows[1]).toContain(',KeyRevoked,');

    const exported = await get('/v1/audit-events?type=AuditExported');
    expect(exported.body.items.map((e: { data: { format: string; rows: number; completed: boolean } }) => e.data)).toEqual([
      expect.objectContaining({ format: 'jsonl', rows: lines.length, completed: true }),
      expect.objectContaining({ format: 'csv', rows: 1, completed: true, filter: expect.objectContaining({ types: ['KeyRevoked'] }) }),
    ]);
    expect((await get('/v1/audit-events/export?format=xml')).body.errors[0].field).toBe('format');
  });

  describe('integrity', () => {
    it('verifies, signs the head, and lists checkpoints with the public key', async () => {
      const v = await get('/v1/audit-events/verify');
      expect(v.body).toMatchObject({ ok: true, checkpoints: { checked: expect.any(Number) } });
      const signed: Checkpoint = (await s.worker.get(CommandBus).execute(new SignCheckpointCommand()))!;
      // the head as of signing: this test's own requests may have added usage events since the verify
      expect(signed.position).toBeGreaterThanOrEqual(v.body.head.position);
      const [stored] = await s.sql.query('SELECT hash FROM events WHERE position = $1', [signed.position]);
      expect(signed.hash).toBe(stored.hash);
      const list = await get('/v1/audit-events/checkpoints');
      expect(list.body.algorithm).toBe('Ed25519');
      expect(list.body.items[0]).toEqual(signed);
      expect(checkpointSignatureValid(signed, list.body.publicKey)).toBe(true);
      expect(createPublicKey(list.body.publicKey).asymmetricKeyType).toBe('ed25519');
      expect(checkpointSignatureValid({ ...signed, hash: GENESIS_HASH }, list.body.publicKey)).toBe(false);
    });

    it('names the position of an inserted event', async () => {
      const head = (await get('/v1/audit-events/verify')).body.head;
      // the usage of the requests so far is appended first: an append between the forgery and the
      // verification would chain to the forged event and break the chain before it
      await s.settleUsage();
      const [victim] = await s.sql.query('SELECT position FROM events WHERE position < $1 ORDER BY position DESC LIMIT 1 OFFSET 3', [head.position]);
      // a fabricated event, hashed correctly, claiming to follow an event in the middle of the chain
      await asSuperuser(s, async (m) => {
        const [prev] = await m.query('SELECT hash FROM events WHERE position = $1', [victim.position]);
        const e = {
          position: 1_000_000,
          eventId: '00000000-0000-4000-8000-000000000001',
          streamId: 'key-forged',
          streamVersion: 1,
          type: 'KeyCreated',
          occurredAt: new Date(),
          companyId: s.admin.companyId,
          actor: { type: 'system' as const, id: 'x' },
          data: {},
          metadata: {},
          prevHash: prev.hash,
        };
        await m.query(
          `INSERT INTO events (position, event_id, stream_id, stream_version, type, occurred_at, company_id, actor, data, metadata, prev_hash, hash)
           VALUES ($1, $2, $3, 1, $4, $5, $6, $7, '{}', '{}', $8, $9)`,
          [e.position, e.eventId, e.streamId, e.type, e.occurredAt, e.companyId, e.actor, e.prevHash, computeEventHash(e)],
        );
      });
      const v = await get('/v1/audit-events/verify');
      expect(v.body).toMatchObject({ ok: false, firstBadPosition: 1_000_000, reason: 'prev_hash_mismatch' });
      // (the forged event stays: later appends may already chain to it, as they would in real life)
    });

    it('catches a rewrite that recomputes every hash, with a kept checkpoint', async () => {
      const page = (await get('/v1/audit-events/checkpoints')).body;
      const kept: Checkpoint = page.items[0];
      // the usage of the requests so far is appended first: the forged event of the test before
      // is the log's highest position, so an append between the rewrite and the verification
      // would chain to it and break the chain after the last real event (the projector stops at
      // that forged event: appended is all there is to wait for)
      await s.appendUsage();
      const [target] = await s.sql.query(`SELECT position FROM events WHERE type = 'KeyUpdated' ORDER BY position LIMIT 1`);
      // the superuser edits one event and re-chains everything after it, so the chain is consistent again
      // (holding the append lock, as a careful forger would, so no append races the rewrite)
      await asSuperuser(s, async (m) => {
        await m.query('SELECT pg_advisory_xact_lock($1)', [APPEND_LOCK]);
        const rows = (await m.query('SELECT *, transaction_id::text AS transaction_id FROM events WHERE position >= $1 ORDER BY position', [target.position])).map(toStoredEvent);
        let [{ hash: prevHash }] = await m.query('SELECT hash FROM events WHERE position < $1 ORDER BY position DESC LIMIT 1', [target.position]);
        for (const e of rows) {
          const data = e.position === Number(target.position) ? { ...e.data, changes: { permissions: ['admin.system.api'] } } : e.data;
          const hash = computeEventHash({ ...e, data, prevHash });
          await m.query('UPDATE events SET data = $2, prev_hash = $3, hash = $4 WHERE position = $1', [e.position, data, prevHash, hash]);
          prevHash = hash;
        }
      });
      const v = await get('/v1/audit-events/verify');
      // the chain alone looks fine ...
      expect(v.body.checked).toBeGreaterThan(0);
      expect(v.body.firstBadPosition).toBeUndefined();
      // ... but it contradicts the checkpoint the auditor kept
      expect(v.body.ok).toBe(false);
      expect(v.body.checkpoints.firstContradicted).toMatchObject({ position: kept.position, signedHash: kept.hash, reason: 'hash_differs' });
      const [{ hash: now }] = await s.sql.query('SELECT hash FROM events WHERE position = $1', [kept.position]);
      expect(now).not.toBe(kept.hash);
      expect(checkpointSignatureValid(kept, page.publicKey)).toBe(true);
    });
  });
});
