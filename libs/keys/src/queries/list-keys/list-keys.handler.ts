import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, Repository } from 'typeorm';
import { Problem } from '@keyward/common';
import { ApiKeyEntity } from '@keyward/database';
import { KeyResource, Page, decodeCursor, encodeCursor, toKeyResource } from '../resources';
import { ListKeysQuery } from './list-keys.query';

const STATUS_SQL = `CASE WHEN k.status = 'active' AND (k.expires_at <= :now OR k.grace_ends_at <= :now)
  THEN 'expired' ELSE k.status END`;

/** Newest first, keyset-paginated on (created_at, id); deleted keys are left out. */
@QueryHandler(ListKeysQuery)
export class ListKeysHandler implements IQueryHandler<ListKeysQuery> {
  constructor(@InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>) {}

  async execute({ companyId, filter }: ListKeysQuery): Promise<Page<KeyResource>> {
    const now = new Date();
    const qb = this.keys
      .createQueryBuilder('k')
      .where('k.company_id = :companyId', { companyId })
      .andWhere('k.deleted_at IS NULL')
      .setParameter('now', now);
    if (filter.status?.length) qb.andWhere(`${STATUS_SQL} IN (:...status)`, { status: filter.status });
    if (filter.ownerId) qb.andWhere('k.owner_id = :ownerId', { ownerId: filter.ownerId });
    if (filter.externalId !== undefined) qb.andWhere('k.external_id = :externalId', { externalId: filter.externalId });
    if (filter.q) {
      qb.andWhere(`k.name ILIKE :q ESCAPE '\\'`, { q: `%${filter.q.replace(/[\\%_]/g, (c) => '\\' + c)}%` });
    }
    if (filter.cursor) {
      const after = decodeCursor(filter.cursor);
      if (!after) throw Problem.invalidField('cursor', 'is not a cursor this API returned');
      qb.andWhere(
        new Brackets((w) =>
          w
            .where('k.created_at < :cAt', { cAt: after[0] })
            .orWhere('k.created_at = :cAt AND k.id < :cId', { cId: after[1] }),
        ),
      );
    }
    const rows = await qb
      .orderBy('k.created_at', 'DESC')
      .addOrderBy('k.id', 'DESC')
      .limit(filter.limit + 1)
      .getMany();
    const page = rows.slice(0, filter.limit);
    const last = page[page.length - 1];
    return {
      items: page.map((k) => toKeyResource(k, now.getTime())),
      nextCursor: rows.length > filter.limit && last ? encodeCursor([last.createdAt.toISOString(), last.id]) : null,
    };
  }
}
