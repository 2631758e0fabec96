import { Command } from '@nestjs/cqrs';
import { UsageRecord } from '@keyward/queue';

/** Appends one API instance's batch of usage records as KeyUsed / AuthenticationFailed events. */
export class RecordUsageCommand extends Command<{ appended: number }> {
  constructor(readonly records: UsageRecord[]) {
    super();
  }
}
