import { randomUUID } from 'node:crypto';
import { generateKey, hashKey } from '@keyward/auth';
import { CommandContext, NewEvent } from '@keyward/event-store';
import { KeyCreatedData, KeySettings, KeywardEvent, streamOf } from '../events/keyward-events';

/** A fresh key and the KeyCreated event that records it (by HMAC only). */
export function mintKey(
  pepper: string,
  ctx: CommandContext,
  input: KeySettings & { ownerId: string; type: KeyCreatedData['type']; rotatedFrom?: string | null },
  occurredAt: Date,
): { key: string; keyId: string; event: NewEvent<KeyCreatedData> } {
  const { key, start } = generateKey();
  const keyId = randomUUID();
  const data: KeyCreatedData = {
    keyId,
    ownerId: input.ownerId,
    type: input.type,
    start,
    hash: hashKey(pepper, key),
    name: input.name,
    description: input.description,
    permissions: input.permissions,
    expiresAt: input.expiresAt,
    allowedIps: input.allowedIps,
    rateLimit: input.rateLimit,
    roles: input.roles ?? [],
    meta: input.meta ?? {},
    externalId: input.externalId ?? null,
    rotatedFrom: input.rotatedFrom ?? null,
  };
  return {
    key,
    keyId,
    event: {
      streamId: streamOf.key(keyId),
      type: KeywardEvent.KeyCreated,
      companyId: ctx.companyId,
      actor: ctx.actor,
      metadata: ctx.metadata,
      data,
      occurredAt,
    },
  };
}
