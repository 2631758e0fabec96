import { computeEventHash } from '@keyward/event-store';
import { AuditEvent } from './audit-filter';

export interface OfflineResult {
  ok: boolean;
  rows: number;
  firstBadPosition?: number;
  reason?: 'hash_mismatch' | 'prev_hash_mismatch' | 'malformed_line' | 'out_of_order';
  /** Rows whose prevHash is the previous row's hash: the whole chain when the export was unfiltered. */
  linked: number;
  /** Positions where the previous row is not the one before in the chain (a filtered export has many). */
  gaps: number;
}

/**
 * Verifies an export with no database: every row's hash is recomputed from its own
 * fields (its prevHash included), rows must be in position order, and consecutive rows
 * that are neighbours in the chain must link. An unfiltered export from position 1 thus
 * proves the whole chain; a filtered one proves each row and the links it holds.
 */
export class OfflineVerifier {
  /** strict: the export must be one unbroken piece of the chain (an unfiltered export). */
  constructor(private readonly strict = false) {}

  private result: OfflineResult = { ok: true, rows: 0, linked: 0, gaps: 0 };
  private previous: AuditEvent | null = null;

  add(line: string): boolean {
    if (!this.result.ok || line.trim() === '') return this.result.ok;
    let e: AuditEvent;
    try {
      e = JSON.parse(line);
    } catch {
      return this.fail(this.previous ? this.previous.position + 1 : 0, 'malformed_line');
    }
    if (this.previous && e.position <= this.previous.position) return this.fail(e.position, 'out_of_order');
    const recomputed = computeEventHash({ ...e, occurredAt: new Date(e.occurredAt) });
    if (recomputed !== e.hash) return this.fail(e.position, 'hash_mismatch');
    if (this.previous && e.prevHash === this.previous.hash) this.result.linked++;
    else if (this.previous && this.strict) return this.fail(e.position, 'prev_hash_mismatch');
    else if (this.previous) this.result.gaps++;
    this.result.rows++;
    this.previous = e;
    return true;
  }

  finish(): OfflineResult {
    return this.result;
  }

  private fail(position: number, reason: OfflineResult['reason']): false {
    this.result = { ...this.result, ok: false, firstBadPosition: position, reason };
    return false;
  }
}
