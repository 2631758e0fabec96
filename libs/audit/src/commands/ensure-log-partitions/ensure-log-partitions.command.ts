import { Command } from '@nestjs/cqrs';

/** Creates the log's partitions ahead of the positions to come; answers the end of the last one (scheduled in the worker). */
export class EnsureLogPartitionsCommand extends Command<number> {}
