import { ApiKeyEntity } from './api-key.entity';
import { CompanyEntity } from './company.entity';
import { InstallationStatusEntity } from './installation-status.entity';
import { UserEntity } from './user.entity';
import { WebhookEntity } from './webhook.entity';

export * from './api-key.entity';
export * from './company.entity';
export * from './installation-status.entity';
export * from './user.entity';
export * from './webhook.entity';
export * from './entity-columns';

export const ENTITIES = [CompanyEntity, UserEntity, ApiKeyEntity, WebhookEntity, InstallationStatusEntity];
