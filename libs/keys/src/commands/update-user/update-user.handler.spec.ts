import { keysTestSuite } from '@keyward/testing';
import { KeywardEvent, streamOf } from '../../events/keyward-events';
import { UpdateUserCommand, UpdateUserInput } from './update-user.command';

describe('UpdateUserHandler (real Postgres, inline projection)', () => {
  const app = keysTestSuite();


  const update = (userId: string, input: UpdateUserInput, ctx = app.acme.operator) => app.commands.execute(new UpdateUserCommand(ctx, userId, input));

  it('an edit appends one UserUpdated holding only what changed', async () => {
    const userId = await app.user(app.acme, ['keys:read']);
    const user = await update(userId, { name: 'Bea', permissions: ['keys:read'], disabled: true });
    expect(user).toMatchObject({ name: 'Bea', disabled: true, permissions: ['keys:read'] });
    const events = await app.store.readStream(streamOf.user(userId));
    expect(events.map((e) => e.type)).toEqual([KeywardEvent.UserCreated, KeywardEvent.UserUpdated]);
    expect(events[1].data).toEqual({ userId, changes: { name: 'Bea', disabled: true } });
  });

  it('an edit that changes nothing appends nothing', async () => {
    const userId = await app.user(app.acme, ['users:read', 'keys:read']);
    const before = await app.eventCount();
    await update(userId, { name: 'U', permissions: ['keys:read', 'users:read'], disabled: false });
    expect(await app.eventCount()).toBe(before);
  });

  it("a user of another company is not found", async () => {
    const elsewhere = await app.company();
    expect(await app.refused(() => update(elsewhere.adminId, { name: 'x' }))).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });

  it('a key cannot change a user who has more than it, nor give a permission it lacks', async () => {
    const caller = app.keyCtx(app.acme, await app.user(app.acme, ['users:write']), ['users:read', 'users:write', 'keys:read']);
    expect(await app.refused(() => update(app.acme.adminId, { disabled: true }, caller))).toMatchObject({ status: 403, code: 'INSUFFICIENT_PERMISSIONS' });
    const lesser = await app.user(app.acme, ['keys:read']);
    expect(await app.refused(() => update(lesser, { permissions: ['audit:read'] }, caller))).toEqual({
      status: 403,
      code: 'INSUFFICIENT_PERMISSIONS',
      fields: ['permissions'],
    });
    expect(await app.refused(() => update(lesser, { role: 'ADMIN', permissions: ['keys:read'] }))).toMatchObject({ status: 400, fields: ['role'] });
  });
});
