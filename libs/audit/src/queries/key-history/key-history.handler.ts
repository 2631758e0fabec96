import { IQueryHandler, QueryBus, QueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { Problem } from '@keyward/common';
import { ArchiveSeals } from '../../archive/archive-seals';
import { archivedReplay } from '../../archive/archived-replay';
import { ListAuditEventsQuery } from '../list-audit-events/list-audit-events.query';
import { AuditPage } from '../list-audit-events/list-audit-events.query';
import { KeyHistoryQuery } from './key-history.query';

@QueryHandler(KeyHistoryQuery)
export class KeyHistoryHandler implements IQueryHandler<KeyHistoryQuery> {
  constructor(
    private readonly queries: QueryBus,
    private readonly dataSource: DataSource,
    private readonly seals: ArchiveSeals,
  ) {}

  /**
   * The key's live events. When all of them went to an archive: 410 AUDIT_ARCHIVED naming it (the
   * key is still in the keys table); when only its first ones did, the first page says so in `archived`.
   */
  async execute(q: KeyHistoryQuery): Promise<AuditPage> {
    const page = await this.queries.execute(
      new ListAuditEventsQuery({ companyId: q.companyId, keyId: q.keyId }, q.limit, q.cursor),
    );
    if (q.cursor !== undefined) return page;
    const seal = await this.seals.newest();
    if (page.items.length === 0) {
      const known: unknown[] = seal ? await this.dataSource.query('SELECT 1 FROM api_keys WHERE id = $1 AND company_id = $2', [q.keyId, q.companyId]) : [];
      if (seal && known.length > 0) throw archivedReplay(`key ${q.keyId}`, seal);
      throw Problem.notFound(`key ${q.keyId}`);
    }
    if (seal && !page.items.some((e) => e.type === 'KeyCreated')) {
      return { ...page, archived: { throughPosition: seal.throughPosition, recordedAt: seal.recordedAt, manifest: seal.manifest } };
    }
    return page;
  }
}
