import type { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Logger } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { Problem } from '@keyward/common';
import { EventStore } from '@keyward/event-store';
import { EVENT_COLUMNS, filterSql } from '../audit-filter';
import { ExportAuditEventsCommand } from './export-audit-events.command';
import { exportFormatter } from './export-format';

export const AuditExported = 'AuditExported';

@CommandHandler(ExportAuditEventsCommand)
export class ExportAuditEventsHandler implements ICommandHandler<ExportAuditEventsCommand> {
  private readonly logger = new Logger(ExportAuditEventsHandler.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: EventStore,
  ) {}

  /** Exports hold a database connection while the client reads: at most this many at once per instance. */
  static readonly MAX_CONCURRENT = 2;
  private running = 0;

  async execute(command: ExportAuditEventsCommand): Promise<{ rows: number; completed: boolean }> {
    if (this.running >= ExportAuditEventsHandler.MAX_CONCURRENT) {
      throw new Problem(503, 'EXPORT_BUSY', `${this.running} exports are running on this instance; retry shortly`, undefined, {
        'Retry-After': '10',
      });
    }
    this.running++;
    try {
      return await this.export(command);
    } finally {
      this.running--;
    }
  }

  private async export({ ctx, filter, format, sink }: ExportAuditEventsCommand): Promise<{ rows: number; completed: boolean }> {
    const { where, params } = filterSql(filter);
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    let rows = 0;
    let completed = false;
    try {
      // a snapshot of the log as of the export's start, read through a server-side cursor
      await runner.startTransaction('REPEATABLE READ');
      // an export takes as long as its client reads: the pool's statement and idle timeouts would cut it short
      await runner.query('SET LOCAL statement_timeout = 0');
      await runner.query('SET LOCAL idle_in_transaction_session_timeout = 0');
      const source = await runner.stream(`SELECT ${EVENT_COLUMNS} FROM events WHERE ${where} ORDER BY position`, params);
      // When the connection is cut, a cursor paused by a slow client is never told, and destroying
      // it waits for an answer from the dead server (pg-cursor's close): the export would hang. So
      // the loss of the connection ends the export by itself, and the streams are dropped.
      const connection = (runner as unknown as { databaseConnection?: EventEmitter }).databaseConnection;
      let onLost: (err: Error) => void = () => undefined;
      const lost = new Promise<never>((_, reject) => (onLost = reject));
      const lose = (err?: unknown) => onLost(err instanceof Error ? err : new Error('the database connection ended'));
      connection?.once('error', lose);
      connection?.once('end', lose);
      const copy = pipeline(source, exportFormatter(format, () => rows++), withoutEnd(sink));
      copy.catch(() => undefined); // if the loss wins the race, this one may settle later, or never
      try {
        await Promise.race([copy, lost]);
      } finally {
        connection?.off('error', lose);
        connection?.off('end', lose);
      }
      completed = true;
    } catch (err) {
      this.logger.warn(`export stopped after ${rows} rows: ${(err as Error).message}`);
    } finally {
      await runner.rollbackTransaction().catch(() => undefined);
      await runner.release();
    }
    // recorded before the last byte leaves: a completed download implies its audit record
    try {
      await this.recordExport(ctx, filter, format, rows, completed);
    } catch (err) {
      // no record, no complete download: the client must not take a broken export for a whole one
      sink.destroy();
      throw err;
    }
    // an export that broke off must not look complete to its client: drop the connection instead of ending it
    if (completed) sink.end();
    else sink.destroy();
    return { rows, completed };
  }

  private async recordExport(
    ctx: ExportAuditEventsCommand['ctx'],
    filter: ExportAuditEventsCommand['filter'],
    format: ExportAuditEventsCommand['format'],
    rows: number,
    completed: boolean,
  ): Promise<void> {
    await this.store.append(
      [
        {
          streamId: `audit-exports-${ctx.companyId}`,
          type: AuditExported,
          companyId: ctx.companyId,
          actor: ctx.actor,
          metadata: ctx.metadata,
          data: {
            format,
            rows,
            completed,
            filter: {
              types: filter.types ?? null,
              keyId: filter.keyId ?? null,
              actorId: filter.actorId ?? null,
              ip: filter.ip ?? null,
              requestId: filter.requestId ?? null,
              from: filter.from?.toISOString() ?? null,
              to: filter.to?.toISOString() ?? null,
            },
          },
        },
      ],
      { expectedVersions: {} },
    );
  }
}

/** Forwards into `sink` with its backpressure, but leaves ending it to us; fails if the sink goes away. */
function withoutEnd(sink: Writable): Writable {
  let gone: (() => void) | null = null;
  const forward = new Writable({
    write(chunk, _enc, done) {
      if (sink.destroyed || sink.writableEnded) return done(new Error('the client went away'));
      if (sink.write(chunk)) return done();
      const onDrain = () => {
        sink.off('close', onClose);
        done();
      };
      const onClose = () => {
        sink.off('drain', onDrain);
        done(new Error('the client went away'));
      };
      sink.once('drain', onDrain);
      sink.once('close', onClose);
    },
  });
  gone = () => forward.destroy(new Error('the client went away'));
  sink.once('close', gone);
  forward.once('finish', () => gone && sink.off('close', gone));
  return forward;
}
