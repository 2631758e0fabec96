import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EVENT_COLUMNS, toAuditEvent } from '@keyward/audit';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import { toStoredEvent } from '@keyward/event-store';
import { OutboundSecrets, SIGNATURE_HEADER, signOutbound } from '@keyward/system';
import { EVERY_EVENT } from '../events/webhook-events';
import { retryDelayMs } from './backoff';
import { AttemptOutcome, WebhookSender } from './webhook-sender';
import { checkTarget } from './webhook-target';
import { WebhookAttempt, WebhookDeliveryLog } from './webhook-delivery-log';

/** Events read and sent per round; the cursor moves after each round (and at the first failure). */
const ROUND = 100;

interface Target {
  id: string;
  company_id: string;
  url: string;
  events: string[];
  delivered_position: string;
  failed_attempts: number;
  failing_since: Date | null;
  next_attempt_at: Date | null;
}

export interface DeliveryRun {
  delivered: number;
  /** Set when an attempt failed: the next one is due then (the job waits until that instant). */
  retryAt: Date | null;
}

/** What a sent webhook request carries, for its Keyward-* headers. */
interface SentAbout {
  webhookId: string;
  eventType: string;
  attempt: number;
  eventId?: string;
  position?: number;
}

/**
 * Delivers one webhook's events: each event of its company after its cursor (of its types, or
 * all with "*"), in log order, one POST each, signed with the company's shared secret(s). The
 * cursor moves only past events the receiver answered 2xx, so delivery is at least once and in
 * order; on a failure the same event is tried again after a backoff, with nothing after it sent
 * first. The log is the queue: however long a receiver is away, what it missed is still there.
 * One run per webhook at a time (its jobs share a BullMQ deduplication id); the cursor's update is
 * also conditional on where the run started, so a stray second run can repeat a delivery (at
 * least once) but never move the cursor back.
 */
@Injectable()
export class WebhookDispatcher implements OnModuleDestroy {
  private readonly logger = new Logger(WebhookDispatcher.name);
  private readonly sender: WebhookSender;

  constructor(
    private readonly dataSource: DataSource,
    private readonly secrets: OutboundSecrets,
    private readonly deliveries: WebhookDeliveryLog,
    @Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig,
  ) {
    this.sender = new WebhookSender({ allowPrivate: config.webhooks.allowPrivate, timeoutMs: config.webhooks.timeoutMs, userAgent: 'Keyward-Webhooks/1' });
  }

  onModuleDestroy(): void {
    this.sender.close();
  }

