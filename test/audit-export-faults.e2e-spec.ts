import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { EventStore } from '@keyward/event-store';
import { Stack, startStack } from './support/stack';

/**
 * An export holds a database connection while its client reads. When that connection is cut
 * (the server restarts, an operator terminates the backend, a failover), the export must end —
 * the client sees a broken download, never a complete-looking one, and the log records it as
 * incomplete — rather than hang until the client gives up.
 */
describe('audit export when its database connection is cut', () => {
  let s: Stack;

  beforeAll(async () => {
    s = await startStack();
    // enough events that the response cannot sit in socket buffers: the export waits on its client
    const store = s.api.get(EventStore);
    for (let batch = 0; batch < 8; batch++) {
      await store.append(
        Array.from({ length: 5000 }, (_, i) => ({
          streamId: `bulk-${batch}-${i}`,
          type: 'KeyUsed',
          companyId: s.admin.companyId,
          actor: { type: 'system' as const, id: 'test' },
          data: { keyId: randomUUID(), method: 'GET', route: '/v1/me', status: 200, note: 'x'.repeat(300) },
        })),
        { expectedVersions: {} },
      );
    }
  });
  afterAll(async () => s?.close());

  it('ends the download as broken and records AuditExported with completed:false', async () => {
    const url = new URL(`${s.url}/v1/audit-events/export?format=jsonl`);
    const res = await new Promise<http.IncomingMessage>((resolve, reject) =>
      http.get(url, { headers: { 'x-api-key': s.admin.key } }, resolve).on('error', reject),
    );
    expect(res.statusCode).toBe(200);
    res.pause(); // a slow client: the export stops on backpressure with its cursor open

    // the export's own backend, found by its query
    let pid: number | undefined;
    while (pid === undefined) {
      const rows: { pid: number }[] = await s.sql.query(
        `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
            AND query LIKE 'SELECT position,%FROM events WHERE company_id = $1 AND position > $2 ORDER BY position'`,
      );
      pid = rows[0]?.pid;
      if (pid === undefined) await new Promise((r) => setTimeout(r, 50));
    }
    await s.sql.query('SELECT pg_terminate_backend($1)', [pid]);

    // the client reads on: the download must end, and not as a complete one
    const ending = await new Promise<{ complete: boolean; bytes: number }>((resolve) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('error', () => undefined);
      res.on('close', () => resolve({ complete: res.complete, bytes }));
      res.resume();
    });
    expect(ending.complete).toBe(false);
    expect(ending.bytes).toBeGreaterThan(0);

    // and the log says so
    let recorded: { data: { completed: boolean; rows: number } }[] = [];
    while (recorded.length === 0) {
      recorded = await s.sql.query(`SELECT data FROM events WHERE type = 'AuditExported'`);
      if (recorded.length === 0) await new Promise((r) => setTimeout(r, 50));
    }
    expect(recorded).toHaveLength(1);
    expect(recorded[0].data.completed).toBe(false);
    expect(recorded[0].data.rows).toBeLessThan(40_000);

    // the instance goes on serving exports
    const again = await fetch(`${s.url}/v1/audit-events/export?format=csv&type=CompanyCreated`, { headers: { 'x-api-key': s.admin.key } });
    expect(again.status).toBe(200);
    expect((await again.text()).split('\r\n').filter(Boolean)).toHaveLength(2);
  }, 90_000);
});
