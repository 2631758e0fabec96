import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Problem } from '@keyward/common';
import { UserEntity } from '@keyward/database';
import { Page, UserResource, decodeCursor, encodeCursor, toUserResource } from '../resources';
import { ListUsersQuery } from './list-users.query';

/** Oldest first, keyset-paginated on (created_at, id). */
@QueryHandler(ListUsersQuery)
export class ListUsersHandler implements IQueryHandler<ListUsersQuery> {
  constructor(@InjectRepository(UserEntity) private readonly users: Repository<UserEntity>) {}

  async execute({ companyId, filter }: ListUsersQuery): Promise<Page<UserResource>> {
    const qb = this.users.createQueryBuilder('u').where('u.company_id = :companyId', { companyId });
    if (filter.cursor) {
      const after = decodeCursor(filter.cursor);
      if (!after) throw Problem.invalidField('cursor', 'is not a cursor this API returned');
      qb.andWhere('(u.created_at, u.id) > (:cAt, :cId)', { cAt: after[0], cId: after[1] });
    }
    const rows = await qb.orderBy('u.created_at', 'ASC').addOrderBy('u.id', 'ASC').limit(filter.limit + 1).getMany();
    const page = rows.slice(0, filter.limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toUserResource),
      nextCursor: rows.length > filter.limit && last ? encodeCursor([last.createdAt.toISOString(), last.id]) : null,
    };
  }
}
