import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { EventStore } from '@keyward/event-store';
import { CheckpointSigner } from '../../checkpoints/checkpoint-signer';
import { AuditVerification, VerifyAuditQuery } from './verify-audit.query';

@QueryHandler(VerifyAuditQuery)
export class VerifyAuditHandler implements IQueryHandler<VerifyAuditQuery> {
  constructor(
    private readonly store: EventStore,
    private readonly signer: CheckpointSigner,
  ) {}

  private running: Promise<AuditVerification> | null = null;

  /** Requests that arrive while a full verification runs share it: one scan at a time. */
  execute(q: VerifyAuditQuery): Promise<AuditVerification> {
    if (q.fromPosition !== undefined || q.onProgress) return this.run(q);
    this.running ??= this.run(q).finally(() => (this.running = null));
    return this.running;
  }

  private async run(q: VerifyAuditQuery): Promise<AuditVerification> {
    const chain = await this.store.verify({ fromPosition: q.fromPosition, onProgress: q.onProgress });
    const checkpoints = await this.signer.checkAgainstLog();
    return { ...chain, ok: chain.ok && !checkpoints.firstContradicted, checkpoints };
  }
}
