import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, Repository } from 'typeorm';
import { Problem } from '@keyward/common';
import { ApiKeyEntity } from '@keyward/database';
import { KeyResource, Page, decodeCursor, encodeCursor, toKeyResource } from '../resources';
import { KeySort, ListKeysQuery } from './list-keys.query';

const STATUS_SQL = `CASE WHEN k.status = 'active' AND (k.expires_at <= :now OR k.grace_ends_at <= :now)
  THEN 'expired' ELSE k.status END`;

/** How each sort orders keys: an expression, its natural order, and how a cursor carries its value. */
const SORTS: Record<KeySort, { expr: string; order: 'asc' | 'desc'; cast: string }> = {
  createdAt: { expr: 'k.created_at', order: 'desc', cast: 'timestamptz' },
  // never used sorts as the oldest use
  lastUsedAt: { expr: `COALESCE(k.last_used_at, '-infinity'::timestamptz)`, order: 'desc', cast: 'timestamptz' },
  name: { expr: 'k.name', order: 'asc', cast: 'text' },
};

/**
 * Keyset-paginated on (the sort's value, id), newest first by default; deleted keys are left out.
 * A cursor names its sort and order: one from another ordering is refused, not misread.
 */
@QueryHandler(ListKeysQuery)
export class ListKeysHandler implements IQueryHandler<ListKeysQuery> {
  constructor(@InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>) {}

  async execute({ companyId, filter }: ListKeysQuery): Promise<Page<KeyResource>> {
    const now = new Date();
    const sort = filter.sort ?? 'createdAt';
    const { expr, cast } = SORTS[sort];
    const order = filter.order ?? SORTS[sort].order;
    const qb = this.keys
      .createQueryBuilder('k')
      .where('k.company_id = :companyId', { companyId })
      .andWhere('k.deleted_at IS NULL')
      .setParameter('now', now);
    if (filter.status?.length) qb.andWhere(`${STATUS_SQL} IN (:...status)`, { status: filter.status });
    if (filter.ownerId) qb.andWhere('k.owner_id = :ownerId', { ownerId: filter.ownerId });
    if (filter.externalId !== undefined) qb.andWhere('k.external_id = :externalId', { externalId: filter.externalId });
    if (filter.unusedSince) qb.andWhere('(k.last_used_at IS NULL OR k.last_used_at < :unusedSince)', { unusedSince: filter.unusedSince });
    if (filter.q) {
      qb.andWhere(`k.name ILIKE :q ESCAPE '\\'`, { q: `%${filter.q.replace(/[\\%_]/g, (c) => '\\' + c)}%` });
    }
    if (filter.cursor) {
      const after = sort === 'createdAt' && order === 'desc' ? decodeCursor(filter.cursor) : decodeSortCursor(filter.cursor, sort, order);
      if (!after) throw Problem.invalidField('cursor', 'is not a cursor this API returned for this sort and order');
      const cmp = order === 'desc' ? '<' : '>';
      qb.andWhere(
        new Brackets((w) =>
          w
            .where(`${expr} ${cmp} CAST(:cValue AS ${cast})`, { cValue: after[0] })
            .orWhere(`${expr} = CAST(:cValue AS ${cast}) AND k.id ${cmp} :cId`, { cId: after[1] }),
        ),
      );
    }
    const direction = order === 'desc' ? 'DESC' : 'ASC';
    const rows = await qb
      .orderBy(expr, direction)
      .addOrderBy('k.id', direction)
      .limit(filter.limit + 1)
      .getMany();
    const page = rows.slice(0, filter.limit);
    const last = page[page.length - 1];
    let nextCursor: string | null = null;
    if (rows.length > filter.limit && last) {
      nextCursor =
        sort === 'createdAt' && order === 'desc'
          ? encodeCursor([last.createdAt.toISOString(), last.id])
          : encodeSortCursor(sort, order, sortValue(sort, last), last.id);
    }
    return { items: page.map((k) => toKeyResource(k, now.getTime())), nextCursor };
  }
}

function sortValue(sort: KeySort, k: ApiKeyEntity): string {
  if (sort === 'name') return k.name;
  if (sort === 'lastUsedAt') return k.lastUsedAt ? k.lastUsedAt.toISOString() : '-infinity';
  return k.createdAt.toISOString();
}

function encodeSortCursor(sort: KeySort, order: string, value: string, id: string): string {
  return Buffer.from(JSON.stringify([sort, order, value, id])).toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TIME = /^(?!0000)\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A cursor of this sort and order: [value, id], or null. */
function decodeSortCursor(cursor: string, sort: KeySort, order: string): [string, string] | null {
  try {
    const parts: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(parts) || parts.length !== 4 || parts[0] !== sort || parts[1] !== order) return null;
    const [, , value, id] = parts;
    if (typeof value !== 'string' || typeof id !== 'string' || !UUID.test(id) || value.length > 512) return null;
    if (sort !== 'name' && value !== '-infinity' && !(TIME.test(value) && new Date(value).toISOString() === value)) return null;
    return [value, id];
  } catch {
    return null;
  }
}
