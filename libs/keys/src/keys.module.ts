import { DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKeyEntity, UserEntity } from '@keyward/database';
import { EventStoreModule, ProjectionMode, writeKernelProviders } from '@keyward/event-store';
import { QueueModule } from '@keyward/queue';
import { BootstrapHandler } from './commands/bootstrap/bootstrap.handler';
import { CreateKeyHandler } from './commands/create-key/create-key.handler';
import { CreateUserHandler } from './commands/create-user/create-user.handler';
import { DeleteKeyHandler } from './commands/delete-key/delete-key.handler';
import { RevokeKeyHandler } from './commands/revoke-key/revoke-key.handler';
import { RotateKeyHandler } from './commands/rotate-key/rotate-key.handler';
import { UpdateKeyHandler } from './commands/update-key/update-key.handler';
import { UpdateUserHandler } from './commands/update-user/update-user.handler';
import { KeyRightsConfirmation } from './domain/key-rights-confirmation';
import { GetKeyHandler } from './queries/get-key/get-key.handler';
import { GetUserHandler } from './queries/get-user/get-user.handler';
import { ListKeysHandler } from './queries/list-keys/list-keys.handler';
import { ListUsersHandler } from './queries/list-users/list-users.handler';
import { VerifyKeyHandler } from './queries/verify-key/verify-key.handler';
import { ExpireKeysHandler } from './commands/expire-keys/expire-keys.handler';
import { DefinePermissionHandler } from './commands/define-permission/define-permission.handler';
import { RemovePermissionHandler } from './commands/remove-permission/remove-permission.handler';
import { DefineRoleHandler } from './commands/define-role/define-role.handler';
import { UpdateRoleHandler } from './commands/update-role/update-role.handler';
import { DeleteRoleHandler } from './commands/delete-role/delete-role.handler';
import { ListPermissionsHandler } from './queries/list-permissions/list-permissions.handler';
import { ListRolesHandler } from './queries/list-roles/list-roles.handler';
import { GetRoleHandler } from './queries/get-role/get-role.handler';
import { RecordUsageHandler } from './commands/record-usage/record-usage.handler';
import { ReportUsageHandler } from './commands/report-usage/report-usage.handler';
import { TakeQuotaHandler } from './commands/take-quota/take-quota.handler';

const COMMAND_HANDLERS = [
  BootstrapHandler,
  CreateUserHandler,
  UpdateUserHandler,
  CreateKeyHandler,
  UpdateKeyHandler,
  RevokeKeyHandler,
  RotateKeyHandler,
  DeleteKeyHandler,
  DefinePermissionHandler,
  RemovePermissionHandler,
  DefineRoleHandler,
  UpdateRoleHandler,
  DeleteRoleHandler,
];
const QUERY_HANDLERS = [GetKeyHandler, ListKeysHandler, GetUserHandler, ListUsersHandler, ListPermissionsHandler, ListRolesHandler, GetRoleHandler];

/**
 * Commands and queries of keys, users and companies. Needs, in the importing
 * application: the Redis module, an AuthModule (cache invalidation) and a
 * ProjectorModule (the projector and its waiter).
 */
@Module({})
export class KeysModule {
  /**
   * 'wait' (the API): the worker projects, writes wait for it; key verification included.
   * 'inline' (the command line): writes apply the log themselves; no key verification.
   */
  static register(mode: ProjectionMode): DynamicModule {
    return {
      module: KeysModule,
      imports: [
        CqrsModule,
        EventStoreModule,
        QueueModule,
        TypeOrmModule.forFeature([ApiKeyEntity, UserEntity]),
      ],
      providers: [
        ...writeKernelProviders(mode, [KeyRightsConfirmation]),
        ...COMMAND_HANDLERS,
        ...QUERY_HANDLERS,
        // the API answers verifiers: key checks, usage batches appended before the answer, quota blocks
        ...(mode === 'wait' ? [VerifyKeyHandler, ReportUsageHandler, RecordUsageHandler, TakeQuotaHandler] : []),
      ],
      exports: [CqrsModule],
    };
  }
}

/** What the worker runs of this domain: usage batches and the expiry sweep. */
@Module({
  imports: [CqrsModule, EventStoreModule, QueueModule],
  providers: [RecordUsageHandler, ExpireKeysHandler],
  exports: [CqrsModule],
})
export class KeysWorkerModule {}
