import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, RequirePermissions } from '@keyward/auth';
import { Problem } from '@keyward/common';
import { CommandContext, CreateUserCommand, GetUserQuery, ListUsersQuery, UpdateUserCommand } from '@keyward/keys';
import { Ctx } from '../http/command-context.decorator';
import { PaginationDto } from '../http/pagination.dto';
import { CreateUserDto, UpdateUserDto, UserPage, UserResponse } from './users.dto';
import { ApiKeyAuth } from '../http/api-key-auth.decorator';

const uuid = new ParseUUIDPipe({ exceptionFactory: () => Problem.invalidField('id', 'must be a UUID') });

@ApiTags('users')
@ApiKeyAuth()
@Controller('v1/users')
export class UsersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @RequirePermissions('users:write')
  @ApiCreatedResponse({ type: UserResponse })
  create(@Ctx() ctx: CommandContext, @Body() body: CreateUserDto) {
    return this.commands.execute(new CreateUserCommand(ctx, body));
  }

  @Get()
  @RequirePermissions('users:read')
  @ApiOkResponse({ type: UserPage })
  list(@CurrentPrincipal() p: Principal, @Query() q: PaginationDto) {
    return this.queries.execute(new ListUsersQuery(p.companyId, { limit: q.limit ?? 50, cursor: q.cursor }));
  }

  @Get(':id')
  @RequirePermissions('users:read')
  @ApiOkResponse({ type: UserResponse })
  get(@CurrentPrincipal() p: Principal, @Param('id', uuid) id: string) {
    return this.queries.execute(new GetUserQuery(p.companyId, id));
  }

  @Patch(':id')
  @RequirePermissions('users:write')
  @ApiOkResponse({ type: UserResponse })
  update(@Ctx() ctx: CommandContext, @Param('id', uuid) id: string, @Body() body: UpdateUserDto) {
    return this.commands.execute(new UpdateUserCommand(ctx, id, body));
  }
}
