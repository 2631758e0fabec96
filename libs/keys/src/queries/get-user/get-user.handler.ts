import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Problem } from '@keyward/common';
import { UserEntity } from '@keyward/database';
import { UserResource, toUserResource } from '../resources';
import { GetUserQuery } from './get-user.query';

@QueryHandler(GetUserQuery)
export class GetUserHandler implements IQueryHandler<GetUserQuery> {
  constructor(@InjectRepository(UserEntity) private readonly users: Repository<UserEntity>) {}

  async execute(q: GetUserQuery): Promise<UserResource> {
    const user = await this.users.findOneBy({ id: q.userId, companyId: q.companyId });
    if (!user) throw Problem.notFound(`user ${q.userId}`);
    return toUserResource(user);
  }
}
