import { ReservationConflictError, StreamConflictError } from '../errors';
import { AppendResult } from '../event.types';
import { asConflict } from './conflicts';
import { ConsistencyService, SettleParticipant } from './consistency.service';

/** An append every event of which was applied inline: settle waits for no projector. */
const inlineAppend = { events: [{ type: 'KeyRevoked', companyId: 'c-1' }], checkpoint: { transactionId: '1', position: 1 }, appliedInline: true } as unknown as AppendResult;

describe('ConsistencyService.settle', () => {
  const build = (mode: 'wait' | 'inline', participants: SettleParticipant[] = []) => {
    const woken: string[] = [];
    const producer = { wakeProjector: async (type: string) => void woken.push(type) };
    const service = new ConsistencyService(producer as never, {} as never, {} as never, mode, {} as never, participants);
    return { service, woken };
  };

  it("runs each domain's participant with the append, in order, once its events are what readers see", async () => {
    const seen: string[] = [];
    const participant = (name: string): SettleParticipant => ({ afterSettle: async (r) => void seen.push(`${name}:${r.events[0].type}`) });
    const { service, woken } = build('wait', [participant('keys'), participant('other')]);
    await service.settle(inlineAppend);
    expect(seen).toEqual(['keys:KeyRevoked', 'other:KeyRevoked']);
    expect(woken).toEqual(['KeyRevoked']); // the worker's projector is told, not waited for
  });

  it('with no participant registered (system, webhooks) an inline append settles at once; the command line wakes no worker', async () => {
    const { service, woken } = build('inline');
    await expect(service.settle(inlineAppend)).resolves.toBeUndefined();
    expect(woken).toEqual([]);
  });

  it("a participant's failure is the write's failure (a cache that could not be confirmed is not answered as done)", async () => {
    const { service } = build('wait', [{ afterSettle: async () => Promise.reject(new Error('lease unconfirmed')) }]);
    await expect(service.settle(inlineAppend)).rejects.toThrow('lease unconfirmed');
  });
});

describe('asConflict', () => {
  const thrown = (run: () => unknown) => {
    try {
      run();
    } catch (err) {
      const body = (err as { getResponse(): { code: string; errors?: { field: string }[] }; getStatus(): number });
      return { status: body.getStatus(), code: body.getResponse().code, fields: (body.getResponse().errors ?? []).map((e) => e.field) };
    }
    return null;
  };
  it('a stream conflict is a 409 VERSION_CONFLICT, a reservation conflict a 409 naming the reserved field, anything else rethrown', () => {
    expect(thrown(() => asConflict(new StreamConflictError('s', 1, 2)))).toEqual({ status: 409, code: 'VERSION_CONFLICT', fields: [] });
    expect(thrown(() => asConflict(new ReservationConflictError('email:c', 'a@b'), { field: 'email', message: 'taken' }))).toEqual({
      status: 409,
      code: 'ALREADY_EXISTS',
      fields: ['email'],
    });
    const other = new Error('database away');
    expect(() => asConflict(other)).toThrow(other);
  });
});
