import { ActorRef, EventMetadata } from '../event.types';

/** Who runs a command, for which company, with which rights. */
export interface CommandContext {
  companyId: string;
  actor: ActorRef;
  /** Effective permissions of the acting key; 'all' for the operator at the command line. */
  permissions: readonly string[] | 'all';
  metadata: EventMetadata;
  /** The user the acting key belongs to (absent for the operator). */
  ownerId?: string;
  /**
   * The acting key's own restrictions (absent for the operator): keys it creates, edits or
   * rotates must stay inside them, or a restricted key could mint an unrestricted one.
   */
  restrictions?: { expiresAt: string | null; allowedIps: readonly string[] };
}
