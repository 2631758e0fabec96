import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, RequirePermissions } from '@keyward/auth';
import { CommandContext } from '@keyward/event-store';
import { DefinePermissionCommand, ListPermissionsQuery, RemovePermissionCommand } from '@keyward/keys';
import { ApiKeyAuth } from '../http/api-key-auth.decorator';
import { Ctx } from '../http/command-context.decorator';
import { DefinePermissionDto, PermissionList, PermissionResponse, RemovePermissionQueryDto } from './catalog.dto';
import { nameParam } from './name-param';

/** The company's own permissions, for its own API: granted to keys with keys:write alone. */
@ApiTags('permissions')
@ApiKeyAuth()
@Controller('v1/permissions')
export class PermissionsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @RequirePermissions('keys:write')
  @ApiOperation({ summary: "Define a permission of the company's own API (409 if reserved or taken)" })
  @ApiCreatedResponse({ type: PermissionResponse })
  define(@Ctx() ctx: CommandContext, @Body() body: DefinePermissionDto) {
    return this.commands.execute(new DefinePermissionCommand(ctx, body));
  }

  @Get()
  @RequirePermissions('keys:read')
  @ApiOperation({ summary: "The company's own permissions" })
  @ApiOkResponse({ type: PermissionList })
  list(@CurrentPrincipal() p: Principal) {
    return this.queries.execute(new ListPermissionsQuery(p.companyId));
  }

  @Delete(':name')
  @HttpCode(204)
  @RequirePermissions('keys:write')
  @ApiOperation({ summary: 'Remove a permission; in use: 409 PERMISSION_IN_USE unless force=true (then taken from every role and key first)' })
  @ApiNoContentResponse()
  async remove(@Ctx() ctx: CommandContext, @Param('name', nameParam('permission')) name: string, @Query() q: RemovePermissionQueryDto): Promise<void> {
    await this.commands.execute(new RemovePermissionCommand(ctx, name, q.force ?? false));
  }
}
