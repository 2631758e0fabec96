import { ApiKeyEntity } from './api-key.entity';
import { CompanyEntity } from './company.entity';
import { UserEntity } from './user.entity';

export * from './api-key.entity';
export * from './company.entity';
export * from './user.entity';
export * from './entity-columns';

export const ENTITIES = [CompanyEntity, UserEntity, ApiKeyEntity];
