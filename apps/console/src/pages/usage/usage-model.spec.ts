import type { UsageBucket } from '../../api/types';
import { describeUsage, parseRange, rangeOf, rangeQuery, totalsOf } from './usage-model';

const bucket = (start: string, s2: number, s4: number, refused: number): UsageBucket => ({
  start,
  total: s2 + s4 + refused,
  byStatus: { '2xx': s2, '3xx': 0, '4xx': s4, '5xx': 0 },
  refused,
});

describe('usage model', () => {
  it('reads a range from the URL, the default for anything else', () => {
    expect([parseRange('1h'), parseRange('30d'), parseRange(null), parseRange('7d'), parseRange('toString')]).toEqual(['1h', '30d', '24h', '24h', '24h']);
  });

  it('asks for the range ending now at its granularity', () => {
    const now = Date.parse('2026-12-05T12:00:00Z');
    expect(rangeQuery('1h', now)).toEqual({ from: '2026-12-05T11:00:00.000Z', to: '2026-12-05T12:00:00.000Z', granularity: 'minute' });
    expect(rangeQuery('30d', now).granularity).toBe('day');
  });

  it('names the range an answer draws by its granularity', () => {
    expect([rangeOf('minute'), rangeOf('hour'), rangeOf('day')]).toEqual(['1h', '24h', '30d']);
  });

  it('sums every class and the refusals', () => {
    const buckets = [bucket('2026-12-05T10:00:00Z', 3, 1, 2), bucket('2026-12-05T11:00:00Z', 4, 0, 0)];
    expect(totalsOf(buckets)).toEqual({ total: 10, '2xx': 7, '3xx': 0, '4xx': 1, '5xx': 0, refused: 2 });
  });

  it('says the totals and the busiest bucket in words', () => {
    const buckets = [bucket('2026-12-05T10:00:00Z', 3, 1, 2), bucket('2026-12-05T11:00:00Z', 1, 0, 0)];
    const text = describeUsage(buckets, 'hour', 'Requests');
    expect(text).toMatch(/^Requests: 7 requests \(4 2xx success, 1 4xx client error, 2 Refused key\); the busiest hour began .* with 6 requests\.$/);
    expect(describeUsage([bucket('2026-12-05T10:00:00Z', 0, 0, 0)], 'hour', 'Requests')).toBe('Requests: no requests.');
  });
});
