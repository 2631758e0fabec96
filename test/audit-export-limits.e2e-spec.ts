import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { CommandBus } from '@nestjs/cqrs';
import { EventStore } from '@keyward/event-store';
import { BootstrapCommand, BootstrapResult } from '@keyward/keys';
import { Stack, startStack } from './support/stack';

/**
 * An export holds a database cursor and a slot while its client reads. A client that stops
 * reading, or an export that runs too long, must not hold them for ever; one company's slow
 * reader must not lock the other companies out.
 */

/** Enough events of one company that the response cannot sit in socket buffers: the export waits on its client. */
async function bulk(s: Stack, companyId: string): Promise<void> {
  const store = s.api.get(EventStore);
  for (let batch = 0; batch < 8; batch++) {
    await store.append(
      Array.from({ length: 5000 }, (_, i) => ({
        streamId: `bulk-${companyId}-${batch}-${i}`,
        type: 'KeyUsed',
        companyId,
        actor: { type: 'system' as const, id: 'test' },
        data: { keyId: randomUUID(), method: 'GET', route: '/v1/me', status: 200, note: 'x'.repeat(300) },
      })),
      { expectedVersions: {} },
    );
  }
}

/** An export whose client does not read: resolved once its status line and headers arrived. */
async function stalledExport(s: Stack, key: string, query = 'format=jsonl'): Promise<{ res: http.IncomingMessage; req: http.ClientRequest }> {
  let req!: http.ClientRequest;
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
    req = http.get(new URL(`${s.url}/v1/audit-events/export?${query}`), { headers: { 'x-api-key': key } }, resolve);
    req.on('error', reject);
  });
  res.pause();
  return { res, req };
}

/** Reads the rest of a response: did it end as a complete download? */
function drain(res: http.IncomingMessage): Promise<{ complete: boolean; bytes: number }> {
  return new Promise((resolve) => {
    let bytes = 0;
    res.on('data', (chunk: Buffer) => (bytes += chunk.length));
    res.on('error', () => undefined);
    res.on('close', () => resolve({ complete: res.complete, bytes }));
    res.resume();
  });
}

async function exportRecords(s: Stack, companyId: string): Promise<{ completed: boolean; rows: number; stoppedBy?: string }[]> {
  const rows: { data: { completed: boolean; rows: number; stoppedBy?: string } }[] = await s.sql.query(
    `SELECT data FROM events WHERE type = 'AuditExported' AND company_id = $1 ORDER BY position`,
    [companyId],
  );
  return rows.map((r) => r.data);
}

async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not reached (last: ${JSON.stringify(value)})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const tenant = (s: Stack, name: string): Promise<BootstrapResult> =>
  s.api
    .get(CommandBus)
    .execute(new BootstrapCommand({ companyName: name, adminEmail: `admin@${name.toLowerCase()}.test`, adminName: name, firstOnly: false }))
    .then((r) => r!);