  async deliver(webhookId: string, now: () => Date = () => new Date()): Promise<DeliveryRun> {
    const target = await this.load(webhookId);
    if (!target) return { delivered: 0, retryAt: null }; // deleted (or never existed): nothing more is sent
    if (target.next_attempt_at && target.next_attempt_at.getTime() > now().getTime() + 50) {
      return { delivered: 0, retryAt: target.next_attempt_at }; // a retry is already set for then
    }
    let position = Number(target.delivered_position);
    let failures = target.failed_attempts;
    let delivered = 0;
    const url = new URL(target.url);
    let checkedAt = Date.now();
    for (;;) {
      const events = await this.next(target, position);
      if (events.length === 0) {
        if (failures > 0 || target.next_attempt_at) await this.moved(target, Number(target.delivered_position), position, { ok: true, last: null });
        return { delivered, retryAt: null };
      }
      const attempts: WebhookAttempt[] = [];
      let failed: AttemptOutcome | null = null;
      let signing: string[] | null = null;
      let signingProblem: string | null = null;
      try {
        signing = (await this.secrets.at(target.company_id, now()))?.secrets ?? null;
        if (!signing) signingProblem = 'the company has no shared secret to sign with (POST /v1/shared-secret/rotate)';
      } catch (err) {
        signingProblem = `the shared secret cannot be opened: ${(err as Error).message}`;
      }
      // where the URL leads, once per round: a host name costs a DNS lookup (2.5 ms here for a public
      // name), which once per event capped a webhook's rate; every new connection is still checked
      // by the sender's guarded lookup, so a name pointed elsewhere meanwhile gets nothing
      let targetProblem: string | null = null;
      try {
        await checkTarget(url, this.config.webhooks.allowPrivate);
      } catch (err) {
        targetProblem = (err as Error).message;
      }
      for (const e of events) {
        // deleted meanwhile: nothing more is sent (checked at most every 200 ms)
        if (Date.now() - checkedAt > 200) {
          checkedAt = Date.now();
          if (!(await this.isActive(target.id))) break;
        }
        const attemptedAt = now();
        let outcome: AttemptOutcome;
        if (!signing || targetProblem) {
          outcome = { ok: false, status: null, durationMs: 0, error: signingProblem ?? targetProblem };
        } else {
          outcome = await this.attempt(url, target, e, signing, failures + 1);
        }
        attempts.push({ webhookId: target.id, attemptedAt, position: e.position, eventType: e.type, attempt: failures + 1, test: false, ...outcome });
        if (!outcome.ok) {
          failed = outcome;
          failures += 1;
          break;
        }
        position = e.position;
        failures = 0;
        delivered += 1;
      }
      await this.deliveries.record(attempts);
      if (failed) {
        const retryAt = new Date(now().getTime() + retryDelayMs(failures, this.config.webhooks.retryMaxSeconds));
        await this.moved(target, Number(target.delivered_position), position, { ok: false, failures, retryAt, last: failed, at: now() });
        this.logger.warn(`webhook ${target.id}: delivery of position ${attempts.at(-1)!.position} failed (${failed.error}); attempt ${failures + 1} at ${retryAt.toISOString()}`);
        return { delivered, retryAt };
      }
      const kept = await this.moved(target, Number(target.delivered_position), position, { ok: true, last: attempts.at(-1)! });
      if (!kept) return { delivered, retryAt: null }; // another run moved it meanwhile: that run goes on
      target.delivered_position = String(position);
      target.failed_attempts = 0;
      target.failing_since = null;
      target.next_attempt_at = null;
    }
  }

  /**
   * Sends one test event (`WebhookTest`, no position: it is not in the log) to the webhook now,
   * signed as a delivery is, and logs the attempt. Null when the webhook is not the company's.
   */
  async sendTest(companyId: string, webhookId: string): Promise<AttemptOutcome | null> {
    const target = await this.load(webhookId);
    if (!target || target.company_id !== companyId) return null;
    const attemptedAt = new Date();
    const body = JSON.stringify({
      type: 'WebhookTest',
      test: true,
      webhookId,
      companyId,
      occurredAt: attemptedAt.toISOString(),
      position: null,
      hash: null,
      data: { message: 'A test delivery from Keyward: check its Keyward-Signature as you would for any event.' },
    });
    let outcome: AttemptOutcome;
    try {
      const signing = await this.secrets.at(companyId, attemptedAt);
      if (!signing) throw new Error('the company has no shared secret to sign with (POST /v1/shared-secret/rotate)');
      await checkTarget(new URL(target.url), this.config.webhooks.allowPrivate);
      outcome = await this.signedSend(new URL(target.url), body, signing.secrets, { webhookId, eventType: 'WebhookTest', attempt: 1 });
    } catch (err) {
      outcome = { ok: false, status: null, durationMs: 0, error: (err as Error).message };
    }
    await this.deliveries.record([{ webhookId, attemptedAt, position: null, eventType: 'WebhookTest', attempt: 1, test: true, ...outcome }]);
    return outcome;
  }

  private async attempt(url: URL, target: Target, e: ReturnType<typeof toStoredEvent>, secrets: string[], attempt: number): Promise<AttemptOutcome> {
    const body = JSON.stringify(toAuditEvent(e));
    return this.signedSend(url, body, secrets, { webhookId: target.id, eventType: e.type, attempt, eventId: e.eventId, position: e.position });
  }

