import { TypeOrmModule } from '@nestjs/typeorm';
import { KeyRateLimiter } from '@keyward/auth';
import { ApiKeyEntity } from '@keyward/database';
import { keysTestSuite } from '@keyward/testing';
import { CreateKeyCommand } from '../create-key/create-key.command';
import { DeleteKeyCommand } from '../delete-key/delete-key.command';
import { TakeQuotaCommand } from './take-quota.command';
import { TakeQuotaHandler } from './take-quota.handler';

describe('TakeQuotaHandler (real Postgres and Redis)', () => {
  const app = keysTestSuite({ imports: [TypeOrmModule.forFeature([ApiKeyEntity])], providers: [KeyRateLimiter, TakeQuotaHandler] });
  const take = (keyId: string, want: number, companyId = app.acme.companyId) => app.commands.execute(new TakeQuotaCommand(companyId, keyId, want));
  const limitedKey = async () =>
    (await app.commands.execute(new CreateKeyCommand(app.acme.operator, { name: 'k', ownerId: app.acme.adminId, permissions: [], rateLimit: { limit: 10, windowSeconds: 60 } }))).id;

  it("a block is min(want, what is left) of the key's window; an empty window grants 0; nothing is appended", async () => {
    const keyId = await limitedKey();
    const before = await app.eventCount();
    expect(await take(keyId, 4)).toMatchObject({ granted: 4, limit: 10, windowSeconds: 60 });
    expect(await take(keyId, 10)).toMatchObject({ granted: 6 });
    const empty = await take(keyId, 1);
    expect(empty.granted).toBe(0);
    expect(empty.resetSeconds).toBeGreaterThanOrEqual(1);
    expect(empty.resetSeconds).toBeLessThanOrEqual(60);
    expect(await app.eventCount()).toBe(before);
  });

  it('a key without its own limit takes from the default limit', async () => {
    expect(await take(app.acme.adminKeyId, 1)).toMatchObject({ granted: 1, ...app.config.keys.defaultRateLimit });
  });

  it("another company's key, or a deleted one, is not found", async () => {
    const keyId = await limitedKey();
    const elsewhere = await app.company();
    expect(await app.refused(() => take(keyId, 1, elsewhere.companyId))).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    await app.commands.execute(new DeleteKeyCommand(app.acme.operator, keyId));
    expect(await app.refused(() => take(keyId, 1))).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });
});
