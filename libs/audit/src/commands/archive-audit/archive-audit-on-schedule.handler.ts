import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import { AuditArchiver } from '../../archive/audit-archiver';
import { ArchiveAuditOnScheduleCommand } from './archive-audit.command';

@CommandHandler(ArchiveAuditOnScheduleCommand)
export class ArchiveAuditOnScheduleHandler implements ICommandHandler<ArchiveAuditOnScheduleCommand> {
  constructor(
    private readonly archiver: AuditArchiver,
    @Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig,
  ) {}

  async execute(): Promise<{ manifest: string | null; events: number; throughPosition: number | null; dropped: string[] } | null> {
    const archive = this.config.audit.archive;
    if (!archive) return null; // the schedule outlived its configuration: nothing to do
    const before = new Date(Date.now() - archive.afterDays * 86_400_000);
    const run = await this.archiver.archive({ before, dir: archive.dir, actor: { type: 'system', id: 'worker' } });
    return { manifest: run.manifest, events: run.events, throughPosition: run.through?.position ?? null, dropped: run.dropped };
  }
}
