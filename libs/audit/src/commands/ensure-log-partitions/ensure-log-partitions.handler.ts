import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { EventStore } from '@keyward/event-store';
import { EnsureLogPartitionsCommand } from './ensure-log-partitions.command';

@CommandHandler(EnsureLogPartitionsCommand)
export class EnsureLogPartitionsHandler implements ICommandHandler<EnsureLogPartitionsCommand> {
  constructor(private readonly store: EventStore) {}

  execute(): Promise<number> {
    return this.store.ensurePartitions();
  }
}
