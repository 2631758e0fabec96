import { Writable } from 'node:stream';
import { Command } from '@nestjs/cqrs';
import { CommandContext } from '@keyward/keys';
import { AuditFilter } from '../audit-filter';
import { ExportFormat } from './export-format';

/**
 * Streams the company's events matching the filter into `sink`, from a database cursor
 * with backpressure (memory stays flat whatever the size), then records AuditExported.
 */
export class ExportAuditEventsCommand extends Command<{ rows: number; completed: boolean }> {
  constructor(
    readonly ctx: CommandContext,
    readonly filter: AuditFilter,
    readonly format: ExportFormat,
    readonly sink: Writable,
  ) {
    super();
  }
}
