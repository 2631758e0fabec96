import { Query } from '@nestjs/cqrs';
import { AuditEvent, AuditFilter } from '../../audit-filter';

export interface AuditPage {
  items: AuditEvent[];
  nextCursor: string | null;
}

/** A page of the company's events in log order; the cursor is the last position seen. */
export class ListAuditEventsQuery extends Query<AuditPage> {
  constructor(
    readonly filter: AuditFilter,
    readonly limit: number,
    readonly cursor?: string,
  ) {
    super();
  }
}

export function encodePositionCursor(position: number): string {
  return Buffer.from(`p:${position}`).toString('base64url');
}

export function decodePositionCursor(cursor: string): number | null {
  const m = /^p:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return m ? Number(m[1]) : null;
}
