import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiGoneResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiServiceUnavailableResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, Principal, RequirePermissions, VerifierLeases } from '@keyward/auth';
import { Problem } from '@keyward/common';
import { ApiKeyAuth } from '../http/api-key-auth.decorator';
import { VerifierStreams } from './verifier-streams';
import { VerifierAckDto, VerifierAckResponse, VerifierChangeEvent, VerifierHeadEvent, VerifierHelloEvent } from './verifiers.dto';
import { uuidParam } from '../http/validation';

const uuid = uuidParam('verifierId');

/** The verifier protocol's lease routes (docs/verifier-protocol.md). */
@ApiTags('verifiers')
@ApiKeyAuth()
@Controller('v1/verifiers')
export class VerifiersController {
  constructor(
    private readonly streams: VerifierStreams,
    private readonly leases: VerifierLeases,
  ) {}

  @Get('stream')
  @RequirePermissions('keys:verify')
  @ApiOperation({
    summary: "A verifier's lease and the company's change stream (Server-Sent Events)",
    description:
      'Registers a lease for the key\'s company, then streams `event: hello` (VerifierHelloEvent), `event: change` ' +
      '(VerifierChangeEvent) for each change of the company after `head` in seq order, `event: head` (VerifierHeadEvent) ' +
      'at least every second, and `: keep-alive` every 15 s. Ack with POST /v1/verifiers/{verifierId}/ack. See docs/verifier-protocol.md.',
  })
  @ApiProduces('text/event-stream')
  @ApiExtraModels(VerifierHelloEvent, VerifierChangeEvent, VerifierHeadEvent)
  @ApiOkResponse({
    description: 'text/event-stream; each `data:` line is JSON: hello, change or head',
    content: {
      'text/event-stream': {
        schema: {
          oneOf: [
            { $ref: getSchemaPath(VerifierHelloEvent) },
            { $ref: getSchemaPath(VerifierChangeEvent) },
            { $ref: getSchemaPath(VerifierHeadEvent) },
          ],
        },
      },
    },
  })
  @ApiServiceUnavailableResponse({ description: 'UNAVAILABLE: the instance is shutting down (Retry-After)' })
  async stream(@CurrentPrincipal() p: Principal, @Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    res.hijack(); // the stream writes on Node's response for as long as it lasts
    await this.streams.open(p.companyId, req.raw, res.raw);
  }

  @Post(':verifierId/ack')
  @HttpCode(200)
  @RequirePermissions('keys:verify')
  @ApiOperation({ summary: 'Every change up to seq applied: renews the lease' })
  @ApiOkResponse({ type: VerifierAckResponse })
  @ApiNotFoundResponse({ description: 'VERIFIER_NOT_FOUND: no such lease of this company (problem+json)' })
  @ApiGoneResponse({ description: 'VERIFIER_LEASE_LAPSED: empty the cache and open a new stream (problem+json)' })
  ack(@CurrentPrincipal() p: Principal, @Param('verifierId', uuid) verifierId: string, @Body() body: VerifierAckDto): Promise<VerifierAckResponse> {
    return this.leases.ack(p.companyId, verifierId, body.seq);
  }

  @Delete(':verifierId')
  @HttpCode(204)
  @RequirePermissions('keys:verify')
  @ApiOperation({ summary: 'A verifier that stopped answering from its cache (graceful stop) gives its lease back: changes stop waiting for it' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'VERIFIER_NOT_FOUND: no such lease of this company (problem+json)' })
  async release(@CurrentPrincipal() p: Principal, @Param('verifierId', uuid) verifierId: string): Promise<void> {
    await this.leases.release(p.companyId, verifierId);
  }
}
