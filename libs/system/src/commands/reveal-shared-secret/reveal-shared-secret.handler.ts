import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Problem } from '@keyward/common';
import { CommandWriter, EventStore } from '@keyward/event-store';
import { asConflict } from '../../domain/conflicts';
import { SecretsVault, sealedFor } from '../../domain/secrets-vault';
import { foldSharedSecret } from '../../domain/system.state';
import { SharedSecretRevealedData, SystemEvent, systemStreams } from '../../events/system-events';
import { SharedSecretWithValue } from '../../queries/resources';
import { RevealSharedSecretCommand } from './reveal-shared-secret.command';

@CommandHandler(RevealSharedSecretCommand)
export class RevealSharedSecretHandler implements ICommandHandler<RevealSharedSecretCommand> {
  constructor(
    private readonly store: EventStore,
    private readonly vault: SecretsVault,
    private readonly writer: CommandWriter,
  ) {}

  async execute({ ctx }: RevealSharedSecretCommand): Promise<SharedSecretWithValue> {
    this.vault.key();
    const stream = systemStreams.sharedSecret(ctx.companyId);
    const current = foldSharedSecret(await this.store.readStream(stream));
    if (!current) {
      throw new Problem(404, 'NOT_FOUND', 'this company has no shared secret yet: create it with POST /v1/shared-secret/rotate');
    }
    // opened first: a secret that cannot be decrypted is not recorded as revealed
    const secret = this.vault.open(current.sealed, sealedFor.sharedSecret(ctx.companyId), 'the shared secret');
    const data: SharedSecretRevealedData = { fingerprint: current.fingerprint };
    // the expected version pins what was revealed: a rotation in between makes this a 409
    await this.writer.appendAndSettle(
      ctx,
      [{ streamId: stream, type: SystemEvent.SharedSecretRevealed, data }],
      { expectedVersions: { [stream]: current.version }, conflict: asConflict },
    );
    return {
      secret,
      fingerprint: current.fingerprint,
      createdAt: current.createdAt.toISOString(),
      rotatedAt: current.rotatedAt?.toISOString() ?? null,
    };
  }
}
