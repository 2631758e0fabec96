import { Command } from '@nestjs/cqrs';
import { StoredEvent } from '@keyward/event-store';
import { ArchiveRun } from '../../archive/audit-archiver';

/**
 * Archives the log's whole partitions whose events all occurred before `before` into `dir`
 * (keyward audit archive; the worker's schedule with AUDIT_ARCHIVE_AFTER_DAYS and AUDIT_ARCHIVE_DIR).
 */
export class ArchiveAuditCommand extends Command<ArchiveRun> {
  constructor(
    readonly before: Date,
    readonly dir: string,
    readonly actor: StoredEvent['actor'],
    readonly onProgress?: (events: number) => void,
  ) {
    super();
  }
}

/**
 * The worker's schedule: archives what is older than AUDIT_ARCHIVE_AFTER_DAYS to AUDIT_ARCHIVE_DIR
 * (nothing when they are not set); answers what was archived.
 */
export class ArchiveAuditOnScheduleCommand extends Command<{ manifest: string | null; events: number; throughPosition: number | null; dropped: string[] } | null> {}
