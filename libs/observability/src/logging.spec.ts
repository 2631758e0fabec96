import { Controller, Get, HttpCode, HttpException, Logger as NestLogger, Param, Post } from '@nestjs/common';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { Logger } from 'nestjs-pino';
import { Writable } from 'node:stream';
import request from 'supertest';
import type { KeywardConfig } from '@keyward/config';
import { ROOT_LOGGER, loggingModule, redactKeysInText, requestIdFrom, requestLogging, userAgentOf } from './logging';

describe('redactKeysInText and userAgentOf', () => {
  const key = `kw_${'Q9w8E7r6'.repeat(6)}z`;

  it('finds a key sent percent-encoded', () => {
    expect(redactKeysInText(`/v1/keys?q=kw%5F${key.slice(3)}`)).toBe('/v1/keys?q=kw_[redacted]');
    expect(redactKeysInText(`/v1/keys?q=${encodeURIComponent(key)}&x=%E0%A4%A`)).toBe('/v1/keys?q=kw_[redacted]&x=%E0%A4%A');
    expect(redactKeysInText('/v1/keys?q=caf%C3%A9')).toBe('/v1/keys?q=caf%C3%A9');
  });

  it('keeps a User-Agent without the key a client put in it, at most 512 characters', () => {
    const req = (ua?: string) => ({ headers: ua === undefined ? {} : { 'user-agent': ua } }) as never;
    expect(userAgentOf(req(`deploy-bot/1.0 (${key})`))).toBe('deploy-bot/1.0 (kw_[redacted])');
    expect(userAgentOf(req('curl/8.5.0'))).toBe('curl/8.5.0');
    expect(userAgentOf(req('x'.repeat(600)))).toHaveLength(512);
    expect(userAgentOf(req())).toBeNull();
  });
});

describe('redactKeysInText', () => {
  it('replaces keys and shared secrets anywhere in a logged URL, even cut short', () => {
    const key = `kw_${'A1b2C3d4'.repeat(6)}x`;
    const secret = `kwss_${'Zz9-_'.repeat(8)}abc`;
    expect(redactKeysInText(`/v1/keys?q=${key}&limit=50`)).toBe('/v1/keys?q=kw_[redacted]&limit=50');
    expect(redactKeysInText(`/v1/keys?q=${key.slice(0, 20)}`)).toBe('/v1/keys?q=kw_[redacted]');
    expect(redactKeysInText(`/x?a=${secret}&b=${key}`)).toBe('/x?a=kwss_[redacted]&b=kw_[redacted]');
  });

  it('leaves ordinary URLs alone', () => {
    expect(redactKeysInText('/v1/keys?q=kw_&status=active')).toBe('/v1/keys?q=kw_&status=active');
    expect(redactKeysInText('/v1/audit-events?type=KeyCreated')).toBe('/v1/audit-events?type=KeyCreated');
  });
});

@Controller()
class ProbeController {
  private readonly logger = new NestLogger('Probe');

  @Get('probe')
  probe(): { ok: true } {
    this.logger.log('inside the handler');
    return { ok: true };
  }

  @Get('boom')
  boom(): never {
    throw new HttpException('down', 503);
  }

  @Get('health/live')
  live(): { ok: true } {
    return { ok: true };
  }

  @Post('v1/verifiers/:id/ack')
  @HttpCode(200)
  ack(@Param('id') id: string): { leaseMs: number } {
    if (id === 'lapsed') throw new HttpException('gone', 410);
    return { leaseMs: 5000 };
  }
}

