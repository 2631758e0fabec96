import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { KeywardService } from '@keyward/nestjs';
import { AppModule } from '../apps/api/src/app.module';
import { createApi } from '../apps/api/src/app.setup';
import { ExampleInvoicesModule } from '../apps/example-invoices/src/example.module';
import { call, Stack, startStack } from './support/stack';

/**
 * @keyward/nestjs end to end: two Keyward API instances (one database, one Redis) and two
 * instances of the example invoices service, each verifying through another API instance (the
 * second one through a proxy that can cut it off), with warm caches.
 */

/** A TCP proxy that can freeze: connections stay open and nothing passes (Keyward unreachable, not stopped). */
class FreezingProxy {
  private server!: Server;
  private readonly sockets = new Set<Socket>();
  frozen = false;
  url = '';

  constructor(private readonly target: URL) {}

  async start(): Promise<this> {
    this.server = createServer((client) => {
      this.sockets.add(client);
      client.on('close', () => this.sockets.delete(client));
      client.on('error', () => undefined);
      if (this.frozen) return client.pause();
      const upstream = new Socket();
      this.sockets.add(upstream);
      upstream.on('error', () => client.destroy());
      upstream.on('close', () => this.sockets.delete(upstream));
      upstream.connect(Number(this.target.port), this.target.hostname, () => {
        client.pipe(upstream);
        upstream.pipe(client);
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this;
  }

  freeze(): void {
    this.frozen = true;
    for (const s of this.sockets) {
      s.unpipe();
      s.pause();
    }
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** Bounded poll of a state (never an assertion on time). */
async function until(condition: () => boolean | Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('@keyward/nestjs with two Keyward instances and two services', () => {
  let stack: Stack;
  let api2: NestFastifyApplication;
  let proxy: FreezingProxy;
  let admin: string;
  const services: INestApplication[] = [];
  const urls: string[] = [];

  const keyward = (method: string, p: string, body?: unknown) => call(stack.url, method, p, { key: admin, body });
  const invoices = (i: number, key: string, method = 'GET', body?: unknown) => call(urls[i], method, '/invoices', { key, body });
  const both = async (key: string, method = 'GET') => [(await invoices(0, key, method, method === 'POST' ? { customer: 'c', amountCents: 1 } : undefined)).status, (await invoices(1, key, method, method === 'POST' ? { customer: 'c', amountCents: 1 } : undefined)).status];
  const newKey = async (extra: Record<string, unknown> = {}) => {
    const r = await keyward('POST', '/v1/keys', { name: 'billing', roles: ['clerk'], ...extra });
    expect(r.status).toBe(201);
    return r.body as { id: string; key: string };
  };

  beforeAll(async () => {
    stack = await startStack({ INSTANCE_LEASE_MS: '2000' });
    admin = stack.admin.key;
    api2 = await createApi(AppModule.forRoot(stack.config), stack.config, { logger: ['error'] });
    await api2.listen(0, '127.0.0.1');
    proxy = await new FreezingProxy(new URL(`http://127.0.0.1:${(api2.getHttpServer().address() as { port: number }).port}`)).start();

    for (const name of ['invoices:read', 'invoices:write']) expect((await keyward('POST', '/v1/permissions', { name })).status).toBe(201);
    expect((await keyward('POST', '/v1/roles', { name: 'clerk', permissions: ['invoices:read', 'invoices:write'] })).status).toBe(201);
    const service = await newKey({ name: 'invoices service', roles: [], permissions: ['keys:verify'], rateLimit: { limit: 100_000, windowSeconds: 3600 } });
    for (const url of [stack.url, proxy.url]) {
      const app = await NestFactory.create(ExampleInvoicesModule.forRoot({ url, apiKey: service.key, timeoutMs: 1_000, usage: { drainTimeoutMs: 2_000 } }), { logger: ['error'] });
      await app.listen(0, '127.0.0.1');
      services.push(app);
      urls.push((await app.getUrl()).replace('[::1]', '127.0.0.1'));
    }
    for (const app of services) await until(() => app.get(KeywardService).stream.isLive, 'a verifier lease');
  });

  afterAll(async () => {
    for (const app of services) await app.close().catch(() => undefined);
    await proxy?.stop();
    await api2?.close();
    await stack?.close();
  });

  it('401 without or with a bad key, 403 without the permission, 200 with it, on both services', async () => {
    const reader = await newKey({ roles: [], permissions: ['invoices:read'] });
    for (const i of [0, 1]) {
      expect((await call(urls[i], 'GET', '/invoices')).body.code).toBe('MISSING_API_KEY');
      expect((await invoices(i, 'kw_nope')).status).toBe(401);
      expect((await invoices(i, reader.key)).status).toBe(200);
      const denied = await invoices(i, reader.key, 'POST', { customer: 'c', amountCents: 1 });
      expect([denied.status, denied.body.code]).toEqual([403, 'INSUFFICIENT_PERMISSIONS']);
    }
    const whoami = await call(urls[1], 'GET', '/whoami', { bearer: reader.key });
    expect(whoami.body).toMatchObject({ keyId: reader.id, permissions: ['invoices:read'], roles: [] });
  });

  it('a revoke, an owner disable and a role edit are refused by both warm services as soon as the call returns', async () => {
    const revoked = await newKey();
    expect(await both(revoked.key)).toEqual([200, 200]);
    expect(await both(revoked.key)).toEqual([200, 200]); // from the caches
    expect((await keyward('POST', `/v1/keys/${revoked.id}/revoke`)).status).toBe(200);
    expect(await both(revoked.key)).toEqual([401, 401]);

    const user = (await keyward('POST', '/v1/users', { email: 'clerk@acme.test', name: 'Clerk', permissions: ['keys:read'] })).body;
    const owned = await newKey({ ownerId: user.id });
    expect(await both(owned.key)).toEqual([200, 200]);
    expect((await keyward('PATCH', `/v1/users/${user.id}`, { disabled: true })).status).toBe(200);
    expect(await both(owned.key)).toEqual([401, 401]);

    const clerk = await newKey();
    expect(await both(clerk.key, 'POST')).toEqual([201, 201]);
    expect((await keyward('PATCH', '/v1/roles/clerk', { permissions: ['invoices:read'] })).status).toBe(200);
    expect(await both(clerk.key, 'POST')).toEqual([403, 403]);
    expect(await both(clerk.key)).toEqual([200, 200]);
    expect((await keyward('PATCH', '/v1/roles/clerk', { permissions: ['invoices:read', 'invoices:write'] })).status).toBe(200);
  });

  it('usage: one KeyUsed per request of either service, counted exactly', async () => {
    const counted = await newKey();
    const statuses = [...(await both(counted.key)), ...(await both(counted.key, 'POST')), ...(await both(counted.key))];
    expect(statuses).toEqual([200, 200, 201, 201, 200, 200]);
    for (const app of services) await app.get(KeywardService).usage.close();
    for (const app of services) app.get(KeywardService).usage.start();
    const rows = await stack.sql.query(`SELECT data->>'route' AS route, data->>'status' AS status FROM events WHERE type = 'KeyUsed' AND data->>'keyId' = $1`, [counted.id]);
    expect(rows.map((r: { route: string; status: string }) => `${r.route} ${r.status}`).sort()).toEqual([
      '/invoices 200', '/invoices 200', '/invoices 200', '/invoices 200', '/invoices 201', '/invoices 201',
    ]);
  });

  it('a rate limit of N across both services lets exactly N requests through', async () => {
    const limited = await newKey({ rateLimit: { limit: 7, windowSeconds: 3600 } });
    let passed = 0;
    for (let round = 0; round < 50; round++) {
      const [a, b] = await both(limited.key);
      passed += Number(a === 200) + Number(b === 200);
      if (a === 429 && b === 429) break;
    }
    expect(passed).toBe(7);
    const refused = await invoices(0, limited.key);
    expect([refused.status, refused.body.code, refused.headers.get('retry-after') !== null]).toEqual([429, 'RATE_LIMITED', true]);
  });

  it('Keyward unreachable: a cached key works while the lease holds, then 503 KEYWARD_UNAVAILABLE, never a stale accept', async () => {
    const cached = await newKey();
    for (let i = 0; i < 4; i++) expect((await invoices(1, cached.key)).status).toBe(200); // cached, with quota left in its block
    const runtime = services[1].get(KeywardService);
    proxy.freeze();
    expect((await invoices(1, cached.key)).status).toBe(200);
    const unknown = await newKey(); // never seen by service 1: cannot be verified now
    expect((await invoices(1, unknown.key)).body.code).toBe('KEYWARD_UNAVAILABLE');
    await until(() => !runtime.cache.trusted(), 'the lease to lapse');
    const after = await invoices(1, cached.key);
    expect([after.status, after.body.code]).toEqual([503, 'KEYWARD_UNAVAILABLE']);
    // the other service, on the other instance, is unaffected
    expect((await invoices(0, cached.key)).status).toBe(200);
  });
});

describe('npm pack -w @keyward/nestjs', () => {
  it('installs into a fresh directory with only its declared dependencies, and require() works there', () => {
    const root = path.resolve(__dirname, '..');
    const dir = mkdtempSync(path.join(tmpdir(), 'keyward-nestjs-'));
    try {
      execFileSync('npm', ['run', 'build', '-w', '@keyward/nestjs'], { cwd: root, stdio: 'pipe' });
      const tarball = execFileSync('npm', ['pack', '-w', '@keyward/nestjs', '--pack-destination', dir, '--json'], { cwd: root, encoding: 'utf8' });
      const [{ filename, files }] = JSON.parse(tarball) as [{ filename: string; files: { path: string }[] }];
      expect(files.some((f) => f.path === 'dist/index.js')).toBe(true);
      expect(files.some((f) => f.path.startsWith('src/'))).toBe(false);
      writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
      execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', path.join(dir, path.basename(filename))], { cwd: dir, stdio: 'pipe' });
      const out = execFileSync(
        process.execPath,
        ['-e', "require('reflect-metadata'); const k = require('@keyward/nestjs'); console.log([typeof k.KeywardModule.forRoot, typeof k.KeywardGuard, k.isWellFormedKey('kw_x')].join(' '))"],
        { cwd: dir, encoding: 'utf8' },
      );
      expect(out.trim()).toBe('function function false');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
