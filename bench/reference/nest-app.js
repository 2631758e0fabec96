// @ts-check
'use strict';
/**
 * A bare NestJS app (the example service's versions) for bench/nest-reference.js:
 * what Nest itself charges for what any usage-recording key guard must do, with no Keyward in it.
 *
 *   GET /health   public, `{ status: 'ok' }` (as the example's)
 *   GET /trivial  behind a guard that returns true
 *   GET /floor    behind a guard doing the least a key guard with a usage trail and rate-limit
 *                 headers does: a frozen key object on the request, two RateLimit headers, one
 *                 `close` listener that keeps the request's use (key, method, route, status, ip,
 *                 user agent, duration, time) in columns sent as JSON each second; the handler takes
 *                 the key through a parameter decorator and answers `{ items: [] }` (as the example's
 *                 GET /invoices for a company with none).
 *
 * Plain JavaScript with the decorators applied as functions (no build step). PORT, HOST, and
 * ADAPTER: `express` (default, the example service's) or `fastify` (Keyward's API; bench/guard-throughput.js
 * and bench/adapters.js).
 */
require('reflect-metadata');
const { Controller, Get, Injectable, Module, UseGuards, createParamDecorator } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');

const KEY = Object.freeze({ keyId: 'k', companyId: 'c', permissions: Object.freeze(['invoices:read']) });
const uses = { keyId: [], method: [], route: [], status: [], ip: [], userAgent: [], durationMs: [], at: [] };
let sent = 0;
setInterval(() => {
  const n = uses.keyId.length;
  const records = [];
  for (let i = 0; i < n; i++) {
    records.push({ keyId: uses.keyId[i], method: uses.method[i], route: uses.route[i], status: uses.status[i], ip: uses.ip[i], userAgent: uses.userAgent[i], durationMs: uses.durationMs[i], occurredAt: new Date(uses.at[i]).toISOString() });
  }
  sent += JSON.stringify({ records }).length; // what a reporter would send
  for (const column of Object.values(uses)) column.length = 0;
}, 1000).unref();

class TrivialGuard {
  canActivate() {
    return true;
  }
}
class FloorGuard {
  /** @param {import('@nestjs/common').ExecutionContext} context */
  canActivate(context) {
    const http = context.switchToHttp();
    const req = http.getRequest();
    const reply = http.getResponse();
    const res = reply.raw ?? reply; // Fastify's reply wraps Node's response
    req.keywardKey = KEY;
    const startedAt = performance.now();
    res.on('close', () => {
      uses.keyId.push(KEY.keyId);
      uses.method.push(req.method);
      uses.route.push(req.route?.path ?? req.routeOptions?.url);
      uses.status.push(res.statusCode);
      uses.ip.push(req.ip);
      uses.userAgent.push(req.headers['user-agent'] ?? null);
      uses.durationMs.push(Math.round(performance.now() - startedAt));
      uses.at.push(Date.now());
    });
    if (reply.raw) {
      reply.header('RateLimit-Limit', '1000000000');
      reply.header('RateLimit-Reset', '60');
    } else {
      res.setHeader('RateLimit-Limit', '1000000000');
      res.setHeader('RateLimit-Reset', '60');
    }
    return true;
  }
}
Injectable()(TrivialGuard);
Injectable()(FloorGuard);
const TheKey = createParamDecorator((_data, context) => context.switchToHttp().getRequest().keywardKey);

class ReferenceController {
  health() {
    return { status: 'ok' };
  }
  trivial() {
    return { items: [] };
  }
  /** @param {{ companyId: string }} key */
  floor(key) {
    return { items: key.companyId === 'c' ? [] : [key.companyId] };
  }
}
const route = (name, ...decorators) => Reflect.decorate(decorators, ReferenceController.prototype, name, Object.getOwnPropertyDescriptor(ReferenceController.prototype, name));
route('health', Get('health'));
route('trivial', Get('trivial'), UseGuards(TrivialGuard));
route('floor', Get('floor'), UseGuards(FloorGuard));
TheKey()(ReferenceController.prototype, 'floor', 0);
Reflect.decorate([Controller()], ReferenceController);

class ReferenceModule {}
Reflect.decorate([Module({ controllers: [ReferenceController], providers: [TrivialGuard, FloorGuard] })], ReferenceModule);

function adapter() {
  if ((process.env.ADAPTER ?? 'express') === 'express') return undefined;
  const { FastifyAdapter } = require('@nestjs/platform-fastify');
  return new FastifyAdapter();
}

const options = { logger: ['error', 'warn'] };
const server = adapter();
(server ? NestFactory.create(ReferenceModule, server, options) : NestFactory.create(ReferenceModule, options))
  .then(async (app) => {
    app.enableShutdownHooks();
    await app.listen(Number(process.env.PORT ?? 3200), process.env.HOST ?? '127.0.0.1');
    process.stdout.write(`reference app listening (sent ${sent})\n`);
  })
  .catch((err) => {
    process.stderr.write(`${err.stack}\n`);
    process.exit(1);
  });
