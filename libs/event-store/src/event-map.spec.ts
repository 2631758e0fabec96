import { StoredEventOf, eventsOf } from './event-map';
import { StoredEvent } from './event.types';

type ShopEvents = {
  OrderPlaced: { orderId: string; total: number };
  OrderCancelled: { orderId: string; reason: string | null };
};

const stored = (type: string, data: Record<string, unknown>, streamVersion: number): StoredEvent => ({
  position: streamVersion,
  transactionId: '1',
  eventId: `e-${streamVersion}`,
  streamId: 'order-1',
  streamVersion,
  type,
  occurredAt: new Date(0),
  companyId: null,
  actor: { type: 'system', id: 'spec' },
  data,
  metadata: {},
  prevHash: '',
  hash: '',
});

/** A fold written as the domains write theirs: no cast, `type` narrows `data`. */
function describeOrder(events: readonly StoredEvent[]): string[] {
  const lines: string[] = [];
  for (const e of eventsOf<ShopEvents>(events)) {
    switch (e.type) {
      case 'OrderPlaced':
        lines.push(`placed ${e.data.orderId} for ${e.data.total.toFixed(2)}`);
        break;
      case 'OrderCancelled':
        lines.push(`cancelled ${e.data.orderId}: ${e.data.reason ?? 'no reason'}`);
        break;
    }
  }
  return lines;
}

describe('a typed event map', () => {
  it("a switch on the event's type reads each type's own data; a type outside the map falls through", () => {
    const log = [stored('OrderPlaced', { orderId: 'o-1', total: 12.5 }, 1), stored('SomethingElse', {}, 2), stored('OrderCancelled', { orderId: 'o-1', reason: null }, 3)];
    expect(describeOrder(log)).toEqual(['placed o-1 for 12.50', 'cancelled o-1: no reason']);
  });

  it('the compiler refuses a field of another type, a field that does not exist, and a type outside the map (checked by npm run typecheck)', () => {
    const check = (e: StoredEventOf<ShopEvents>): unknown => {
      switch (e.type) {
        case 'OrderPlaced':
          // @ts-expect-error an OrderPlaced has no reason: that is OrderCancelled's
          return e.data.reason;
        case 'OrderCancelled':
          // @ts-expect-error nor does an OrderCancelled have a total
          return e.data.total;
        // @ts-expect-error a type the map does not name is not a case of it
        case 'OrderShipped':
          return null;
      }
    };
    expect(check({ ...stored('OrderPlaced', {}, 1), type: 'OrderPlaced', data: { orderId: 'o', total: 1 } })).toBeUndefined();
  });
});
