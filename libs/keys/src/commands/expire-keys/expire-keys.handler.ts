import { Logger } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { EventStore, StreamConflictError } from '@keyward/event-store';
import { QueueProducer } from '@keyward/queue';
import { foldKey } from '../../domain/key.state';
import { KeyExpiredData, KeywardEvent, streamOf } from '../../events/keyward-events';
import { ExpireKeysCommand } from './expire-keys.command';

@CommandHandler(ExpireKeysCommand)
export class ExpireKeysHandler implements ICommandHandler<ExpireKeysCommand> {
  private readonly logger = new Logger(ExpireKeysHandler.name);

  constructor(
    private readonly store: EventStore,
    private readonly dataSource: DataSource,
    private readonly producer: QueueProducer,
  ) {}

  async execute({ limit }: ExpireKeysCommand): Promise<{ expired: number }> {
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
    if (expired > 0) await this.producer.wakeProjector('expiry');
    return { expired };
  }
}
