/** Every BullMQ queue. Each has exactly one processor in apps/worker (checked at worker start-up). */
export enum QueueName {
  Projections = 'projections',
  Usage = 'usage',
  Maintenance = 'maintenance',
  Telemetry = 'telemetry',
  Webhooks = 'webhooks',
}

export enum JobName {
  /** Wake the projector: apply every committed event after its checkpoint. */
  Project = 'project',
  /** Append a batch of usage records (KeyUsed, AuthenticationFailed) from one API instance. */
  RecordUsage = 'record-usage',
  /** Append KeyExpired for keys past their expiry or rotation grace. */
  ExpireKeys = 'expire-keys',
  /** Sign the chain head (audit checkpoint) when it moved. */
  SignCheckpoint = 'sign-checkpoint',
  /** Create the log's partitions ahead of the positions to come (keyward_events_ensure_partitions). */
  EnsureLogPartitions = 'ensure-log-partitions',
  /** Archive the log's whole partitions older than AUDIT_ARCHIVE_AFTER_DAYS to AUDIT_ARCHIVE_DIR (docs/audit-archive.md). */
  ArchiveAudit = 'archive-audit',
  /** Send one heartbeat to the central service (telemetry on); retried with exponential backoff. */
  SendHeartbeat = 'send-heartbeat',
  /** Deliver a webhook's next events, in log order, from where its delivery stands (libs/webhooks). */
  DeliverWebhook = 'deliver-webhook',
  /** Wake every webhook with events waiting whose retry is due, and trim the delivery log. */
  SweepWebhooks = 'sweep-webhooks',
}

/** One authenticated request, or one refused authentication, as an API instance saw it. */
export interface UsageRecord {
  /** Chosen when recorded: a retried job re-appends the same event (a no-op). */
  eventId: string;
  type: 'KeyUsed' | 'AuthenticationFailed';
  occurredAt: string;
  companyId: string | null;
  keyId: string | null;
  method: string;
  route: string;
  status: number;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  durationMs: number;
  /** AuthenticationFailed only: why (never the key). */
  reason?: string;
}

/** Typed payload of each job. */
export interface JobPayloads {
  [JobName.Project]: { reason: string };
  [JobName.RecordUsage]: { instanceId: string; records: UsageRecord[] };
  [JobName.ExpireKeys]: Record<string, never>;
  [JobName.SignCheckpoint]: Record<string, never>;
  [JobName.EnsureLogPartitions]: Record<string, never>;
  [JobName.ArchiveAudit]: Record<string, never>;
  [JobName.SendHeartbeat]: Record<string, never>;
  [JobName.DeliverWebhook]: { webhookId: string };
  [JobName.SweepWebhooks]: Record<string, never>;
}

/** The queue each job belongs to. */
export const JOB_QUEUE: Record<JobName, QueueName> = {
  [JobName.Project]: QueueName.Projections,
  [JobName.RecordUsage]: QueueName.Usage,
  [JobName.ExpireKeys]: QueueName.Maintenance,
  [JobName.SignCheckpoint]: QueueName.Maintenance,
  [JobName.EnsureLogPartitions]: QueueName.Maintenance,
  [JobName.ArchiveAudit]: QueueName.Maintenance,
  [JobName.SendHeartbeat]: QueueName.Telemetry,
  [JobName.DeliverWebhook]: QueueName.Webhooks,
  [JobName.SweepWebhooks]: QueueName.Webhooks,
};

/** Id of the scheduler that wakes the projector on a fixed interval, in case a wake-up was lost. */
export const PROJECTION_TICK_SCHEDULER = 'projection-tick';
export const EXPIRY_SWEEP_SCHEDULER = 'expiry-sweep';
/** Exists exactly while telemetry is on (libs/system TelemetrySchedule keeps it in step with the log). */
export const TELEMETRY_HEARTBEAT_SCHEDULER = 'telemetry-heartbeat';
export const CHECKPOINT_SCHEDULER = 'audit-checkpoint';
export const LOG_PARTITIONS_SCHEDULER = 'log-partitions';
/** Exists exactly while AUDIT_ARCHIVE_AFTER_DAYS and AUDIT_ARCHIVE_DIR are set. */
export const AUDIT_ARCHIVE_SCHEDULER = 'audit-archive';
export const WEBHOOK_SWEEP_SCHEDULER = 'webhook-sweep';

/** Redis pub/sub channels (prefixed with REDIS_PREFIX). */
export const Channels = {
  projectionCheckpoint: (prefix: string) => `${prefix}:projections:checkpoint`,
};
