import { CommandBus, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { Problem } from '@keyward/common';
import { ApiKeyEntity } from '@keyward/database';
import { RecordUsageCommand } from '../record-usage/record-usage.command';
import { ReportUsageCommand } from './report-usage.command';

/**
 * Every key of the batch must be the caller's company's (a deleted one included: its past use is
 * still its own); then the batch is appended as KeyUsed events by RecordUsageCommand, the same
 * append Keyward's own instances use, with the service's event ids.
 */
@CommandHandler(ReportUsageCommand)
export class ReportUsageHandler implements ICommandHandler<ReportUsageCommand> {
  constructor(
    @InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>,
    private readonly commands: CommandBus,
  ) {}

  async execute({ companyId, records }: ReportUsageCommand): Promise<{ appended: number }> {
    const ids = [...new Set(records.map((r) => r.keyId))];
    const own = await this.keys.find({ select: { id: true }, where: { id: In(ids), companyId } });
    const known = new Set(own.map((k) => k.id));
    const foreign = records.flatMap((r, i) => (known.has(r.keyId) ? [] : [{ field: `records[${i}].keyId`, message: 'is not a key of this company' }]));
    if (foreign.length > 0) {
      throw new Problem(422, 'UNKNOWN_KEY', foreign.map((e) => `${e.field}: ${e.message}`).join('; '), foreign);
    }
    // Object.assign, not a spread: V8's slow path for a spread followed by more properties costs µs per record
    await this.commands.execute(new RecordUsageCommand(records.map((r) => Object.assign({ type: 'KeyUsed' as const, companyId }, r))));
    // every record of the batch is in the log now, whether this call or an earlier try appended it
    return { appended: records.length };
  }
}
