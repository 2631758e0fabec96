import { randomUUID } from 'node:crypto';
import { CommandHandler, ICommandHandler, QueryBus } from '@nestjs/cqrs';
import { Problem } from '@keyward/common';
import { EventStore } from '@keyward/event-store';
import { ConsistencyService } from '../../domain/consistency.service';
import { asConflict, assertGrantable, resolvePermissions } from '../../domain/rules';
import { KeywardEvent, UserCreatedData, streamOf } from '../../events/keyward-events';
import { GetUserQuery } from '../../queries/get-user/get-user.query';
import { UserResource } from '../../queries/resources';
import { CreateUserCommand } from './create-user.command';

@CommandHandler(CreateUserCommand)
export class CreateUserHandler implements ICommandHandler<CreateUserCommand> {
  constructor(
    private readonly store: EventStore,
    private readonly consistency: ConsistencyService,
    private readonly queries: QueryBus,
  ) {}

  async execute({ ctx, input }: CreateUserCommand): Promise<UserResource> {
    const permissions = resolvePermissions(input, null);
    if (permissions === null) throw Problem.invalidField('permissions', 'give permissions or a role');
    assertGrantable(ctx, permissions, input.role !== undefined ? 'role' : 'permissions');
    const userId = randomUUID();
    const email = input.email.toLowerCase();
    const data: UserCreatedData = { userId, email, name: input.name, permissions, disabled: input.disabled ?? false };
    const result = await this.store
      .append(
        [{ streamId: streamOf.user(userId), type: KeywardEvent.UserCreated, companyId: ctx.companyId, actor: ctx.actor, metadata: ctx.metadata, data }],
        { expectedVersions: { [streamOf.user(userId)]: 0 }, reservations: [{ scope: `email:${ctx.companyId}`, value: email }] },
      )
      .catch((err) => asConflict(err, { field: 'email', message: 'a user with this e-mail already exists' }));
    await this.consistency.settle(result);
    return this.queries.execute(new GetUserQuery(ctx.companyId, userId));
  }
}
