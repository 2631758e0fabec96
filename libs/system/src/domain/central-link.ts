import { Injectable } from '@nestjs/common';
import { Problem } from '@keyward/common';
import { EventStore } from '@keyward/event-store';
import { CentralClient } from '../central/central-client';
import { systemStreams } from '../events/system-events';
import { InstallationOperator } from './installation-operator';
import { SecretsVault, sealedFor } from './secrets-vault';
import { InstallationState, SharedSecretState, foldInstallation, foldSharedSecret } from './system.state';

/** What a call to the central service needs, opened from the log. Lives only for that call. */
export interface OpenLink {
  installationId: string;
  /** The operator company: its shared secret signs, its audit trail records. */
  companyId: string;
  apiKey: string;
  secret: string;
  state: InstallationState;
}

/** Why the link cannot be used now. `paused`: a settled state the status shows (heartbeats skip). */
export interface LinkUnavailable {
  code: string;
  paused: boolean;
  problem: Problem;
}

export const linkProblems = {
  /** 409, not 503: a settled configuration of this installation, not an outage; retrying changes nothing. */
  notConfigured: () =>
    new Problem(
      409,
      'CENTRAL_NOT_CONFIGURED',
      'CENTRAL_URL is not set: there is no central service to link to (set it on every API, worker and command-line process and restart them)',
    ),
  notActive: () =>
    new Problem(
      409,
      'CENTRAL_NOT_ACTIVE',
      'the central link is not active: activate it with PUT /v1/system/central (or `keyward api activate --key …`)',
    ),
  urlChanged: (activatedFor: string) =>
    new Problem(
      409,
      'CENTRAL_URL_CHANGED',
      `CENTRAL_URL has changed since the link was activated (for ${activatedFor}): activate it again; ` +
        'the stored central API key is never sent to another address',
    ),
  noOperator: () => new Problem(409, 'NOT_BOOTSTRAPPED', 'no company exists yet: run `keyward bootstrap` first'),
  secretRequired: () =>
    new Problem(
      409,
      'SHARED_SECRET_REQUIRED',
      "requests to the central service are signed with the operator company's shared secret, and it has none: " +
        'create it with POST /v1/shared-secret/rotate, then retry',
    ),
};

/** Loads and opens the installation's central link and the operator company's shared secret. */
@Injectable()
export class CentralLink {
  constructor(
    private readonly store: EventStore,
    private readonly vault: SecretsVault,
    private readonly operator: InstallationOperator,
    private readonly client: CentralClient,
  ) {}

  async installation(): Promise<InstallationState> {
    return foldInstallation(await this.store.readStream(systemStreams.installation));
  }

  async sharedSecretState(companyId: string): Promise<SharedSecretState | null> {
    return foldSharedSecret(await this.store.readStream(systemStreams.sharedSecret(companyId)));
  }

  /** The company's shared secret in clear (409 SHARED_SECRET_REQUIRED if it has none). */
  async openSharedSecret(companyId: string): Promise<{ secret: string; fingerprint: string }> {
    const state = await this.sharedSecretState(companyId);
    if (!state) throw linkProblems.secretRequired();
    return { secret: this.vault.open(state.sealed, sealedFor.sharedSecret(companyId), 'the shared secret'), fingerprint: state.fingerprint };
  }

  /** Everything a call over the active link needs, or why there is none. */
  async open(): Promise<{ link: OpenLink } | { unavailable: LinkUnavailable }> {
    const paused = (code: string, problem: Problem) => ({ unavailable: { code, paused: true, problem } });
    if (!this.client.url) return paused('CENTRAL_NOT_CONFIGURED', linkProblems.notConfigured());
    const state = await this.installation();
    if (!state.central || !state.installationId) return paused('CENTRAL_NOT_ACTIVE', linkProblems.notActive());
    if (state.central.url !== this.client.url) return paused('CENTRAL_URL_CHANGED', linkProblems.urlChanged(state.central.url));
    const companyId = await this.operator.companyId();
    if (!companyId) return paused('NOT_BOOTSTRAPPED', linkProblems.noOperator());
    try {
      const { secret } = await this.openSharedSecret(companyId);
      const apiKey = this.vault.open(state.central.sealedKey, sealedFor.centralKey(state.installationId), 'the central API key');
      return { link: { installationId: state.installationId, companyId, apiKey, secret, state } };
    } catch (err) {
      if (!(err instanceof Problem)) throw err;
      const body = err.getResponse() as { code: string };
      return { unavailable: { code: body.code, paused: false, problem: err } };
    }
  }
}
