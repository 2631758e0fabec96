import { Injectable } from '@nestjs/common';
import { EventStore } from '@keyward/event-store';
import { systemStreams } from '../events/system-events';
import { SecretsVault, sealedFor } from './secrets-vault';
import { foldSharedSecret } from './system.state';

/** What signs a company's outbound deliveries at one instant. */
export interface SigningSecrets {
  /** The current secret first, then the replaced one while the rotation's overlap lasts. */
  secrets: string[];
  fingerprints: string[];
}

/**
 * The company's shared secret(s) in clear, for signing webhook deliveries: the current one, and
 * the one it replaced until the rotation's overlap ends (a receiver switching over checks either
 * `v1=`). Null when the company has no shared secret. Throws the vault's problems (409 without
 * SECRETS_ENCRYPTION_KEY or under another key).
 */
@Injectable()
export class OutboundSecrets {
  constructor(
    private readonly store: EventStore,
    private readonly vault: SecretsVault,
  ) {}

  async exists(companyId: string): Promise<boolean> {
    return (await this.store.readStream(systemStreams.sharedSecret(companyId))).length > 0;
  }

  async at(companyId: string, now: Date = new Date()): Promise<SigningSecrets | null> {
    const state = foldSharedSecret(await this.store.readStream(systemStreams.sharedSecret(companyId)));
    if (!state) return null;
    const aad = sealedFor.sharedSecret(companyId);
    const secrets = [this.vault.open(state.sealed, aad, 'the shared secret')];
    const fingerprints = [state.fingerprint];
    if (state.previous && state.previous.validUntil > now) {
      secrets.push(this.vault.open(state.previous.sealed, aad, 'the replaced shared secret'));
      fingerprints.push(state.previous.fingerprint);
    }
    return { secrets, fingerprints };
  }
}
