import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { EventStoreModule } from '@keyward/event-store';
import { InstallationOperator } from '@keyward/system';
import { ArchiveSeals } from './archive/archive-seals';
import { AuditArchiver } from './archive/audit-archiver';
import { CheckpointSigner } from './checkpoints/checkpoint-signer';
import { ArchiveAuditOnScheduleHandler } from './commands/archive-audit/archive-audit-on-schedule.handler';
import { ArchiveAuditHandler } from './commands/archive-audit/archive-audit.handler';
import { EnsureLogPartitionsHandler } from './commands/ensure-log-partitions/ensure-log-partitions.handler';
import { SignCheckpointHandler } from './commands/sign-checkpoint/sign-checkpoint.handler';
import { ExportAuditEventsHandler } from './export/export-audit-events.handler';
import { KeyHistoryHandler } from './queries/key-history/key-history.handler';
import { KeyStateHandler } from './queries/key-state/key-state.handler';
import { ListAuditEventsHandler } from './queries/list-audit-events/list-audit-events.handler';
import { ListCheckpointsHandler } from './queries/list-checkpoints/list-checkpoints.handler';
import { CompanyChainVerifier } from './queries/verify-audit/company-chain';
import { VerificationScans } from './queries/verify-audit/verification-scans';
import { VerifyAuditHandler } from './queries/verify-audit/verify-audit.handler';

/** The audit trail: queries, export, verification and signed checkpoints. */
@Module({
  imports: [CqrsModule, EventStoreModule],
  providers: [
    CheckpointSigner,
    SignCheckpointHandler,
    AuditArchiver,
    ArchiveSeals,
    ArchiveAuditHandler,
    ArchiveAuditOnScheduleHandler,
    EnsureLogPartitionsHandler,
    ExportAuditEventsHandler,
    ListAuditEventsHandler,
    KeyHistoryHandler,
    KeyStateHandler,
    ListCheckpointsHandler,
    VerifyAuditHandler,
    CompanyChainVerifier,
    VerificationScans,
    InstallationOperator,
  ],
  exports: [CqrsModule, CheckpointSigner, VerificationScans, ArchiveSeals],
})
export class AuditModule {}
