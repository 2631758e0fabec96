import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { GRANULARITY_CODE, GRANULARITY_MS, Granularity, NO_KEY } from './usage-series.projection';

/** A range of whole buckets: `from` inclusive, `to` exclusive, both on bucket boundaries (UTC). */
export interface SeriesRange {
  from: Date;
  to: Date;
  granularity: Granularity;
}

export interface UsageBucket {
  start: string;
  total: number;
  byStatus: { '2xx': number; '3xx': number; '4xx': number; '5xx': number };
  refused: number;
}

export interface KeyUsageTotal {
  keyId: string;
  name: string | null;
  total: number;
  refused: number;
}

export interface RefusalCount {
  reason: string;
  count: number;
}

interface BucketRow {
  start: Date;
  total: string;
  s2: string;
  s3: string;
  s4: string;
  s5: string;
  refused: string;
}

const SUMS = `coalesce(sum(total), 0) AS total, coalesce(sum(status_2xx), 0) AS s2, coalesce(sum(status_3xx), 0) AS s3,
  coalesce(sum(status_4xx), 0) AS s4, coalesce(sum(status_5xx), 0) AS s5, coalesce(sum(refused), 0) AS refused`;

/**
 * Reads the usage series: every bucket of the range in order, empty ones as zeros (a chart needs
 * no gaps to fill). A key's series is a primary-key range scan; the company's sums its keys'
 * buckets through (company_id, granularity, start).
 */
@Injectable()
export class UsageSeriesService {
  constructor(private readonly dataSource: DataSource) {}

  async keySeries(companyId: string, keyId: string, range: SeriesRange): Promise<UsageBucket[]> {
    const rows: BucketRow[] = await this.dataSource.query(
      `SELECT start, ${SUMS} FROM usage_buckets
        WHERE key_id = $1 AND company_id = $2 AND granularity = $3 AND start >= $4 AND start < $5
        GROUP BY start`,
      [keyId, companyId, GRANULARITY_CODE[range.granularity], range.from, range.to],
    );
    return dense(rows, range);
  }

  async companySeries(companyId: string, range: SeriesRange): Promise<UsageBucket[]> {
    const rows: BucketRow[] = await this.dataSource.query(
      `SELECT start, ${SUMS} FROM usage_buckets
        WHERE company_id = $1 AND granularity = $2 AND start >= $3 AND start < $4
        GROUP BY start`,
      [companyId, GRANULARITY_CODE[range.granularity], range.from, range.to],
    );
    return dense(rows, range);
  }

  /** The company's busiest keys in the range (requests, refusals included), with their names; refusals of unknown keys left out. */
  async topKeys(companyId: string, range: SeriesRange, limit: number): Promise<KeyUsageTotal[]> {
    const rows: { key_id: string; name: string | null; total: string; refused: string }[] = await this.dataSource.query(
      `SELECT b.key_id, k.name, sum(b.total) AS total, sum(b.refused) AS refused
         FROM usage_buckets b LEFT JOIN api_keys k ON k.id = b.key_id
        WHERE b.company_id = $1 AND b.granularity = $2 AND b.start >= $3 AND b.start < $4 AND b.key_id <> $5
        GROUP BY b.key_id, k.name
        ORDER BY sum(b.total) DESC, b.key_id
        LIMIT $6`,
      [companyId, GRANULARITY_CODE[range.granularity], range.from, range.to, NO_KEY, limit],
    );
    return rows.map((r) => ({ keyId: r.key_id, name: r.name, total: Number(r.total), refused: Number(r.refused) }));
  }

  /** The company's refused authentications in the range by reason, most first. */
  async refusedByReason(companyId: string, range: SeriesRange): Promise<RefusalCount[]> {
    const rows: { reason: string; count: string }[] = await this.dataSource.query(
      `SELECT reason, sum(count) AS count FROM usage_refusals
        WHERE company_id = $1 AND granularity = $2 AND start >= $3 AND start < $4
        GROUP BY reason
        ORDER BY sum(count) DESC, reason`,
      [companyId, GRANULARITY_CODE[range.granularity], range.from, range.to],
    );
    return rows.map((r) => ({ reason: r.reason, count: Number(r.count) }));
  }
}

function dense(rows: BucketRow[], range: SeriesRange): UsageBucket[] {
  const byStart = new Map(rows.map((r) => [r.start.getTime(), r]));
  const step = GRANULARITY_MS[range.granularity];
  const buckets: UsageBucket[] = [];
  for (let t = range.from.getTime(); t < range.to.getTime(); t += step) {
    const r = byStart.get(t);
    buckets.push({
      start: new Date(t).toISOString(),
      total: Number(r?.total ?? 0),
      byStatus: { '2xx': Number(r?.s2 ?? 0), '3xx': Number(r?.s3 ?? 0), '4xx': Number(r?.s4 ?? 0), '5xx': Number(r?.s5 ?? 0) },
      refused: Number(r?.refused ?? 0),
    });
  }
  return buckets;
}
