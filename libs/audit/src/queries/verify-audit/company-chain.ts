import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EventStore, GENESIS_HASH, checkLink, toStoredEvent } from '@keyward/event-store';
import { EVENT_COLUMNS } from '../../audit-filter';

/** Why a company's event fails its verification. */
export type CompanyChainBreak = 'prev_hash_mismatch' | 'hash_mismatch' | 'next_prev_hash_mismatch';

export interface CompanyChainResult {
  ok: boolean;
  /** The company's events checked (before the break, when there is one). */
  checked: number;
  /** Always one of the company's own positions. */
  firstBadPosition?: number;
  reason?: CompanyChainBreak;
  /** The company's last event that passed; null when none did (or it has none). */
  head: { position: number; hash: string } | null;
}

type Row = Parameters<typeof toStoredEvent>[0] & {
  before_hash: string | null;
  next_position: string | null;
  next_prev_hash: string | null;
  next_company_id: string | null;
};

/**
 * Verifies one company's events without telling it anything about the others': each of its
 * events' hash is recomputed; its prevHash must be the stored hash of the event before it in the
 * log; and when the event after it belongs to another company, that event's prevHash must be its
 * hash (otherwise a rewrite of this event together with its own hash would pass whenever its
 * neighbour is someone else's). The neighbours are read, never returned: the result names only
 * the company's own positions and counts only its own events.
 */
@Injectable()
export class CompanyChainVerifier {
  constructor(
    private readonly dataSource: DataSource,
    private readonly store: EventStore,
  ) {}

  /** sealed: the last archived event; an event with no live event before it chains to its hash. */
  async verify(
    companyId: string,
    options: { fromPosition?: number; sealed?: { position: number; hash: string } | null; batchSize?: number; onProgress?: (checked: number) => void } = {},
  ): Promise<CompanyChainResult> {
    const batchSize = options.batchSize ?? 2000;
    // up to the head as of the start: a company that keeps writing cannot keep the scan going
    const until = (await this.store.head())?.position ?? 0;
    let after = Math.max(0, (options.fromPosition ?? 1) - 1);
    let checked = 0;
    let head: CompanyChainResult['head'] = null;
    for (;;) {
      const rows: Row[] = await this.dataSource.query(
        `SELECT ${EVENT_COLUMNS}, b.before_hash, n.next_position, n.next_prev_hash, n.next_company_id
           FROM events e
           LEFT JOIN LATERAL (SELECT hash AS before_hash FROM events WHERE position < e.position ORDER BY position DESC LIMIT 1) b ON true
           LEFT JOIN LATERAL (
             SELECT position AS next_position, prev_hash AS next_prev_hash, company_id AS next_company_id
               FROM events WHERE position > e.position ORDER BY position LIMIT 1
           ) n ON true
          WHERE e.company_id = $1 AND e.position > $2 AND e.position <= $3
          ORDER BY e.position
          LIMIT $4`,
        [companyId, after, until, batchSize],
      );
      if (rows.length === 0) break;
      for (const row of rows) {
        const e = toStoredEvent(row);
        const broken = checkLink(e, row.before_hash ?? options.sealed?.hash ?? GENESIS_HASH);
        // the event after it is the company's own (and will be checked): its own check names it
        const nextIsChecked = row.next_company_id === companyId && Number(row.next_position) <= until;
        const nextBroken = row.next_position !== null && !nextIsChecked && row.next_prev_hash !== e.hash;
        const reason: CompanyChainBreak | null = broken?.reason ?? (nextBroken ? 'next_prev_hash_mismatch' : null);
        if (reason) return { ok: false, checked, firstBadPosition: e.position, reason, head };
        checked++;
        head = { position: e.position, hash: e.hash };
        after = e.position;
      }
      options.onProgress?.(checked);
    }
    return { ok: true, checked, head };
  }
}
