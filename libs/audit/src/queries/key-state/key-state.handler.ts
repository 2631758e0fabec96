import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { intersect, normalisePermissions } from '@keyward/auth';
import { Problem } from '@keyward/common';
import { StoredEvent, toStoredEvent } from '@keyward/event-store';
import { foldKey, foldUser, streamOf } from '@keyward/keys';
import { EVENT_COLUMNS } from '../../audit-filter';
import { KeyStateAt, KeyStateQuery } from './key-state.query';

@QueryHandler(KeyStateQuery)
export class KeyStateHandler implements IQueryHandler<KeyStateQuery> {
  constructor(private readonly dataSource: DataSource) {}

  private async stream(streamId: string, at: Date): Promise<StoredEvent[]> {
    const rows = await this.dataSource.query(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = $1 AND occurred_at <= $2 ORDER BY stream_version`,
      [streamId, at],
    );
    return rows.map(toStoredEvent);
  }

  async execute({ companyId, keyId, at }: KeyStateQuery): Promise<KeyStateAt> {
    const all = await this.stream(streamOf.key(keyId), new Date(8.64e15));
    if (all.length === 0 || all[0].companyId !== companyId) throw Problem.notFound(`key ${keyId}`);
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
