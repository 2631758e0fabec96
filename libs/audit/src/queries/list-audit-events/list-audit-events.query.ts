import { Query } from '@nestjs/cqrs';
import { AuditEvent, AuditFilter } from '../../audit-filter';

export interface AuditPage {
  items: AuditEvent[];
  nextCursor: string | null;
  /** A key's history whose first events went to an archive (GET /v1/keys/:id/history, first page): which one. */
  archived?: { throughPosition: number; recordedAt: number; manifest: string };
}

export type AuditOrder = 'asc' | 'desc';

/**
 * A page of the company's events by position: log order (`asc`, the default) or newest
 * first (`desc`); the cursor is the last position seen, and says which way it walks.
 */
export class ListAuditEventsQuery extends Query<AuditPage> {
  constructor(
    readonly filter: AuditFilter,
    readonly limit: number,
    readonly cursor?: string,
    readonly order: AuditOrder = 'asc',
  ) {
    super();
  }
}

const CURSOR_TAG: Record<AuditOrder, string> = { asc: 'p', desc: 'r' };

export function encodePositionCursor(position: number, order: AuditOrder = 'asc'): string {
  return Buffer.from(`${CURSOR_TAG[order]}:${position}`).toString('base64url');
}

/** The position a cursor of this order holds; null for anything else (including a cursor of the other order). */
export function decodePositionCursor(cursor: string, order: AuditOrder = 'asc'): number | null {
  const m = /^([pr]):(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return m && m[1] === CURSOR_TAG[order] ? Number(m[2]) : null;
}
