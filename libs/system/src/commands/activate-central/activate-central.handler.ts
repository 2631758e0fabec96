import { randomUUID } from 'node:crypto';
import { CommandHandler, ICommandHandler, QueryBus } from '@nestjs/cqrs';
import { Problem } from '@keyward/common';
import { CommandWriter } from '@keyward/event-store';
import { CentralCall, CentralClient } from '../../central/central-client';
import { CentralLink, linkProblems } from '../../domain/central-link';
import { asConflict } from '../../domain/conflicts';
import { InstallationOperator } from '../../domain/installation-operator';
import { SecretsVault, sealedFor } from '../../domain/secrets-vault';
import { keywardVersion } from '../../domain/version';
import { CentralActivatedData, SystemEvent, systemStreams } from '../../events/system-events';
import { GetSystemStatusQuery } from '../../queries/get-system-status/get-system-status.query';
import { CentralView } from '../../queries/resources';
import { ActivateCentralCommand } from './activate-central.command';

@CommandHandler(ActivateCentralCommand)
export class ActivateCentralHandler implements ICommandHandler<ActivateCentralCommand> {
  constructor(
    private readonly vault: SecretsVault,
    private readonly operator: InstallationOperator,
    private readonly link: CentralLink,
    private readonly client: CentralClient,
    private readonly writer: CommandWriter,
    private readonly queries: QueryBus,
  ) {}

  async execute({ ctx, apiKey }: ActivateCentralCommand): Promise<CentralView> {
    await this.operator.assert(ctx);
    const url = this.client.url;
    if (!url) throw linkProblems.notConfigured();
    this.vault.key();
    const state = await this.link.installation();
    const { secret, fingerprint } = await this.link.openSharedSecret(ctx.companyId);
    const installationId = state.installationId ?? randomUUID();

    const call = await this.client.call('activate', { apiKey, secret }, {
      installationId,
      version: keywardVersion(),
      sentAt: new Date().toISOString(),
    });
    if (call.outcome !== 'ok') throw activationRefused(call);

    const data: CentralActivatedData = {
      installationId,
      url,
      sealedKey: this.vault.seal(apiKey, sealedFor.centralKey(installationId)),
      signedWith: fingerprint,
      latencyMs: call.latencyMs,
    };
    const stream = systemStreams.installation;
    await this.writer.appendAndSettle(
      ctx,
      [{ streamId: stream, type: SystemEvent.CentralActivated, data }],
      { expectedVersions: { [stream]: state.version }, conflict: asConflict },
    );
    return (await this.queries.execute(new GetSystemStatusQuery(ctx.companyId))).central;
  }
}

/** The central service did not accept the key: nothing was written. */
function activationRefused(call: CentralCall): Problem {
  const unchanged = 'nothing was changed';
  switch (call.outcome) {
    case 'rejected':
      return new Problem(422, 'CENTRAL_KEY_REJECTED', `apiKey: ${call.reason}; ${unchanged}`, [
        { field: 'apiKey', message: `was refused by the central service (HTTP ${call.httpStatus})` },
      ]);
    case 'timeout':
      return new Problem(504, 'CENTRAL_TIMEOUT', `the central service gave ${call.reason}; ${unchanged}`, undefined, { 'Retry-After': '30' });
    default:
      return new Problem(502, 'CENTRAL_UNREACHABLE', `${call.reason}; ${unchanged}`, undefined, { 'Retry-After': '30' });
  }
}
