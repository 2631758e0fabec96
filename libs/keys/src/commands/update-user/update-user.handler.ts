import { CommandHandler, ICommandHandler, QueryBus } from '@nestjs/cqrs';
import { CommandWriter, EventStore } from '@keyward/event-store';
import { loadUser } from '../../domain/aggregates';
import { assertGrantable, assertNotAbove, resolvePermissions } from '../../domain/rules';
import { KeywardEvent, UserUpdatedData, streamOf } from '../../events/keyward-events';
import { GetUserQuery } from '../../queries/get-user/get-user.query';
import { UserResource } from '../../queries/resources';
import { UpdateUserCommand } from './update-user.command';

/** A change to a user reaches every instance's cache before it returns: its keys follow its rights at once. */
@CommandHandler(UpdateUserCommand)
export class UpdateUserHandler implements ICommandHandler<UpdateUserCommand> {
  constructor(
    private readonly store: EventStore,
    private readonly writer: CommandWriter,
    private readonly queries: QueryBus,
  ) {}

  async execute({ ctx, userId, input }: UpdateUserCommand): Promise<UserResource> {
    const user = await loadUser(this.store, userId, ctx.companyId);
    assertNotAbove(ctx, user.permissions);
    const permissions = resolvePermissions(input, null);
    if (permissions) assertGrantable(ctx, permissions, input.role !== undefined ? 'role' : 'permissions');
    const changes: UserUpdatedData['changes'] = {};
    if (input.name !== undefined && input.name !== user.name) changes.name = input.name;
    if (permissions && permissions.join() !== [...user.permissions].sort().join()) changes.permissions = permissions;
    if (input.disabled !== undefined && input.disabled !== user.disabled) changes.disabled = input.disabled;
    if (Object.keys(changes).length > 0) {
      const stream = streamOf.user(userId);
      await this.writer.appendAndSettle(
        ctx,
        [{ streamId: stream, type: KeywardEvent.UserUpdated, data: { userId, changes } }],
        { expectedVersions: { [stream]: user.version } },
      );
    }
    return this.queries.execute(new GetUserQuery(ctx.companyId, userId));
  }
}
