import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ArchiveRun, AuditArchiver } from '../../archive/audit-archiver';
import { ArchiveAuditCommand } from './archive-audit.command';

@CommandHandler(ArchiveAuditCommand)
export class ArchiveAuditHandler implements ICommandHandler<ArchiveAuditCommand> {
  constructor(private readonly archiver: AuditArchiver) {}

  execute(c: ArchiveAuditCommand): Promise<ArchiveRun> {
    return this.archiver.archive({ before: c.before, dir: c.dir, actor: c.actor, onProgress: c.onProgress });
  }
}
