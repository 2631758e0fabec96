import { Transform } from 'node:stream';
import { StoredEvent, toStoredEvent } from '@keyward/event-store';
import { toAuditEvent } from '../audit-filter';

export type ExportFormat = 'csv' | 'jsonl';

const CSV_COLUMNS = [
  'position', 'eventId', 'streamId', 'streamVersion', 'type', 'occurredAt', 'companyId',
  'actor', 'data', 'metadata', 'prevHash', 'hash',
] as const;

function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Rows from the database cursor to export lines. JSONL lines are the audit events
 * exactly as hashed (so `keyward audit verify --file` can recompute every hash);
 * CSV carries the same fields, the JSON ones as JSON text.
 */
export function exportFormatter(format: ExportFormat, onRow: () => void): Transform {
  let first = true;
  return new Transform({
    writableObjectMode: true,
    transform(row: Parameters<typeof toStoredEvent>[0], _enc, done) {
      const event = toAuditEvent(toStoredEvent(row) as StoredEvent);
      onRow();
      if (format === 'jsonl') return done(null, JSON.stringify(event) + '\n');
      let out = '';
      if (first) {
        out += CSV_COLUMNS.join(',') + '\r\n';
        first = false;
      }
      out += CSV_COLUMNS.map((c) => csvCell(event[c])).join(',') + '\r\n';
      done(null, out);
    },
    flush(done) {
      if (format === 'csv' && first) return done(null, CSV_COLUMNS.join(',') + '\r\n');
      done();
    },
  });
}
