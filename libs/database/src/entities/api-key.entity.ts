import { Column, Entity, PrimaryColumn } from 'typeorm';

export type KeyStatus = 'active' | 'revoked' | 'expired';
export type KeyType = 'standard' | 'administration';
export interface RateLimitSetting {
  limit: number;
  windowSeconds: number;
}

/** Read model of one API key, projected from its `key-<id>` stream. Holds the HMAC, never the key. */
@Entity('api_keys')
export class ApiKeyEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'company_id' }) companyId!: string;
  @Column('uuid', { name: 'owner_id' }) ownerId!: string;
  @Column('text') name!: string;
  @Column('text', { nullable: true }) description!: string | null;
  @Column('text') start!: string;
  @Column('text') hash!: string;
  @Column('text') type!: KeyType;
  @Column('text', { array: true }) permissions!: string[];
  @Column('text') status!: KeyStatus;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
  @Column('timestamptz', { name: 'expires_at', nullable: true }) expiresAt!: Date | null;
  @Column('timestamptz', { name: 'revoked_at', nullable: true }) revokedAt!: Date | null;
  @Column('text', { name: 'revoked_reason', nullable: true }) revokedReason!: string | null;
  @Column('timestamptz', { name: 'deleted_at', nullable: true }) deletedAt!: Date | null;
  @Column('timestamptz', { name: 'last_used_at', nullable: true }) lastUsedAt!: Date | null;
  @Column('text', { name: 'allowed_ips', array: true }) allowedIps!: string[];
  @Column('jsonb', { name: 'rate_limit', nullable: true }) rateLimit!: RateLimitSetting | null;
  @Column('uuid', { name: 'rotated_from', nullable: true }) rotatedFrom!: string | null;
  @Column('uuid', { name: 'replaced_by', nullable: true }) replacedBy!: string | null;
  @Column('timestamptz', { name: 'grace_ends_at', nullable: true }) graceEndsAt!: Date | null;
  /** Roles held by name: built-in (ADMIN, READONLY) or the company's own. */
  @Column('text', { array: true }) roles!: string[];
  /** The customer's own data about the key (a JSON object, at most 4 KB). */
  @Column('jsonb') meta!: Record<string, unknown>;
  /** The customer's own id for the key's holder. */
  @Column('text', { name: 'external_id', nullable: true }) externalId!: string | null;
  @Column('integer') version!: number;
}
