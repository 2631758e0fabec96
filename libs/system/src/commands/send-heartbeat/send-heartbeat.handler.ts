import { Optional } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { ProblemBody } from '@keyward/common';
import { ActorRef, ConsistencyService, EventMetadata, EventStore, NewEvent } from '@keyward/event-store';
import { QueueProducer } from '@keyward/queue';
import { CentralClient, isRetryable } from '../../central/central-client';
import { CentralLink } from '../../domain/central-link';
import { InstallationOperator } from '../../domain/installation-operator';
import { INSTANCE_ID } from '../../domain/instance';
import { keywardVersion } from '../../domain/version';
import {
  HeartbeatFailedData,
  HeartbeatPayload,
  HeartbeatSentData,
  SystemEvent,
  TelemetryCounts,
  systemStreams,
} from '../../events/system-events';
import { HeartbeatResult } from '../../queries/resources';
import { SendHeartbeatCommand } from './send-heartbeat.command';

const TELEMETRY_ACTOR: ActorRef = { type: 'system', id: 'telemetry' };

@CommandHandler(SendHeartbeatCommand)
export class SendHeartbeatHandler implements ICommandHandler<SendHeartbeatCommand> {
  constructor(
    private readonly store: EventStore,
    private readonly dataSource: DataSource,
    private readonly operator: InstallationOperator,
    private readonly link: CentralLink,
    private readonly client: CentralClient,
    private readonly producer: QueueProducer,
    /** Present in the API and the command line, which answer once the event is projected; absent in the worker. */
    @Optional() private readonly consistency?: ConsistencyService,
  ) {}

  async execute({ request: r }: SendHeartbeatCommand): Promise<HeartbeatResult> {
    const manual = r.trigger === 'manual';
    if (manual) {
      await this.operator.assert(r.ctx!);
    } else if (!(await this.link.installation()).telemetryEnabled) {
      return { outcome: 'skipped', reason: 'TELEMETRY_DISABLED' };
    }
    const who = manual
      ? { actor: r.ctx!.actor, metadata: r.ctx!.metadata }
      : { actor: TELEMETRY_ACTOR, metadata: {} as EventMetadata };

    const opened = await this.link.open();
    if ('unavailable' in opened) {
      const { code, paused, problem } = opened.unavailable;
      if (manual) throw problem;
      if (paused) return { outcome: 'skipped', reason: code }; // the status says so (telemetry: paused)
      // a fault on this side (no or another encryption key, no shared secret): recorded, not retried
      const reason = `${code}: ${(problem.getResponse() as ProblemBody).detail}`;
      const state = await this.link.installation();
      const data: HeartbeatFailedData = {
        heartbeatId: r.heartbeatId,
        installationId: state.installationId ?? 'unknown',
        trigger: r.trigger,
        attempts: r.attempt,
        attemptedAt: new Date().toISOString(),
        outcome: 'error',
        httpStatus: null,
        latencyMs: null,
        reason,
      };
      await this.record(manual, { type: SystemEvent.HeartbeatFailed, companyId: await this.operator.companyId(), ...who, data });
      return { outcome: 'failed', heartbeatId: r.heartbeatId, attempt: r.attempt, final: true, retryable: false, failure: 'error', httpStatus: null, latencyMs: null, reason };
    }

    const { link } = opened;
    const payload: HeartbeatPayload = {
      heartbeatId: r.heartbeatId,
      installationId: link.installationId,
      instanceId: INSTANCE_ID,
      version: keywardVersion(),
      uptimeSeconds: Math.round(process.uptime()),
      sentAt: new Date().toISOString(),
      counts: await this.counts(),
    };
    const call = await this.client.call('heartbeat', { apiKey: link.apiKey, secret: link.secret }, payload);
    const common = { heartbeatId: r.heartbeatId, installationId: link.installationId, trigger: r.trigger };

    if (call.outcome === 'ok') {
      const data: HeartbeatSentData = {
        ...common,
        attempt: r.attempt,
        attemptedAt: payload.sentAt,
        httpStatus: call.httpStatus!,
        latencyMs: call.latencyMs,
        payload,
      };
      await this.record(manual, { type: SystemEvent.HeartbeatSent, companyId: link.companyId, ...who, data });
      return { outcome: 'sent', heartbeatId: r.heartbeatId, attempt: r.attempt, httpStatus: call.httpStatus!, latencyMs: call.latencyMs, sentAt: payload.sentAt };
    }

    const retryable = isRetryable(call);
    const final = !retryable || r.attempt >= r.maxAttempts;
    const reason = call.reason ?? call.outcome;
    if (final) {
      const data: HeartbeatFailedData = {
        ...common,
        attempts: r.attempt,
        attemptedAt: payload.sentAt,
        outcome: call.outcome,
        httpStatus: call.httpStatus,
        latencyMs: call.latencyMs,
        reason,
      };
      await this.record(manual, { type: SystemEvent.HeartbeatFailed, companyId: link.companyId, ...who, data });
    }
    return {
      outcome: 'failed',
      heartbeatId: r.heartbeatId,
      attempt: r.attempt,
      final,
      retryable,
      failure: call.outcome,
      httpStatus: call.httpStatus,
      latencyMs: call.latencyMs,
      reason,
    };
  }

  private async record(manual: boolean, event: Omit<NewEvent, 'streamId'>): Promise<void> {
    const result = await this.store.append([{ streamId: systemStreams.heartbeats, ...event }], { expectedVersions: {} });
    if (manual && this.consistency) await this.consistency.settle(result);
    else await this.producer.wakeProjector('telemetry');
  }

  /** Anonymous counts: no name, e-mail, id or key leaves the installation. */
  private async counts(): Promise<TelemetryCounts> {
    const [row]: { companies: string; users: string; active_keys: string; events: string }[] = await this.dataSource.query(
      `SELECT (SELECT count(*) FROM companies) AS companies,
              (SELECT count(*) FROM users) AS users,
              (SELECT count(*) FROM api_keys
                WHERE status = 'active' AND deleted_at IS NULL AND (expires_at IS NULL OR expires_at > now())) AS active_keys,
              (SELECT COALESCE(max(position), 0) FROM events) AS events`,
    );
    return { companies: Number(row.companies), users: Number(row.users), activeKeys: Number(row.active_keys), events: Number(row.events) };
  }
}
