import { Query } from '@nestjs/cqrs';
import { CheckpointsCheck } from '../../checkpoints/checkpoint-signer';

export interface AuditVerification {
  /**
   * installation: the whole chain (the operator company, and the operator's command line);
   * company: only the asking company's events, each checked against its neighbours in the chain.
   */
  scope: 'installation' | 'company';
  ok: boolean;
  /** Events checked: every event of the log, or the company's own. */
  checked: number;
  /** The first position that fails; with scope company, always one of the company's own. */
  firstBadPosition?: number;
  reason?: string;
  /** The last event that passed (of the log, or of the company); null when none did. */
  head: { position: number; hash: string } | null;
  /** The stored signed checkpoints held against the log (with scope company, `logHash` is left out). */
  checkpoints: CheckpointsCheck;
  /**
   * The log's start that went to archives (keyward audit archive): positions firstPosition..throughPosition,
   * whose last hash the first live event chains to; verify them with `keyward audit verify --archive <dir>`.
   * null: nothing was archived, the walk started at the genesis hash.
   */
  archived: { firstPosition: number; throughPosition: number; lastHash: string; recordedAt: number; manifest: string; manifestSha256: string } | null;
}

/**
 * Recomputes the chain (from a position, or the start) and holds it against every signed checkpoint.
 * `requester`: the company whose key asks (the operator company gets the installation-wide
 * answer, any other company a verification of its own events); null: the operator's command line.
 */
export class VerifyAuditQuery extends Query<AuditVerification> {
  constructor(
    readonly requester: string | null,
    readonly fromPosition?: number,
    readonly onProgress?: (checked: number) => void,
  ) {
    super();
  }
}
