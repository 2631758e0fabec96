import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { EventStore, StreamConflictError } from '@keyward/event-store';
import { QueueProducer } from '@keyward/queue';
import { foldKey } from '../../domain/key.state';
import { KeyExpiredData, KeyExpiringSoonData, KeywardEvent, streamOf } from '../../events/keyward-events';
import { ExpireKeysCommand } from './expire-keys.command';

@CommandHandler(ExpireKeysCommand)
export class ExpireKeysHandler implements ICommandHandler<ExpireKeysCommand> {
  private readonly logger = new Logger(ExpireKeysHandler.name);

  constructor(
    private readonly store: EventStore,
    private readonly dataSource: DataSource,
    private readonly producer: QueueProducer,
  ) {}

  async execute({ limit }: ExpireKeysCommand): Promise<{ expired: number; noticed: number }> {
    const now = Date.now();
    const due: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM api_keys
        WHERE status = 'active' AND deleted_at IS NULL AND (expires_at <= $1 OR grace_ends_at <= $1)
        ORDER BY LEAST(expires_at, grace_ends_at) LIMIT $2`,
      [new Date(now), limit],
    );
    let expired = 0;
    for (const { id } of due) {
      const key = foldKey(await this.store.readStream(streamOf.key(id)));
      if (!key || key.deleted || key.revoked || key.expired) continue;
      const ends = [key.expiresAt && { reason: 'expiry' as const, at: key.expiresAt }, key.graceEndsAt && { reason: 'rotation' as const, at: key.graceEndsAt }]
        .filter((x): x is { reason: 'expiry' | 'rotation'; at: string } => Boolean(x) && Date.parse((x as { at: string }).at) <= now)
        .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
      if (ends.length === 0) continue;
      const data: KeyExpiredData = { keyId: id, reason: ends[0].reason, expiredAt: ends[0].at };
      try {
        await this.store.append(
          [{ streamId: streamOf.key(id), type: KeywardEvent.KeyExpired, companyId: key.companyId, actor: { type: 'system', id: 'expiry-sweep' }, data }],
          { expectedVersions: { [streamOf.key(id)]: key.version } },
        );
        expired++;
      } catch (err) {
        if (!(err instanceof StreamConflictError)) throw err;
        this.logger.debug(`key ${id} changed meanwhile; the next sweep decides again`);
      }
    }
    const noticed = await this.noticeExpiringSoon(now, limit);
    if (expired > 0 || noticed > 0) await this.producer.wakeProjector('expiry');
    return { expired, noticed };
  }

  /**
   * `KeyExpiringSoon` for the active keys whose expiry is 7 days or 1 day away, once each: a
   * notice's event id is derived from the key, its expiry and the notice, so the log itself says
   * which were recorded (one look-up per sweep, no table of its own), an append racing another
   * sweep appends nothing twice, and a key whose expiry is moved gets notices for its new date.
   */
  private async noticeExpiringSoon(now: number, limit: number): Promise<number> {
    const soon: { id: string; name: string; company_id: string; expires_at: Date }[] = await this.dataSource.query(
      `SELECT id, name, company_id, expires_at FROM api_keys
        WHERE status = 'active' AND deleted_at IS NULL AND expires_at > $1 AND expires_at <= $2
        ORDER BY expires_at LIMIT $3`,
      [new Date(now), new Date(now + NOTICES[0].beforeMs), limit],
    );
    const due = soon.map((k) => {
      const expiresAt = k.expires_at.toISOString();
      // the nearest notice whose time has come: a key made 12 hours before its expiry gets the 1-day one only
      const notice = NOTICES.filter((n) => k.expires_at.getTime() - now <= n.beforeMs).at(-1)!.name;
      return { key: k, expiresAt, notice, eventId: noticeId(k.id, expiresAt, notice) };
    });
    if (due.length === 0) return 0;
    const recorded: { event_id: string }[] = await this.dataSource.query('SELECT event_id FROM events WHERE event_id = ANY($1::uuid[])', [
      due.map((d) => d.eventId),
    ]);
    const seen = new Set(recorded.map((r) => r.event_id));
    const fresh = due.filter((d) => !seen.has(d.eventId));
    if (fresh.length === 0) return 0;
    const result = await this.store.append(
      fresh.map(({ key, expiresAt, notice, eventId }) => {
        const data: KeyExpiringSoonData = { keyId: key.id, name: key.name, expiresAt, notice };
        return { eventId, streamId: streamOf.keyNotices(key.id), type: KeywardEvent.KeyExpiringSoon, companyId: key.company_id, actor: { type: 'system' as const, id: 'expiry-sweep' }, data };
      }),
      { expectedVersions: {}, skipExisting: true },
    );
    return result.events.length;
  }
}

/** Farthest first. */
const NOTICES = [
  { name: '7d' as const, beforeMs: 7 * 86_400_000 },
  { name: '1d' as const, beforeMs: 86_400_000 },
];

/** A UUID (version 5 layout) derived from the notice, so it is the same in every sweep. */
function noticeId(keyId: string, expiresAt: string, notice: string): string {
  const h = createHash('sha256').update(`KeyExpiringSoon|${keyId}|${expiresAt}|${notice}`).digest('hex');
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
