import { Controller, Delete, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { serialize as serializeCookie } from 'cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, Principal, RequirePermissions } from '@keyward/auth';
import { InstallationOperator } from '@keyward/system';
import { ApiKeyAuth } from '../http/api-key-auth.decorator';
import { DASHBOARD_COOKIE, DASHBOARD_PATH, DASHBOARD_SESSION_SECONDS, DashboardSessions } from '../ops/dashboard-sessions';

export class DashboardSessionResponse {
  @ApiProperty({ example: DASHBOARD_PATH }) url!: string;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
}

/**
 * A 15-minute browser session for the queue dashboard (/admin/queues), which a link cannot
 * reach with a key header. The cookie holds a random token (HttpOnly, SameSite=Strict,
 * Path=/admin/queues), never the key; every dashboard request checks the key again.
 */
@ApiTags('system')
@ApiKeyAuth()
@RequirePermissions('admin.system.api')
@Controller('v1/system/dashboard-session')
export class DashboardSessionController {
  constructor(
    private readonly sessions: DashboardSessions,
    private readonly operator: InstallationOperator,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Open the queue dashboard in this browser for 15 minutes (sets an HttpOnly cookie for /admin/queues)' })
  @ApiCreatedResponse({ type: DashboardSessionResponse })
  async open(@CurrentPrincipal() p: Principal, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply): Promise<DashboardSessionResponse> {
    await this.operator.assert(p);
    const { token, expiresAt } = await this.sessions.open(p.keyId);
    res.header('Set-Cookie', dashboardCookie(token, req, { maxAge: DASHBOARD_SESSION_SECONDS, expires: expiresAt }));
    res.header('Cache-Control', 'no-store');
    return { url: DASHBOARD_PATH, expiresAt: expiresAt.toISOString() };
  }

  @Delete()
  @HttpCode(204)
  @ApiOperation({ summary: 'End every queue dashboard session opened with this key, and clear the cookie in this browser' })
  @ApiNoContentResponse()
  async close(@CurrentPrincipal() p: Principal, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply): Promise<void> {
    await this.sessions.closeAllOf(p.keyId);
    res.header('Set-Cookie', dashboardCookie('', req, { expires: new Date(0) }));
  }
}

/** The dashboard cookie's Set-Cookie value (the `cookie` package, as Express's res.cookie writes it). */
function dashboardCookie(value: string, req: FastifyRequest, lifetime: { maxAge?: number; expires: Date }): string {
  return serializeCookie(DASHBOARD_COOKIE, value, { ...lifetime, path: DASHBOARD_PATH, httpOnly: true, secure: secureRequest(req), sameSite: 'strict' });
}

/**
 * Secure cookies over HTTPS, including behind a TLS-terminating proxy that says so even when
 * it is not trusted for addresses (the flag can only make the cookie stricter).
 */
function secureRequest(req: FastifyRequest): boolean {
  return req.protocol === 'https' || String(req.headers['x-forwarded-proto'] ?? '').split(',')[0].trim() === 'https';
}
