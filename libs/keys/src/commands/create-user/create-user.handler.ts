import { randomUUID } from 'node:crypto';
import { CommandHandler, ICommandHandler, QueryBus } from '@nestjs/cqrs';
import { Problem } from '@keyward/common';
import { CommandWriter, asConflict } from '@keyward/event-store';
import { assertGrantable, resolvePermissions } from '../../domain/rules';
import { KeywardEvent, UserCreatedData, streamOf } from '../../events/keyward-events';
import { GetUserQuery } from '../../queries/get-user/get-user.query';
import { UserResource } from '../../queries/resources';
import { CreateUserCommand } from './create-user.command';

@CommandHandler(CreateUserCommand)
export class CreateUserHandler implements ICommandHandler<CreateUserCommand> {
  constructor(
    private readonly writer: CommandWriter,
    private readonly queries: QueryBus,
  ) {}

  async execute({ ctx, input }: CreateUserCommand): Promise<UserResource> {
    const permissions = resolvePermissions(input, null);
    if (permissions === null) throw Problem.invalidField('permissions', 'give permissions or a role');
    assertGrantable(ctx, permissions, input.role !== undefined ? 'role' : 'permissions');
    const userId = randomUUID();
    const email = input.email.toLowerCase();
    const data: UserCreatedData = { userId, email, name: input.name, permissions, disabled: input.disabled ?? false };
    await this.writer.appendAndSettle(
      ctx,
      [{ streamId: streamOf.user(userId), type: KeywardEvent.UserCreated, data }],
      {
        expectedVersions: { [streamOf.user(userId)]: 0 },
        reservations: [{ scope: `email:${ctx.companyId}`, value: email }],
        conflict: (err) => asConflict(err, { field: 'email', message: 'a user with this e-mail already exists' }),
      },
    );
    return this.queries.execute(new GetUserQuery(ctx.companyId, userId));
  }
}
