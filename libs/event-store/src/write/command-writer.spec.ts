import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Problem } from '@keyward/common';
import { TestDatabase, createTestDatabase, refusal } from '@keyward/testing';
import { AppendResult } from '../event.types';
import { EventStore } from '../event-store';
import { CommandContext } from './command-context';
import { CommandWriter } from './command-writer';
import { ConsistencyService } from './consistency.service';

const ctx: CommandContext = {
  companyId: randomUUID(),
  actor: { type: 'key', id: 'caller' },
  permissions: 'all',
  metadata: { ip: '203.0.113.9', userAgent: 'spec', requestId: 'req-1' },
};

describe('CommandWriter.appendAndSettle (real Postgres)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let store: EventStore;
  let settled: AppendResult[];
  let writer: CommandWriter;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = new DataSource({ type: 'postgres', url: db.url, extra: { max: 4 } });
    await ds.initialize();
    store = new EventStore(ds);
  });
  beforeEach(() => {
    settled = [];
    // what settle waits for is ConsistencyService's own spec; here: that it is asked, with what was appended
    const consistency = { settle: async (result: AppendResult) => void settled.push(result) } as unknown as ConsistencyService;
    writer = new CommandWriter(store, consistency);
  });
  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  const count = async (): Promise<number> => (await ds.query('SELECT count(*)::int AS n FROM events'))[0].n;

  it("appends the command's events with its company, actor and metadata, then settles exactly that append", async () => {
    const stream = `thing-${randomUUID()}`;
    const result = await writer.appendAndSettle(ctx, [{ streamId: stream, type: 'ThingMade', data: { n: 1 } }], { expectedVersions: { [stream]: 0 } });
    const [stored] = await store.readStream(stream);
    expect(stored).toMatchObject({ type: 'ThingMade', companyId: ctx.companyId, actor: ctx.actor, metadata: ctx.metadata, data: { n: 1 }, streamVersion: 1 });
    expect(settled).toEqual([result]);
    expect(result.events.map((e) => e.eventId)).toEqual([stored.eventId]);
  });

  it('an event that names its own actor or company keeps them (a minted key, a bootstrap)', async () => {
    const stream = `thing-${randomUUID()}`;
    const other = randomUUID();
    await writer.appendAndSettle(ctx, [{ streamId: stream, type: 'ThingMade', data: {}, companyId: other, actor: { type: 'system', id: 'sweep' } }], {
      expectedVersions: { [stream]: 0 },
    });
    expect((await store.readStream(stream))[0]).toMatchObject({ companyId: other, actor: { type: 'system', id: 'sweep' }, metadata: ctx.metadata });
  });

  it('a lost race (stale expected version) is a 409 VERSION_CONFLICT: nothing appended, nothing settled', async () => {
    const stream = `thing-${randomUUID()}`;
    await writer.appendAndSettle(ctx, [{ streamId: stream, type: 'ThingMade', data: {} }], { expectedVersions: { [stream]: 0 } });
    settled = [];
    const before = await count();
    const other = `thing-${randomUUID()}`;
    // two streams in one append: the conflict on one leaves the other unwritten too
    const refused = await refusal(
      writer.appendAndSettle(
        ctx,
        [
          { streamId: other, type: 'ThingMade', data: {} },
          { streamId: stream, type: 'ThingChanged', data: {} },
        ],
        { expectedVersions: { [other]: 0, [stream]: 0 } },
      ),
    );
    expect(refused).toEqual({ status: 409, code: 'VERSION_CONFLICT', fields: [] });
    expect(await count()).toBe(before);
    expect(await store.readStream(other)).toEqual([]);
    expect(settled).toEqual([]);
  });

  it('a taken unique value is a 409 ALREADY_EXISTS, and a handler may answer a conflict its own way', async () => {
    const value = `v-${randomUUID()}`;
    const claim = (conflict?: (err: unknown) => never) => {
      const stream = `thing-${randomUUID()}`;
      return writer.appendAndSettle(ctx, [{ streamId: stream, type: 'ThingMade', data: {} }], {
        expectedVersions: { [stream]: 0 },
        reservations: [{ scope: 'spec', value }],
        conflict,
      });
    };
    await claim();
    const before = await count();
    expect(await refusal(claim())).toEqual({ status: 409, code: 'ALREADY_EXISTS', fields: [] });
    const own = (): never => {
      throw Problem.notFound('the thing');
    };
    expect(await refusal(claim(own))).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect(await count()).toBe(before);
    expect(settled).toHaveLength(1);
  });

  it('an error that is no conflict reaches the caller as it is, and nothing is settled', async () => {
    const stream = `thing-${randomUUID()}`;
    // data that has no JSON form: refused before anything is written
    const failing = writer.appendAndSettle(ctx, [{ streamId: stream, type: 'ThingMade', data: { n: BigInt(1) } }], { expectedVersions: { [stream]: 0 } });
    await expect(failing).rejects.toThrow(TypeError);
    expect(await store.readStream(stream)).toEqual([]);
    expect(settled).toEqual([]);
  });
});
