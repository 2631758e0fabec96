import { keysTestSuite } from '@keyward/testing';
import { KeywardEvent, streamOf } from '../../events/keyward-events';
import { CreateUserCommand, CreateUserInput } from './create-user.command';

describe('CreateUserHandler (real Postgres, inline projection)', () => {
  const app = keysTestSuite();


  const create = (input: Partial<CreateUserInput>, ctx = app.acme.operator) =>
    app.commands.execute(new CreateUserCommand(ctx, { email: 'Ann@Acme.test', name: 'Ann', ...input }));
  const refused = (input: Partial<CreateUserInput>, ctx = app.acme.operator) => app.refused(() => create(input, ctx));

  it('a new user is one UserCreated with the e-mail in lower case and sorted permissions', async () => {
    const user = await create({ permissions: ['users:read', 'keys:read', 'keys:read'] });
    expect(user).toMatchObject({ email: 'ann@acme.test', permissions: ['keys:read', 'users:read'], disabled: false, companyId: app.acme.companyId });
    const events = await app.store.readStream(streamOf.user(user.id));
    expect(events.map((e) => e.type)).toEqual([KeywardEvent.UserCreated]);
    expect(events[0].data).toEqual({ userId: user.id, email: 'ann@acme.test', name: 'Ann', permissions: ['keys:read', 'users:read'], disabled: false });
  });

  it('a role gives its permissions', async () => {
    await expect(create({ role: 'READONLY' })).resolves.toMatchObject({ permissions: ['audit:read', 'keys:read', 'users:read'] });
  });

  it('permissions and a role together, or neither, are refused', async () => {
    expect(await refused({ permissions: ['keys:read'], role: 'ADMIN' })).toEqual({ status: 400, code: 'VALIDATION_FAILED', fields: ['role'] });
    expect(await refused({})).toEqual({ status: 400, code: 'VALIDATION_FAILED', fields: ['permissions'] });
  });

  it('an e-mail already used in the company is refused whatever its case; another company may use it', async () => {
    await create({ permissions: ['keys:read'] });
    expect(await refused({ email: 'ANN@acme.TEST', permissions: ['keys:read'] })).toEqual({ status: 409, code: 'ALREADY_EXISTS', fields: ['email'] });
    const elsewhere = await app.company();
    await expect(create({ permissions: ['keys:read'] }, elsewhere.operator)).resolves.toMatchObject({ companyId: elsewhere.companyId });
  });

  it('a key cannot give a user a permission it does not have', async () => {
    const caller = app.keyCtx(app.acme, app.acme.adminId, ['users:write', 'keys:read']);
    expect(await refused({ permissions: ['keys:read', 'audit:read'] }, caller)).toEqual({ status: 403, code: 'INSUFFICIENT_PERMISSIONS', fields: ['permissions'] });
    expect(await refused({ role: 'ADMIN' }, caller)).toMatchObject({ status: 403, fields: ['role'] });
  });
});
