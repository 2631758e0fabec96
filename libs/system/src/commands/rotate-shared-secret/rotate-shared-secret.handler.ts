import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CommandWriter, EventStore } from '@keyward/event-store';
import { fingerprintOf, generateSharedSecret } from '../../crypto/shared-secret';
import { asConflict } from '../../domain/conflicts';
import { SecretsVault, sealedFor } from '../../domain/secrets-vault';
import { foldSharedSecret } from '../../domain/system.state';
import { SharedSecretRotatedData, SystemEvent, systemStreams } from '../../events/system-events';
import { SharedSecretWithValue } from '../../queries/resources';
import { RotateSharedSecretCommand } from './rotate-shared-secret.command';

@CommandHandler(RotateSharedSecretCommand)
export class RotateSharedSecretHandler implements ICommandHandler<RotateSharedSecretCommand> {
  constructor(
    private readonly store: EventStore,
    private readonly vault: SecretsVault,
    private readonly writer: CommandWriter,
  ) {}

  async execute({ ctx, overlapSeconds }: RotateSharedSecretCommand): Promise<SharedSecretWithValue> {
    this.vault.key(); // 409 SECRETS_KEY_NOT_CONFIGURED before anything else when SECRETS_ENCRYPTION_KEY is missing
    const stream = systemStreams.sharedSecret(ctx.companyId);
    const current = foldSharedSecret(await this.store.readStream(stream));
    const secret = generateSharedSecret();
    const at = new Date();
    const data: SharedSecretRotatedData = {
      sealed: this.vault.seal(secret, sealedFor.sharedSecret(ctx.companyId)),
      fingerprint: fingerprintOf(secret),
      previousFingerprint: current?.fingerprint ?? null,
      previousValidUntil: current && overlapSeconds > 0 ? new Date(at.getTime() + overlapSeconds * 1000).toISOString() : null,
    };
    const result = await this.writer.appendAndSettle(
      ctx,
      [{ streamId: stream, type: SystemEvent.SharedSecretRotated, data, occurredAt: at }],
      { expectedVersions: { [stream]: current?.version ?? 0 }, conflict: asConflict },
    );
    const occurredAt = result.events[0].occurredAt;
    return {
      secret,
      fingerprint: data.fingerprint,
      createdAt: (current?.createdAt ?? occurredAt).toISOString(),
      rotatedAt: current ? occurredAt.toISOString() : null,
      previousValidUntil: data.previousValidUntil ?? null,
    };
  }
}
