import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { Problem } from '@keyward/common';
import { ApiKeyEntity } from '@keyward/database';
import { KeyResource, toKeyResource } from '../resources';
import { GetKeyQuery } from './get-key.query';

@QueryHandler(GetKeyQuery)
export class GetKeyHandler implements IQueryHandler<GetKeyQuery> {
  constructor(@InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>) {}

  async execute(q: GetKeyQuery): Promise<KeyResource> {
    const key = await this.keys.findOneBy({ id: q.keyId, companyId: q.companyId, deletedAt: IsNull() });
    if (!key) throw Problem.notFound(`key ${q.keyId}`);
    return toKeyResource(key);
  }
}
