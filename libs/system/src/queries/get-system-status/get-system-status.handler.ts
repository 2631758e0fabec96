import { getQueueToken } from '@nestjs/bullmq';
import { Inject } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import { InstallationStatusEntity } from '@keyward/database';
import { Projector } from '@keyward/event-store';
import { QueueName } from '@keyward/queue';
import { InstallationOperator } from '../../domain/installation-operator';
import { keywardVersion } from '../../domain/version';
import { CentralOutcome } from '../../events/system-events';
import { CentralView, QueueCounts, SystemStatus, TelemetryView } from '../resources';
import { GetSystemStatusQuery } from './get-system-status.query';

/** How long the status waits for Redis before it shows a queue as unknown (null). */
const QUEUE_COUNTS_TIMEOUT_MS = 2_000;

/** The installation's read-model row (its entity), with the check's outcome as the events name it. */
type InstallationRow = Omit<InstallationStatusEntity, 'lastCheckOutcome'> & { lastCheckOutcome: CentralOutcome | null };

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/** The central link's status from the read model and the configured CENTRAL_URL. */
export function centralView(row: InstallationRow | undefined, configuredUrl: string | null): CentralView {
  const active = row?.centralActive === true;
  let status: CentralView['status'];
  if (!configuredUrl) status = 'not_configured';
  else if (!active) status = 'inactive';
  else if (row!.centralUrl !== configuredUrl) status = 'url_changed';
  else if (row!.lastContactOutcome === 'rejected') status = 'rejected';
  else if (row!.lastContactOutcome === 'unreachable' || row!.lastContactOutcome === 'timeout') status = 'unreachable';
  else status = 'active';
  return {
    status,
    url: configuredUrl,
    installationId: row?.installationId ?? null,
    activatedAt: active ? iso(row!.centralActivatedAt) : null,
    lastCheckAt: iso(row?.lastCheckAt),
    lastCheckOutcome: row?.lastCheckOutcome ?? null,
    lastHeartbeatAt: iso(row?.lastHeartbeatAt),
  };
}

export function telemetryView(row: InstallationRow | undefined, central: CentralView, intervalMs: number): TelemetryView {
  const enabled = row?.telemetryEnabled === true;
  const pausedReason =
    central.status === 'not_configured'
      ? 'CENTRAL_NOT_CONFIGURED'
      : central.status === 'inactive'
        ? 'CENTRAL_NOT_ACTIVE'
        : central.status === 'url_changed'
          ? 'CENTRAL_URL_CHANGED'
          : null;
  return {
    enabled,
    state: !enabled ? 'off' : pausedReason ? 'paused' : 'on',
    pausedReason: enabled ? pausedReason : null,
    intervalMs,
    lastFailureAt: iso(row?.lastHeartbeatFailedAt),
    lastFailureReason: row?.lastHeartbeatFailure ?? null,
  };
}

@QueryHandler(GetSystemStatusQuery)
export class GetSystemStatusHandler implements IQueryHandler<GetSystemStatusQuery> {
  constructor(
    private readonly dataSource: DataSource,
    private readonly projector: Projector,
    private readonly operator: InstallationOperator,
    private readonly moduleRef: ModuleRef,
    @Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig,
  ) {}

  async execute({ companyId }: GetSystemStatusQuery): Promise<SystemStatus> {
    await this.operator.assert({ companyId });
    const [rows, queues, projectionLag] = await Promise.all([
      this.dataSource.getRepository(InstallationStatusEntity).findBy({ id: 1 }) as Promise<InstallationRow[]>,
      this.queueCounts(),
      this.projectionLag(),
    ]);
    const central = centralView(rows[0], this.config.central.url);
    return {
      version: keywardVersion(),
      central,
      telemetry: telemetryView(rows[0], central, this.config.telemetryIntervalMs),
      queues,
      projectionLag,
    };
  }

  private async queueCounts(): Promise<Record<string, QueueCounts | null>> {
    const entries = await Promise.all(
      Object.values(QueueName).map(async (name) => {
        const queue = this.moduleRef.get<Queue>(getQueueToken(name), { strict: false });
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<null>((resolve) => {
          timer = setTimeout(() => resolve(null), QUEUE_COUNTS_TIMEOUT_MS);
        });
        const counts = queue
          .getJobCounts('wait', 'prioritized', 'active', 'failed', 'delayed')
          .then((c): QueueCounts => ({
            waiting: (c.wait ?? 0) + (c.prioritized ?? 0),
            active: c.active ?? 0,
            failed: c.failed ?? 0,
            delayed: c.delayed ?? 0,
          }))
          .catch(() => null);
        try {
          return [name, await Promise.race([counts, timeout])] as const;
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    return Object.fromEntries(entries);
  }

  /** Events after the projector's checkpoint (in reader order), and how old the oldest of them is. */
  private async projectionLag(): Promise<{ events: number; seconds: number }> {
    const from = await this.projector.checkpoint();
    const rows: { n: string; oldest: Date | null; now: Date }[] = await this.dataSource.query(
      `SELECT count(*) AS n, min(occurred_at) AS oldest, now() AS now FROM events
        WHERE (transaction_id, position) > ($1::text::xid8, $2::bigint)`,
      [from.transactionId, from.position],
    );
    const { n, oldest, now } = rows[0];
    const seconds = oldest ? Math.max(0, (now.getTime() - oldest.getTime()) / 1000) : 0;
    return { events: Number(n), seconds: Math.round(seconds * 1000) / 1000 };
  }
}
