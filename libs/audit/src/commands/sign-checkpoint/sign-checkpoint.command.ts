import { Command } from '@nestjs/cqrs';
import { Checkpoint } from '../../checkpoints/checkpoint-signer';

/** Signs the chain head when it moved (scheduled in the worker). */
export class SignCheckpointCommand extends Command<Checkpoint | null> {}
