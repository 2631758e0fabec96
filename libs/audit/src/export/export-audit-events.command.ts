import { Writable } from 'node:stream';
import { Command } from '@nestjs/cqrs';
import { CommandContext } from '@keyward/event-store';
import { AuditFilter } from '../audit-filter';
import { ExportFormat } from './export-format';

/**
 * Streams the company's events matching the filter into `sink`, from a database cursor
 * with backpressure (memory stays flat whatever the size), then records AuditExported.
 * `onStart` runs once the export is admitted (within the instance's and the company's caps),
 * before its first byte: where the response gets its status and headers. A refused export
 * throws 429 before it, having sent and recorded nothing.
 */
export class ExportAuditEventsCommand extends Command<{ rows: number; completed: boolean }> {
  constructor(
    readonly ctx: CommandContext,
    readonly filter: AuditFilter,
    readonly format: ExportFormat,
    readonly sink: Writable,
    readonly onStart: () => void = () => undefined,
  ) {
    super();
  }
}
