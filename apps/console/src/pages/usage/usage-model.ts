import type { Granularity, UsageBucket } from '../../api/types';

/** The ranges the usage charts offer, each with the granularity that draws it in 25–61 bars. */
export const RANGES = {
  '1h': { label: 'Last hour', by: 'by minute', granularity: 'minute', spanMs: 3_600_000 },
  '24h': { label: 'Last 24 hours', by: 'by hour', granularity: 'hour', spanMs: 86_400_000 },
  '30d': { label: 'Last 30 days', by: 'by day', granularity: 'day', spanMs: 30 * 86_400_000 },
} as const satisfies Record<string, { label: string; by: string; granularity: Granularity; spanMs: number }>;

export type RangeId = keyof typeof RANGES;
export const DEFAULT_RANGE: RangeId = '24h';

/** The `range` of a page's URL; anything else is the default. */
export function parseRange(value: string | null): RangeId {
  return value && Object.hasOwn(RANGES, value) ? (value as RangeId) : DEFAULT_RANGE;
}

/** The range drawn at a granularity. */
export function rangeOf(granularity: Granularity): RangeId {
  return (Object.keys(RANGES) as RangeId[]).find((id) => RANGES[id].granularity === granularity) ?? DEFAULT_RANGE;
}

/** The query of a usage route for a range ending now. */
export function rangeQuery(id: RangeId, now: number): { from: string; to: string; granularity: Granularity } {
  const r = RANGES[id];
  return { from: new Date(now - r.spanMs).toISOString(), to: new Date(now).toISOString(), granularity: r.granularity };
}

/** Status classes and refusals, in stacking order, with colours from the Okabe–Ito palette (told apart with colour-blindness too). */
export const USAGE_CLASSES = [
  { id: '2xx', label: '2xx success', color: '#009E73' },
  { id: '3xx', label: '3xx redirect', color: '#56B4E9' },
  { id: '4xx', label: '4xx client error', color: '#E69F00' },
  { id: '5xx', label: '5xx server error', color: '#D55E00' },
  { id: 'refused', label: 'Refused key', color: '#7D4E9F' },
] as const;

export type UsageClass = (typeof USAGE_CLASSES)[number]['id'];
export type UsageTotals = Record<UsageClass | 'total', number>;

export function countOf(bucket: UsageBucket, c: UsageClass): number {
  return c === 'refused' ? bucket.refused : bucket.byStatus[c];
}

/** The range's sums: every request, by status class, and the refusals. */
export function totalsOf(buckets: UsageBucket[]): UsageTotals {
  const totals: UsageTotals = { total: 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0, refused: 0 };
  for (const b of buckets) {
    totals.total += b.total;
    for (const c of USAGE_CLASSES) totals[c.id] += countOf(b, c.id);
  }
  return totals;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A bucket's axis label in the viewer's time zone: `14:05` (minute), `14:00` (hour), `11-23` (day). */
export function bucketLabel(start: string, granularity: Granularity): string {
  const d = new Date(start);
  if (granularity === 'day') return `${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A bucket's full start, for the table: `2026-11-23 14:05`. */
export function bucketTitle(start: string, granularity: Granularity): string {
  const d = new Date(start);
  const day = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  return granularity === 'day' ? day : `${day} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

const plural = (n: number, word: string) => `${n.toLocaleString('en')} ${word}${n === 1 ? '' : 's'}`;

/** The chart in words, for its accessible name: the totals and the busiest bucket. */
export function describeUsage(buckets: UsageBucket[], granularity: Granularity, what: string): string {
  const t = totalsOf(buckets);
  if (t.total === 0) return `${what}: no requests.`;
  const parts = USAGE_CLASSES.filter((c) => t[c.id] > 0).map((c) => `${t[c.id].toLocaleString('en')} ${c.label}`);
  const peak = buckets.reduce((a, b) => (b.total > a.total ? b : a));
  return `${what}: ${plural(t.total, 'request')} (${parts.join(', ')}); the busiest ${granularity} began ${bucketTitle(peak.start, granularity)} with ${plural(peak.total, 'request')}.`;
}
