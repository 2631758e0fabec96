import { DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { EventStoreModule, ProjectionMode, writeKernelProviders } from '@keyward/event-store';
import { QueueModule } from '@keyward/queue';
import { CentralClient } from './central/central-client';
import { ActivateCentralHandler } from './commands/activate-central/activate-central.handler';
import { CheckCentralHandler } from './commands/check-central/check-central.handler';
import { DeactivateCentralHandler } from './commands/deactivate-central/deactivate-central.handler';
import { RevealSharedSecretHandler } from './commands/reveal-shared-secret/reveal-shared-secret.handler';
import { RotateSharedSecretHandler } from './commands/rotate-shared-secret/rotate-shared-secret.handler';
import { SendHeartbeatHandler } from './commands/send-heartbeat/send-heartbeat.handler';
import { SetTelemetryHandler } from './commands/set-telemetry/set-telemetry.handler';
import { CentralLink } from './domain/central-link';
import { InstallationOperator } from './domain/installation-operator';
import { SecretsVault } from './domain/secrets-vault';
import { TelemetrySchedule } from './domain/telemetry-schedule';
import { GetSharedSecretHandler } from './queries/get-shared-secret/get-shared-secret.handler';
import { GetSystemStatusHandler } from './queries/get-system-status/get-system-status.handler';

const SERVICES = [SecretsVault, CentralClient, InstallationOperator, CentralLink, TelemetrySchedule];

/**
 * Shared secrets, the central link and telemetry. Needs, in the importing application: the
 * Redis module and a ProjectorModule with SystemReadModelProjection registered.
 */
@Module({})
export class SystemModule {
  /** 'wait' (the API) or 'inline' (the command line): as KeysModule.register. */
  static register(mode: ProjectionMode): DynamicModule {
    return {
      module: SystemModule,
      imports: [CqrsModule, EventStoreModule, QueueModule],
      providers: [
        ...writeKernelProviders(mode),
        ...SERVICES,
        RotateSharedSecretHandler,
        RevealSharedSecretHandler,
        ActivateCentralHandler,
        DeactivateCentralHandler,
        CheckCentralHandler,
        SetTelemetryHandler,
        SendHeartbeatHandler,
        GetSharedSecretHandler,
        GetSystemStatusHandler,
      ],
      exports: [CqrsModule, InstallationOperator],
    };
  }
}

/** What the worker runs of it: scheduled heartbeats, and the scheduler kept in step with the log. */
@Module({
  imports: [CqrsModule, EventStoreModule, QueueModule],
  providers: [...SERVICES, SendHeartbeatHandler],
  exports: [CqrsModule, TelemetrySchedule],
})
export class SystemWorkerModule {}
