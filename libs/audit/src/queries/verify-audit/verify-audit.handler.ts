import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { EventStore } from '@keyward/event-store';
import { InstallationOperator } from '@keyward/system';
import { ArchiveSeal, ArchiveSeals } from '../../archive/archive-seals';
import { CheckpointSigner, CheckpointsCheck } from '../../checkpoints/checkpoint-signer';
import { CompanyChainVerifier } from './company-chain';
import { VerificationScans } from './verification-scans';
import { AuditVerification, VerifyAuditQuery } from './verify-audit.query';

@QueryHandler(VerifyAuditQuery)
export class VerifyAuditHandler implements IQueryHandler<VerifyAuditQuery> {
  constructor(
    private readonly store: EventStore,
    private readonly signer: CheckpointSigner,
    private readonly companyChain: CompanyChainVerifier,
    private readonly operator: InstallationOperator,
    private readonly scans: VerificationScans,
    private readonly seals: ArchiveSeals,
  ) {}

  /**
   * One scan at a time per installation (VerificationScans); identical requests share one.
   * The operator company (and the command line) verifies the whole chain; another company only
   * its own events, and learns nothing about anyone else's.
   */
  async execute(q: VerifyAuditQuery): Promise<AuditVerification> {
    const from = q.fromPosition ?? 1;
    const installation = q.requester === null || q.requester === (await this.operator.companyId());
    // a scan that reports progress has one caller: it is not shared
    const share = q.onProgress ? undefined : installation ? `installation:${from}` : `company:${q.requester}:${from}`;
    return this.scans.run(() => (installation ? this.installationWide(q) : this.companyOnly(q.requester!, q)), {
      share,
      requester: q.requester ?? undefined,
    });
  }

  /** The log's start went to an archive: the walk starts from its seal (the first live event chains to its last hash). */
  private async installationWide(q: VerifyAuditQuery): Promise<AuditVerification> {
    const seal = await this.seals.newest();
    const sealed = seal ? { position: seal.throughPosition, hash: seal.lastHash } : null;
    const chain = await this.store.verify({ fromPosition: q.fromPosition, sealed, onProgress: q.onProgress });
    const checkpoints = await this.signer.checkAgainstLog(seal?.throughPosition ?? 0);
    return { ...chain, ok: chain.ok && !checkpoints.firstContradicted, scope: 'installation', checkpoints, archived: archivedPart(seal) };
  }

  private async companyOnly(companyId: string, q: VerifyAuditQuery): Promise<AuditVerification> {
    const seal = await this.seals.newest();
    const sealed = seal ? { position: seal.throughPosition, hash: seal.lastHash } : null;
    const chain = await this.companyChain.verify(companyId, { fromPosition: q.fromPosition, sealed, onProgress: q.onProgress });
    const checkpoints = withoutLogHash(await this.signer.checkAgainstLog(seal?.throughPosition ?? 0));
    return { ...chain, ok: chain.ok && !checkpoints.firstContradicted, scope: 'company', checkpoints, archived: archivedPart(seal) };
  }
}

/**
 * Checkpoints are the installation's (their positions and hashes are listed to every company);
 * what the log holds at a contradicted one now may be another company's event: not told.
 */
function withoutLogHash(c: CheckpointsCheck): CheckpointsCheck {
  if (!c.firstContradicted) return c;
  const { logHash: _hidden, ...rest } = c.firstContradicted;
  return { ...c, firstContradicted: rest };
}

function archivedPart(seal: ArchiveSeal | null): AuditVerification['archived'] {
  if (!seal) return null;
  return { firstPosition: 1, throughPosition: seal.throughPosition, lastHash: seal.lastHash, recordedAt: seal.recordedAt, manifest: seal.manifest, manifestSha256: seal.manifestSha256 };
}
