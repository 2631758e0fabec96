import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ProjectedEvent, Projection } from '@keyward/event-store';

/** The key a refusal of an unknown key counts under (the company's series has it, no key's). */
export const NO_KEY = '00000000-0000-0000-0000-000000000000';

export type Granularity = 'minute' | 'hour' | 'day';
export const GRANULARITY_CODE: Record<Granularity, 'm' | 'h' | 'd'> = { minute: 'm', hour: 'h', day: 'd' };
export const GRANULARITY_MS: Record<Granularity, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** The UTC start of the bucket an instant falls in. */
export function bucketStart(at: number, granularity: Granularity): number {
  return Math.floor(at / GRANULARITY_MS[granularity]) * GRANULARITY_MS[granularity];
}

interface Counts {
  keyId: string;
  granularity: 'm' | 'h' | 'd';
  start: number;
  companyId: string;
  total: number;
  byClass: [number, number, number, number];
  refused: number;
}

interface Refusals {
  companyId: string;
  granularity: 'm' | 'h' | 'd';
  start: number;
  reason: string;
  count: number;
}

/**
 * Usage series (`usage_buckets`): the requests of each key per minute, hour and day, from
 * `KeyUsed` (by status class) and `AuthenticationFailed` (refused; a refusal counts in `total`
 * too). The projector hands each batch once, in the transaction that moves its checkpoint, so the
 * buckets equal the events; a batch is folded in memory and written in one statement. The
 * refusals are also counted by reason per company (`usage_refusals`), in the same transaction.
 */
@Injectable()
export class UsageSeriesProjection implements Projection {
  readonly tables = ['usage_buckets', 'usage_refusals'];

  async apply(m: EntityManager, events: ProjectedEvent[]): Promise<void> {
    const buckets = new Map<string, Counts>();
    const refusals = new Map<string, Refusals>();
    for (const e of events) {
      if ((e.type !== 'KeyUsed' && e.type !== 'AuthenticationFailed') || !e.companyId) continue;
      const keyId = typeof e.data.keyId === 'string' ? e.data.keyId : NO_KEY;
      const refused = e.type === 'AuthenticationFailed';
      const statusClass = refused ? -1 : Math.floor(Number(e.data.status) / 100) - 2;
      for (const granularity of ['minute', 'hour', 'day'] as const) {
        const start = bucketStart(e.occurredAt.getTime(), granularity);
        const id = `${keyId}|${granularity}|${start}`;
        let counts = buckets.get(id);
        if (!counts) {
          counts = { keyId, granularity: GRANULARITY_CODE[granularity], start, companyId: e.companyId, total: 0, byClass: [0, 0, 0, 0], refused: 0 };
          buckets.set(id, counts);
        }
        counts.total++;
        if (refused) counts.refused++;
        else if (statusClass >= 0 && statusClass <= 3) counts.byClass[statusClass]++;
        if (refused) {
          const reason = typeof e.data.reason === 'string' ? e.data.reason : 'UNKNOWN';
          const rid = `${e.companyId}|${granularity}|${start}|${reason}`;
          const r = refusals.get(rid) ?? { companyId: e.companyId, granularity: GRANULARITY_CODE[granularity], start, reason, count: 0 };
          r.count++;
          refusals.set(rid, r);
        }
      }
    }
    if (buckets.size === 0) return;
    if (refusals.size > 0) await this.writeRefusals(m, [...refusals.values()]);
    const rows = [...buckets.values()];
    await m.query(
      `INSERT INTO usage_buckets AS b (key_id, granularity, start, company_id, total, status_2xx, status_3xx, status_4xx, status_5xx, refused)
       SELECT * FROM unnest($1::uuid[], $2::"char"[], $3::timestamptz[], $4::uuid[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[])
       ON CONFLICT (key_id, granularity, start) DO UPDATE SET
         total = b.total + excluded.total,
         status_2xx = b.status_2xx + excluded.status_2xx,
         status_3xx = b.status_3xx + excluded.status_3xx,
         status_4xx = b.status_4xx + excluded.status_4xx,
         status_5xx = b.status_5xx + excluded.status_5xx,
         refused = b.refused + excluded.refused`,
      [
        rows.map((r) => r.keyId),
        rows.map((r) => r.granularity),
        rows.map((r) => new Date(r.start)),
        rows.map((r) => r.companyId),
        rows.map((r) => r.total),
        ...[0, 1, 2, 3].map((i) => rows.map((r) => r.byClass[i])),
        rows.map((r) => r.refused),
      ],
    );
  }

  private async writeRefusals(m: EntityManager, rows: Refusals[]): Promise<void> {
    await m.query(
      `INSERT INTO usage_refusals AS r (company_id, granularity, start, reason, count)
       SELECT * FROM unnest($1::uuid[], $2::"char"[], $3::timestamptz[], $4::text[], $5::bigint[])
       ON CONFLICT (company_id, granularity, start, reason) DO UPDATE SET count = r.count + excluded.count`,
      [rows.map((r) => r.companyId), rows.map((r) => r.granularity), rows.map((r) => new Date(r.start)), rows.map((r) => r.reason), rows.map((r) => r.count)],
    );
  }
}
