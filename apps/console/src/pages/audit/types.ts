/**
 * Answers of the audit routes the console reads beyond api/types.ts (shapes of
 * libs/audit: KeyStateAt, AuditVerification).
 */

/** GET /v1/keys/:id/state?at= — the key as it stood at one instant, replayed from the log. */
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

export interface ContradictedCheckpoint {
  position: number;
  signedHash: string;
  /** The hash the log has at that position now; null when no event is there any more. Only in installation-wide answers. */
  logHash?: string | null;
  reason: string;
}

/** The stored signed checkpoints, verified with the configured signing key only. */
export interface CheckpointsCheck {
  /** The configured key (AUDIT_SIGNING_KEY); null: none is configured, so no checkpoint was verified. */
  signingKey: { algorithm: string; fingerprint: string } | null;
  /** Checkpoints verified with that key and held against the log. */
  checked: number;
  /** Checkpoints stored with another key (or all of them without a configured key): not trusted. */
  unverifiable: number;
  firstUnverifiable?: { position: number; keyFingerprint: string | null };
  firstContradicted?: ContradictedCheckpoint;
}

/** GET /v1/audit-events/verify */
export interface AuditVerification {
  /** installation: the whole chain (operator company); company: only the signed-in company's events. */
  scope: 'installation' | 'company';
  ok: boolean;
  checked: number;
  firstBadPosition?: number;
  reason?: string;
  /** The last intact event (when broken: the one before the break); null when there is none. */
  head: { position: number; hash: string } | null;
  checkpoints: CheckpointsCheck;
}