/** A Nest app wired like the API's (Fastify with its request ids, nestjs-pino as Nest's logger, `requestLogging` first), logging into `lines`. */
async function appLoggingTo(lines: Record<string, unknown>[], logLevel: KeywardConfig['logLevel']): Promise<NestFastifyApplication> {
  let pending = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      pending += chunk.toString('utf8');
      const parts = pending.split('\n');
      pending = parts.pop()!;
      for (const line of parts) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  const moduleRef = await Test.createTestingModule({
    imports: [loggingModule({ logLevel } as KeywardConfig, 'api', sink)],
    controllers: [ProbeController],
  }).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter({ genReqId: requestIdFrom }), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.use(requestLogging(app.get(ROOT_LOGGER)));
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

describe('requestLogging', () => {
  const key = `kw_${'Q7w8E9r0'.repeat(6)}zz`;

  it('logs one request line per request, with the request id on it and on every line logged while serving it, and no key', async () => {
    const lines: Record<string, unknown>[] = [];
    const app = await appLoggingTo(lines, 'info');
    try {
      await request(app.getHttpServer())
        .get(`/probe?q=${key}`)
        .set('x-api-key', key)
        .set('authorization', `Bearer ${key}`)
        .set('cookie', `k=${key}`)
        .set('user-agent', 'probe-agent')
        .set('x-request-id', 'rid-1')
        .expect(200);
      await new Promise((r) => setImmediate(r)); // the request line is written on 'close'
      const mine = lines.filter((l) => l.reqId === 'rid-1');
      expect(mine.map((l) => l.msg)).toEqual(['inside the handler', 'request completed']);
      expect(mine[1]).toMatchObject({
        level: 30,
        service: 'api',
        requestId: 'rid-1',
        req: { id: 'rid-1', method: 'GET', url: '/probe?q=kw_[redacted]', headers: { 'user-agent': 'probe-agent' } },
        res: { statusCode: 200 },
      });
      expect(typeof mine[1].responseTime).toBe('number');
      expect(JSON.stringify(lines)).not.toContain(key.slice(3, 20));
    } finally {
      await app.close();
    }
  });

  it('names 5xx answers, gives a request without a sane id a new one, and leaves polled routes out', async () => {
    const lines: Record<string, unknown>[] = [];
    const app = await appLoggingTo(lines, 'info');
    try {
      await request(app.getHttpServer()).get('/boom').set('x-request-id', 'not sane!').expect(503);
      await request(app.getHttpServer()).get('/health/live').set('x-request-id', 'rid-live').expect(200);
      await new Promise((r) => setImmediate(r));
      const requestLines = lines.filter((l) => l.req !== undefined);
      expect(requestLines).toHaveLength(1);
      const id = requestLines[0].reqId;
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(requestLines[0]).toMatchObject({ requestId: id, req: { id }, msg: 'request errored', res: { statusCode: 503 } });
      expect(lines.some((l) => l.reqId === 'rid-live')).toBe(false);
    } finally {
      await app.close();
    }
  });

  it("leaves a verifier's successful lease renewals out, and logs a refused one", async () => {
    const lines: Record<string, unknown>[] = [];
    const app = await appLoggingTo(lines, 'info');
    try {
      await request(app.getHttpServer()).post('/v1/verifiers/v1/ack').set('x-request-id', 'rid-ack').expect(200);
      await request(app.getHttpServer()).post('/v1/verifiers/lapsed/ack').set('x-request-id', 'rid-lapsed').expect(410);
      await new Promise((r) => setImmediate(r));
      expect(lines.some((l) => l.reqId === 'rid-ack' && l.req !== undefined)).toBe(false);
      expect(lines.find((l) => l.reqId === 'rid-lapsed' && l.req !== undefined)).toMatchObject({ res: { statusCode: 410 } });
    } finally {
      await app.close();
    }
  });

  it('writes no request line below the configured level, but keeps the request id on the lines it does write', async () => {
    const lines: Record<string, unknown>[] = [];
    const app = await appLoggingTo(lines, 'warn');
    try {
      await request(app.getHttpServer()).get('/probe').set('x-request-id', 'rid-quiet').expect(200);
      await new Promise((r) => setImmediate(r));
      expect(lines.filter((l) => l.reqId === 'rid-quiet')).toEqual([]);
      const { log } = (await new Promise((resolve) => {
        const mw = requestLogging(app.get(ROOT_LOGGER));
        const req = { headers: { 'x-request-id': 'rid-warn' }, url: '/x' } as never;
        const res = { setHeader: () => undefined, once: () => undefined } as never;
        mw(req, res, () => resolve(req));
      })) as { log: { warn: (m: string) => void } };
      log.warn('a warning');
      expect(lines.filter((l) => l.reqId === 'rid-warn').map((l) => l.msg)).toEqual(['a warning']);
    } finally {
      await app.close();
    }
  });
});
