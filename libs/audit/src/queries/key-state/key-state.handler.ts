import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { intersect, normalisePermissions } from '@keyward/auth';
import { Problem } from '@keyward/common';
import { EventStore, StoredEvent } from '@keyward/event-store';
import { foldKey, foldUser, streamOf } from '@keyward/keys';
import { ArchiveSeals } from '../../archive/archive-seals';
import { archivedReplay } from '../../archive/archived-replay';
import { KeyStateAt, KeyStateQuery } from './key-state.query';

@QueryHandler(KeyStateQuery)
export class KeyStateHandler implements IQueryHandler<KeyStateQuery> {
  constructor(
    private readonly dataSource: DataSource,
    private readonly store: EventStore,
    private readonly seals: ArchiveSeals,
  ) {}

  /** The stream up to the instant: its archived lifecycle events are read from events_retained (EventStore.readStream). */
  private async stream(streamId: string, at: Date): Promise<StoredEvent[]> {
    return (await this.store.readStream(streamId)).filter((e) => e.occurredAt.getTime() <= at.getTime());
  }

  async execute({ companyId, keyId, at }: KeyStateQuery): Promise<KeyStateAt> {
    const all = await this.stream(streamOf.key(keyId), new Date(8.64e15));
    if (all.length > 0 && all[0].companyId !== companyId) throw Problem.notFound(`key ${keyId}`);
    // a replay needs the stream from its first event (archived ones are retained): a stream that still lacks its start cannot be replayed here
    const seal = all.length === 0 || all[0].streamVersion > 1 ? await this.seals.newest() : null;
    if (all.length === 0) {
      const known: unknown[] = await this.dataSource.query('SELECT 1 FROM api_keys WHERE id = $1 AND company_id = $2', [keyId, companyId]);
      if (known.length > 0 && seal) throw archivedReplay(`key ${keyId}`, seal);
      throw Problem.notFound(`key ${keyId}`);
    }
    if (seal) throw archivedReplay(`key ${keyId}`, seal);
    const keyEvents = all.filter((e) => e.occurredAt.getTime() <= at.getTime());
    const key = foldKey(keyEvents);
    const base: KeyStateAt = {
      keyId,
      at: at.toISOString(),
      asOfPosition: null,
      existed: false,
      status: 'not-created',
      type: null,
      permissions: [],
      ownerId: null,
      ownerPermissions: [],
      ownerDisabled: null,
      allowedIps: [],
      expiresAt: null,
      graceEndsAt: null,
      rateLimit: null,
      effectivePermissions: [],
      couldAuthenticate: false,
    };
    if (!key) return base;

    const ownerEvents = await this.stream(streamOf.user(key.ownerId), at);
    if (ownerEvents.length > 0 && ownerEvents[0].streamVersion > 1) {
      const ownerSeal = await this.seals.newest();
      if (ownerSeal) throw archivedReplay(`key ${keyId} (its owner ${key.ownerId})`, ownerSeal);
    }
    const owner = foldUser(ownerEvents);
    const t = at.getTime();
    const status: KeyStateAt['status'] = key.deleted
      ? 'deleted'
      : key.revoked
        ? 'revoked'
        : key.expired || (key.expiresAt && Date.parse(key.expiresAt) <= t) || (key.graceEndsAt && Date.parse(key.graceEndsAt) <= t)
          ? 'expired'
          : 'active';
    const ownerPermissions = owner?.permissions ?? [];
    const couldAuthenticate = status === 'active' && owner !== null && !owner.disabled;
    const effective = key.type === 'administration' ? normalisePermissions(ownerPermissions) : intersect(key.permissions, ownerPermissions);
    const positions = [...keyEvents, ...ownerEvents].map((e) => e.position);
    return {
      ...base,
      asOfPosition: Math.max(...positions),
      existed: true,
      status,
      type: key.type,
      permissions: key.permissions,
      ownerId: key.ownerId,
      ownerPermissions,
      ownerDisabled: owner?.disabled ?? null,
      allowedIps: key.allowedIps,
      expiresAt: key.expiresAt,
      graceEndsAt: key.graceEndsAt,
      rateLimit: key.rateLimit,
      effectivePermissions: couldAuthenticate ? effective : [],
      couldAuthenticate,
    };
  }
}
