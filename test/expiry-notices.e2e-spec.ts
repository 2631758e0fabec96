import { CommandBus } from '@nestjs/cqrs';
import { ExpireKeysCommand } from '@keyward/keys';
import { Stack, call, startStack } from './support/stack';

/** Expiry notices (issue 13): KeyExpiringSoon 7 days and 1 day before a key's expiry, once each. */
describe('KeyExpiringSoon', () => {
  let s: Stack;
  let admin: string;
  const inHours = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();
  const sweep = () => s.worker.get(CommandBus).execute(new ExpireKeysCommand());
  const notices = async () =>
    (await s.sql.query(`SELECT data FROM events WHERE type = 'KeyExpiringSoon' ORDER BY position`)).map((r: { data: Record<string, string> }) => r.data);

  beforeAll(async () => {
    s = await startStack();
    admin = s.admin.key;
  });
  afterAll(async () => s?.close());

  it('the nearest notice due, once, whatever the number of sweeps; a moved expiry gets its own', async () => {
    const create = async (name: string, expiresAt: string) => (await call(s.url, 'POST', '/v1/keys', { key: admin, body: { name, permissions: ['keys:read'], expiresAt } })).body;
    const threeDays = await create('three days', inHours(72));
    const twelveHours = await create('twelve hours', inHours(12));
    await create('ten days', inHours(240));
    const revoked = await create('revoked soon', inHours(30));
    await call(s.url, 'POST', `/v1/keys/${revoked.id}/revoke`, { key: admin, body: {} });

    expect((await sweep()).noticed).toBe(2);
    expect((await sweep()).noticed).toBe(0);
    expect(await notices()).toEqual([
      { keyId: twelveHours.id, name: 'twelve hours', expiresAt: twelveHours.expiresAt, notice: '1d' },
      { keyId: threeDays.id, name: 'three days', expiresAt: threeDays.expiresAt, notice: '7d' },
    ]);

    // its expiry moved: the new date is noticed too (7 days before it), the old notice stays in the log
    const moved = (await call(s.url, 'PATCH', `/v1/keys/${threeDays.id}`, { key: admin, body: { expiresAt: inHours(96) } })).body;
    expect((await sweep()).noticed).toBe(1);
    expect((await notices()).at(-1)).toEqual({ keyId: threeDays.id, name: 'three days', expiresAt: moved.expiresAt, notice: '7d' });
  });

  it('readable in the audit trail by type and by key', async () => {
    const res = await call(s.url, 'GET', '/v1/audit-events?type=KeyExpiringSoon', { key: admin });
    expect(res.status).toBe(200);
    expect(res.body.items.map((e: { type: string; actor: { id: string } }) => [e.type, e.actor.id])).toEqual([
      ['KeyExpiringSoon', 'expiry-sweep'],
      ['KeyExpiringSoon', 'expiry-sweep'],
      ['KeyExpiringSoon', 'expiry-sweep'],
    ]);
  });
});