  /**
   * One POST of a delivery or a test: the body signed with every secret in force, and the headers
   * that say what it carries (a test has no event id and no position: it is not in the log).
   */
  private signedSend(url: URL, body: string, secrets: string[], about: SentAbout): Promise<AttemptOutcome> {
    const headers: Record<string, string> = {
      [SIGNATURE_HEADER]: signOutbound(secrets, body),
      'Keyward-Webhook-Id': about.webhookId,
      'Keyward-Event-Type': about.eventType,
      'Keyward-Delivery-Attempt': String(about.attempt),
    };
    if (about.eventId !== undefined) headers['Keyward-Event-Id'] = about.eventId;
    if (about.position !== undefined) headers['Keyward-Event-Position'] = String(about.position);
    return this.sender.send(url, body, headers);
  }

  private async isActive(webhookId: string): Promise<boolean> {
    return (await this.dataSource.query('SELECT 1 FROM webhooks WHERE id = $1 AND deleted_at IS NULL', [webhookId])).length > 0;
  }

  private async load(webhookId: string): Promise<Target | null> {
    const rows: Target[] = await this.dataSource.query(
      `SELECT w.id, w.company_id, w.url, w.events, c.delivered_position, c.failed_attempts, c.failing_since, c.next_attempt_at
         FROM webhooks w JOIN webhook_cursors c ON c.webhook_id = w.id
        WHERE w.id = $1 AND w.deleted_at IS NULL`,
      [webhookId],
    );
    return rows[0] ?? null;
  }

  /**
   * The next events of the webhook's company after `position`, in log order. Only events from
   * transactions older than every running one (as the projector reads): nothing committed later
   * can land before what was sent.
   */
  private async next(target: Target, position: number) {
    const every = target.events.includes(EVERY_EVENT);
    const rows = await this.dataSource.query(
      `SELECT ${EVENT_COLUMNS} FROM events
        WHERE company_id = $1 AND position > $2 ${every ? '' : 'AND type = ANY($5::text[])'}
          AND EXISTS (SELECT 1 FROM webhooks WHERE id = $4 AND deleted_at IS NULL)
          AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY position LIMIT $3`,
      [target.company_id, position, ROUND, target.id, ...(every ? [] : [target.events])],
    );
    return rows.map(toStoredEvent);
  }

  /**
   * Moves the cursor from `from` to `to` and records how the round ended; only when the cursor is
   * still at `from` (false otherwise: another run moved it).
   */
  private async moved(
    target: Target,
    from: number,
    to: number,
    end: { ok: true; last: WebhookAttempt | null } | { ok: false; failures: number; retryAt: Date; last: AttemptOutcome; at: Date },
  ): Promise<boolean> {
    // an UPDATE answers [rows, count] through TypeORM's Postgres driver
    const [rows]: [unknown[], number] = end.ok
      ? await this.dataSource.query(
          `UPDATE webhook_cursors
              SET delivered_position = $3, failed_attempts = 0, failing_since = NULL, next_attempt_at = NULL,
                  last_attempt_at = COALESCE($4, last_attempt_at), last_status = COALESCE($5, last_status), last_error = CASE WHEN $4::timestamptz IS NULL THEN last_error ELSE NULL END
            WHERE webhook_id = $1 AND delivered_position = $2 RETURNING webhook_id`,
          [target.id, from, to, end.last?.attemptedAt ?? null, end.last?.status ?? null],
        )
      : await this.dataSource.query(
          `UPDATE webhook_cursors
              SET delivered_position = $3, failed_attempts = $4, failing_since = COALESCE(failing_since, $5), next_attempt_at = $6,
                  last_attempt_at = $5, last_status = $7, last_error = $8
            WHERE webhook_id = $1 AND delivered_position = $2 RETURNING webhook_id`,
          [target.id, from, to, end.failures, end.at, end.retryAt, end.last.status, end.last.error],
        );
    return rows.length > 0;
  }
}
