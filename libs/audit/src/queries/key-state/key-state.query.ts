import { Query } from '@nestjs/cqrs';

/** A key as it stood at one instant, replayed from the log: "could this key have done X at T?" */
export interface KeyStateAt {
  keyId: string;
  at: string;
  /** The last event (of the key or its owner) taken into account. */
  asOfPosition: number | null;
  existed: boolean;
  status: 'not-created' | 'active' | 'revoked' | 'expired' | 'deleted';
  type: string | null;
  permissions: string[];
  ownerId: string | null;
  ownerPermissions: string[];
  ownerDisabled: boolean | null;
  allowedIps: string[];
  expiresAt: string | null;
  graceEndsAt: string | null;
  rateLimit: { limit: number; windowSeconds: number } | null;
  /** What a request with this key could do at that instant (from an allowed address). */
  effectivePermissions: string[];
  couldAuthenticate: boolean;
}

export class KeyStateQuery extends Query<KeyStateAt> {
  constructor(
    readonly companyId: string,
    readonly keyId: string,
    readonly at: Date,
  ) {
    super();
  }
}
