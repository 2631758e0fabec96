import { HashedForm, StoredEvent, hashedForm } from '@keyward/event-store';

/** What an auditor can filter the log by; always within one company. */
export interface AuditFilter {
  companyId: string;
  types?: string[];
  keyId?: string;
  actorId?: string;
  from?: Date;
  to?: Date;
  ip?: string;
  requestId?: string;
}

/** The event as auditors read and export it: every field its hash covers, and the hash. */
export type AuditEvent = HashedForm & { hash: string };

export function toAuditEvent(e: StoredEvent): AuditEvent {
  return { ...hashedForm(e), hash: e.hash };
}

/**
 * SQL conditions for a filter, each one matching an index that starts with
 * (company_id, …) and ends with position, so a filtered page in log order stays an
 * index range scan however large the log.
 */
export function filterSql(f: AuditFilter, bound: { after: number } | { before: number } = { after: 0 }): { where: string; params: unknown[] } {
  const params: unknown[] = [f.companyId, 'after' in bound ? bound.after : bound.before];
  const where = ['company_id = $1', 'after' in bound ? 'position > $2' : 'position < $2'];
  const add = (sql: (n: string) => string, value: unknown) => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  if (f.types?.length) add((n) => `type = ANY(${n}::text[])`, f.types);
  if (f.keyId) add((n) => `data->>'keyId' = ${n}`, f.keyId);
  if (f.actorId) add((n) => `actor->>'id' = ${n}`, f.actorId);
  if (f.ip) add((n) => `metadata->>'ip' = ${n}`, f.ip);
  if (f.requestId) add((n) => `metadata->>'requestId' = ${n}`, f.requestId);
  if (f.from) add((n) => `occurred_at >= ${n}`, f.from);
  if (f.to) add((n) => `occurred_at < ${n}`, f.to);
  return { where: where.join(' AND '), params };
}

/**
 * One page of matching events, in two steps: the positions first (the narrowest index, often
 * without reading the table: a time window over (company_id, position) INCLUDE (occurred_at)),
 * then those rows by primary key.
 */
export function pageSql(
  f: AuditFilter,
  bound: { after: number } | { before: number },
  order: 'asc' | 'desc',
  limit: number,
): { sql: string; params: unknown[] } {
  const { where, params } = filterSql(f, bound);
  const dir = order === 'asc' ? 'ASC' : 'DESC';
  return {
    sql:
      `SELECT ${EVENT_COLUMNS} FROM events WHERE position IN ` +
      `(SELECT position FROM events WHERE ${where} ORDER BY position ${dir} LIMIT ${Math.trunc(limit)}) ORDER BY position ${dir}`,
    params,
  };
}

export const EVENT_COLUMNS = `position, transaction_id::text AS transaction_id, event_id, stream_id, stream_version, type,
  occurred_at, company_id, actor, data, metadata, prev_hash, hash`;
