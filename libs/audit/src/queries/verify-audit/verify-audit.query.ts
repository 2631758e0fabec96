import { Query } from '@nestjs/cqrs';

export interface AuditVerification {
  ok: boolean;
  checked: number;
  firstBadPosition?: number;
  reason?: string;
  head: { position: number; hash: string } | null;
  checkpoints: {
    checked: number;
    firstContradicted?: { position: number; signedHash: string; logHash: string | null; reason: string };
  };
}

/** Recomputes the chain (from a position, or the start) and holds it against every signed checkpoint. */
export class VerifyAuditQuery extends Query<AuditVerification> {
  constructor(
    readonly fromPosition?: number,
    readonly onProgress?: (checked: number) => void,
  ) {
    super();
  }
}
