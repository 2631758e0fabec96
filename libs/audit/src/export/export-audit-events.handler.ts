import type { EventEmitter } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { Inject, Logger } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DataSource, QueryRunner } from 'typeorm';
import { Problem } from '@keyward/common';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import { EventStore } from '@keyward/event-store';
import { EVENT_COLUMNS, filterSql } from '../audit-filter';
import { ExportStop, ExportStopped, towardsClient } from './towards-client';
import { ExportAuditEventsCommand } from './export-audit-events.command';
import { exportFormatter } from './export-format';

export const AuditExported = 'AuditExported';

@CommandHandler(ExportAuditEventsCommand)
export class ExportAuditEventsHandler implements ICommandHandler<ExportAuditEventsCommand> {
  private readonly logger = new Logger(ExportAuditEventsHandler.name);
  private readonly limits: KeywardConfig['audit']['export'];

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: EventStore,
    @Inject(KEYWARD_CONFIG) config: KeywardConfig,
  ) {
    this.limits = config.audit.export;
  }

  /** Exports hold a database connection while the client reads: at most AUDIT_EXPORT_MAX_PER_INSTANCE at once here. */
  private running = 0;

  async execute(command: ExportAuditEventsCommand): Promise<{ rows: number; completed: boolean }> {
    if (this.running >= this.limits.maxPerInstance) {
      throw new Problem(429, 'EXPORT_BUSY', `${this.running} exports are running on this instance (AUDIT_EXPORT_MAX_PER_INSTANCE); retry shortly`, undefined, {
        'Retry-After': '10',
      });
    }
    this.running++;
    let held = true;
    // the slot is given back as soon as the export's connection is (before its record is written)
    const leave = () => {
      if (held) this.running--;
      held = false;
    };
    try {
      return await this.export(command, leave);
    } finally {
      leave();
    }
  }

  private async export(
    { ctx, filter, format, sink, onStart }: ExportAuditEventsCommand,
    leave: () => void,
  ): Promise<{ rows: number; completed: boolean }> {
    const { where, params } = filterSql(filter);
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      // a snapshot of the log as of the export's start, read through a server-side cursor
      await runner.startTransaction('REPEATABLE READ');
      // an export takes as long as its client reads (within its own limits below): the pool's
      // statement and idle timeouts would cut it short
      await runner.query('SET LOCAL statement_timeout = 0');
      await runner.query('SET LOCAL idle_in_transaction_session_timeout = 0');
      await this.takeCompanySlot(runner, ctx.companyId);
    } catch (err) {
      // refused (or no database): nothing was sent, nothing is recorded
      await runner.rollbackTransaction().catch(() => undefined);
      await runner.release();
      throw err;
    }
    let rows = 0;
    let completed = false;
    let stoppedBy: ExportStop | null = null;
    const deadline = new AbortController();
    const timer = setTimeout(
      () => deadline.abort(new ExportStopped('max_duration', `the export ran for ${this.limits.maxDurationMs} ms (AUDIT_EXPORT_MAX_DURATION_MS)`)),
      this.limits.maxDurationMs,
    );
    try {
      onStart();
      const source = await runner.stream(`SELECT ${EVENT_COLUMNS} FROM events WHERE ${where} ORDER BY position`, params);
      // When the connection is cut, a cursor paused by a slow client is never told, and destroying
      // it waits for an answer from the dead server (pg-cursor's close): the export would hang. So
      // the loss of the connection ends the export by itself, and the streams are dropped.
      const connection = (runner as unknown as { databaseConnection?: EventEmitter }).databaseConnection;
      let onLost: (err: Error) => void = () => undefined;
      const lost = new Promise<never>((_, reject) => (onLost = reject));
      const lose = (err?: unknown) =>
        onLost(new ExportStopped('database_error', err instanceof Error ? err.message : 'the database connection ended'));
      connection?.once('error', lose);
      connection?.once('end', lose);
      const copy = pipeline(source, exportFormatter(format, () => rows++), towardsClient(sink, this.limits.idleTimeoutMs), {
        signal: deadline.signal,
      });
      copy.catch(() => undefined); // if the loss wins the race, this one may settle later, or never
      try {
        await Promise.race([copy, lost]);
      } finally {
        connection?.off('error', lose);
        connection?.off('end', lose);
      }
      completed = true;
    } catch (err) {
      const stopped = deadline.signal.aborted ? deadline.signal.reason : err;
      stoppedBy = stopped instanceof ExportStopped ? stopped.stop : 'database_error';
      this.logger.warn(`export stopped after ${rows} rows (${stoppedBy}): ${(stopped as Error).message}`);
    } finally {
      clearTimeout(timer);
      // ends the snapshot and the company's slot (its advisory lock is the transaction's)
      await runner.rollbackTransaction().catch(() => undefined);
      await runner.release();
      leave();
    }
    // recorded before the last byte leaves: a completed download implies its audit record
    try {
      await this.recordExport(ctx, filter, format, rows, completed, stoppedBy);
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

  /**
   * At most AUDIT_EXPORT_MAX_PER_COMPANY exports of one company at once across every instance: each
   * holds one of the company's slots, a transaction-scoped advisory lock on its own connection, so a
   * slot is free again the moment the export's transaction or connection ends, however it ends.
   */
  private async takeCompanySlot(runner: QueryRunner, companyId: string): Promise<void> {
    for (let slot = 0; slot < this.limits.maxPerCompany; slot++) {
      const [{ taken }]: { taken: boolean }[] = await runner.query(
        'SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS taken',
        [`keyward:audit-export:${companyId}:${slot}`],
      );
      if (taken) return;
    }
    throw new Problem(
      429,
      'COMPANY_EXPORT_BUSY',
      `${this.limits.maxPerCompany} export${this.limits.maxPerCompany === 1 ? ' is' : 's are'} already running for this company ` +
        '(AUDIT_EXPORT_MAX_PER_COMPANY); retry when it has finished',
      undefined,
      { 'Retry-After': '10' },
    );
  }

  private async recordExport(
    ctx: ExportAuditEventsCommand['ctx'],
    filter: ExportAuditEventsCommand['filter'],
    format: ExportAuditEventsCommand['format'],
    rows: number,
    completed: boolean,
    stoppedBy: ExportStop | null,
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
            ...(stoppedBy ? { stoppedBy } : {}),
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

