import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Checkpoint, CheckpointSigner } from '../../checkpoints/checkpoint-signer';
import { SignCheckpointCommand } from './sign-checkpoint.command';

@CommandHandler(SignCheckpointCommand)
export class SignCheckpointHandler implements ICommandHandler<SignCheckpointCommand> {
  constructor(private readonly signer: CheckpointSigner) {}

  execute(): Promise<Checkpoint | null> {
    return this.signer.signHead();
  }
}