describe('audit export caps: per company across the installation, and per instance', () => {
  let s: Stack;
  let b: BootstrapResult;
  let c: BootstrapResult;

  beforeAll(async () => {
    s = await startStack({ AUDIT_EXPORT_MAX_PER_INSTANCE: '2', AUDIT_EXPORT_MAX_PER_COMPANY: '1', AUDIT_EXPORT_IDLE_TIMEOUT_MS: '600000' });
    b = await tenant(s, 'Beta');
    c = await tenant(s, 'Gamma');
    await bulk(s, s.admin.companyId);
    await bulk(s, b.companyId);
  }, 120_000);
  afterAll(async () => s?.close());

  it("refuses a second export of the same company while another company's export proceeds", async () => {
    const first = await stalledExport(s, s.admin.key);
    expect(first.res.statusCode).toBe(200);

    const second = await fetch(`${s.url}/v1/audit-events/export?format=csv&type=CompanyCreated`, { headers: { 'x-api-key': s.admin.key } });
    expect(second.status).toBe(429);
    expect(second.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(second.headers.get('content-disposition')).toBeNull();
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await second.json()).toMatchObject({ status: 429, code: 'COMPANY_EXPORT_BUSY' });
    expect(await exportRecords(s, s.admin.companyId)).toEqual([]); // refused: nothing recorded

    // another company is not held up by it
    const theirs = await fetch(`${s.url}/v1/audit-events/export?format=csv&type=CompanyCreated`, { headers: { 'x-api-key': b.key } });
    expect(theirs.status).toBe(200);
    expect((await theirs.text()).split('\r\n').filter(Boolean)).toHaveLength(2);
    expect(await exportRecords(s, b.companyId)).toEqual([expect.objectContaining({ completed: true, rows: 1 })]);

    // with a second company's export stalled too, the instance is full: a third company gets 429 EXPORT_BUSY
    const stalledB = await stalledExport(s, b.key);
    expect(stalledB.res.statusCode).toBe(200);
    const third = await fetch(`${s.url}/v1/audit-events/export?format=jsonl&type=CompanyCreated`, { headers: { 'x-api-key': c.key } });
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await third.json()).toMatchObject({ code: 'EXPORT_BUSY' });

    // the stalled client goes away: its export ends, recorded as incomplete, and the company may export again
    first.req.destroy();
    const records = await until(() => exportRecords(s, s.admin.companyId), (r) => r.length === 1, 'the first export is recorded');
    expect(records[0]).toMatchObject({ completed: false, stoppedBy: 'client_gone' });
    const again = await fetch(`${s.url}/v1/audit-events/export?format=csv&type=CompanyCreated`, { headers: { 'x-api-key': s.admin.key } });
    expect(again.status).toBe(200);
    await again.text();

    stalledB.req.destroy();
    await until(() => exportRecords(s, b.companyId), (r) => r.length === 2, "the second company's stalled export is recorded");
  }, 120_000);
});

describe.each([
  { stop: 'idle_timeout', env: { AUDIT_EXPORT_IDLE_TIMEOUT_MS: '1000' }, what: 'whose client stops reading ends after AUDIT_EXPORT_IDLE_TIMEOUT_MS' },
  {
    stop: 'max_duration',
    env: { AUDIT_EXPORT_MAX_DURATION_MS: '1000', AUDIT_EXPORT_IDLE_TIMEOUT_MS: '600000' },
    what: 'ends at AUDIT_EXPORT_MAX_DURATION_MS, whatever its client does',
  },
])('an audit export $what', ({ stop, env }) => {
  let s: Stack;

  beforeAll(async () => {
    s = await startStack(env);
    await bulk(s, s.admin.companyId);
  }, 120_000);
  afterAll(async () => s?.close());

  it(`releases its cursor, breaks the download off, and records AuditExported completed:false, stoppedBy ${stop}`, async () => {
    const { res } = await stalledExport(s, s.admin.key);
    expect(res.statusCode).toBe(200);

    const [record] = await until(() => exportRecords(s, s.admin.companyId), (r) => r.length > 0, 'the export is recorded');
    expect(record).toMatchObject({ completed: false, stoppedBy: stop });
    expect(record.rows).toBeLessThan(40_000);
    // recorded after its transaction ended and its connection went back to the pool: no cursor is left open
    const open = await s.sql.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
          AND query LIKE 'SELECT position,%FROM events WHERE company_id = $1 AND position > $2 ORDER BY position'`,
    );
    expect(open[0].n).toBe(0);

    const ending = await drain(res);
    expect(ending.complete).toBe(false);

    // the instance goes on serving exports
    const again = await fetch(`${s.url}/v1/audit-events/export?format=csv&type=CompanyCreated`, { headers: { 'x-api-key': s.admin.key } });
    expect(again.status).toBe(200);
    expect((await again.text()).split('\r\n').filter(Boolean)).toHaveLength(2);
  }, 120_000);
});
