import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, RequirePermissions } from '@keyward/auth';
import { Problem } from '@keyward/common';
import { CommandContext } from '@keyward/event-store';
import { CreateUserCommand, GetUserQuery, ListUsersQuery, UpdateUserCommand } from '@keyward/keys';
import { Ctx } from '../http/command-context.decorator';
import { PaginationDto } from '../http/pagination.dto';
import { CreateUserDto, UpdateUserDto, UserPage, UserResponse } from './users.dto';
import { ApiKeyAuth } from '../http/api-key-auth.decorator';
import { uuidParam } from '../http/validation';

const uuid = uuidParam();

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
  @ApiOperation({ summary: 'Add a user to the company, with permissions or a role' })
  @ApiCreatedResponse({ type: UserResponse })
  create(@Ctx() ctx: CommandContext, @Body() body: CreateUserDto) {
    return this.commands.execute(new CreateUserCommand(ctx, body));
  }

  @Get()
  @RequirePermissions('users:read')
  @ApiOperation({ summary: 'List users, oldest first' })
  @ApiOkResponse({ type: UserPage })
  list(@CurrentPrincipal() p: Principal, @Query() q: PaginationDto) {
    return this.queries.execute(new ListUsersQuery(p.companyId, { limit: q.limit ?? 50, cursor: q.cursor }));
  }

  @Get(':id')
  @RequirePermissions('users:read')
  @ApiOperation({ summary: 'One user' })
  @ApiOkResponse({ type: UserResponse })
  get(@CurrentPrincipal() p: Principal, @Param('id', uuid) id: string) {
    return this.queries.execute(new GetUserQuery(p.companyId, id));
  }

  @Patch(':id')
  @RequirePermissions('users:write')
  @ApiOperation({ summary: "Edit name, permissions or role; disable or enable (a disabled user's keys stop working)" })
  @ApiOkResponse({ type: UserResponse })
  update(@Ctx() ctx: CommandContext, @Param('id', uuid) id: string, @Body() body: UpdateUserDto) {
    return this.commands.execute(new UpdateUserCommand(ctx, id, body));
  }
}
