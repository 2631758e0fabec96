import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, RequirePermissions } from '@keyward/auth';
import { CommandContext } from '@keyward/event-store';
import { DefineRoleCommand, DeleteRoleCommand, GetRoleQuery, ListRolesQuery, UpdateRoleCommand } from '@keyward/keys';
import { ApiKeyAuth } from '../http/api-key-auth.decorator';
import { Ctx } from '../http/command-context.decorator';
import { DefineRoleDto, RoleList, RoleResponse, UpdateRoleDto } from './catalog.dto';
import { nameParam } from './name-param';

/** Roles: ADMIN and READONLY built in, and the company's own (sets of its own permissions). */
@ApiTags('roles')
@ApiKeyAuth()
@Controller('v1/roles')
export class RolesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @RequirePermissions('keys:write')
  @ApiOperation({ summary: "Define a role of the company's own permissions" })
  @ApiCreatedResponse({ type: RoleResponse })
  define(@Ctx() ctx: CommandContext, @Body() body: DefineRoleDto) {
    return this.commands.execute(new DefineRoleCommand(ctx, body));
  }

  @Get()
  @RequirePermissions('keys:read')
  @ApiOperation({ summary: 'Built-in roles, then the company\'s own' })
  @ApiOkResponse({ type: RoleList })
  list(@CurrentPrincipal() p: Principal) {
    return this.queries.execute(new ListRolesQuery(p.companyId));
  }

  @Get(':name')
  @RequirePermissions('keys:read')
  @ApiOperation({ summary: 'One role' })
  @ApiOkResponse({ type: RoleResponse })
  get(@CurrentPrincipal() p: Principal, @Param('name', nameParam('role')) name: string) {
    return this.queries.execute(new GetRoleQuery(p.companyId, name));
  }

  @Patch(':name')
  @RequirePermissions('keys:write')
  @ApiOperation({ summary: 'Edit a role; every key holding it follows on every instance before this returns' })
  @ApiOkResponse({ type: RoleResponse })
  async update(@Ctx() ctx: CommandContext, @Param('name', nameParam('role')) name: string, @Body() body: UpdateRoleDto) {
    await this.commands.execute(new UpdateRoleCommand(ctx, name, body));
    return this.queries.execute(new GetRoleQuery(ctx.companyId, name));
  }

  @Delete(':name')
  @HttpCode(204)
  @RequirePermissions('keys:write')
  @ApiOperation({ summary: 'Delete a role; the keys holding it lose it on every instance before this returns' })
  @ApiNoContentResponse()
  async remove(@Ctx() ctx: CommandContext, @Param('name', nameParam('role')) name: string): Promise<void> {
    await this.commands.execute(new DeleteRoleCommand(ctx, name));
  }
}
