import type { StoredEvent } from '@keyward/event-store';

/**
 * One stream as readStream returns it, for specs of folds: `[type, data]` pairs become events at
 * versions 1..n of `streamId`, in company `companyId`, a millisecond apart from `from`.
 */
export function storedStream(streamId: string, events: [type: string, data: object][], options: { companyId?: string; from?: Date } = {}): StoredEvent[] {
  const from = options.from?.getTime() ?? 0;
  return events.map(([type, data], i) => ({
    position: i + 1,
    transactionId: '1',
    eventId: `${streamId}-${i + 1}`,
    streamId,
    streamVersion: i + 1,
    type,
    occurredAt: new Date(from + i),
    companyId: options.companyId ?? 'c1',
    actor: { type: 'system', id: 'test' },
    data: data as Record<string, unknown>,
    metadata: {},
    prevHash: '',
    hash: '',
  }));
}
