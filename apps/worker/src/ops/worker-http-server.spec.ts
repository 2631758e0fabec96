import { Logger } from '@nestjs/common';
import { Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { Counter, Registry } from 'prom-client';
import type { KeywardConfig } from '@keyward/config';
import type { WorkerMetrics } from '@keyward/observability';
import { DEFAULT_WORKER_HTTP_PORT, WorkerHttpServer } from './worker-http-server';
import type { Readiness, WorkerReadiness } from './worker-readiness';

const UP = { status: 'up' } as const;

function serverWith(readiness: () => Readiness, workerHttpPort: number | null = 0) {
  const registry = new Registry();
  new Counter({ name: 'probe_total', help: 'a probe', registers: [registry] }).inc(3);
  let stopped = false;
  const fakeReadiness = { check: async () => readiness(), stop: () => (stopped = true) } as unknown as WorkerReadiness;
  const server = new WorkerHttpServer({ host: '127.0.0.1', workerHttpPort } as KeywardConfig, fakeReadiness, { registry } as WorkerMetrics);
  return { server, stopped: () => stopped };
}

function occupy(port: number): Promise<Server | null> {
  const blocker = createServer();
  return new Promise((resolve) => {
    blocker.once('error', () => resolve(null)); // already taken by someone else: just as good
    blocker.listen(port, '127.0.0.1', () => resolve(blocker));
  });
}

describe('the worker HTTP server', () => {
  let current: WorkerHttpServer | undefined;
  afterEach(async () => {
    await current?.beforeApplicationShutdown();
    current = undefined;
  });

  it('answers liveness, readiness and metrics, and nothing else', async () => {
    const { server } = serverWith(() => ({ ready: true, checks: { postgres: UP, redis: UP, workers: UP } }));
    await server.onApplicationBootstrap();
    current = server;
    const live = await fetch(`${server.url}/health/live`);
    expect([live.status, await live.json()]).toEqual([200, { status: 'ok' }]);
    const ready = await fetch(`${server.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok', checks: { postgres: UP, redis: UP, workers: UP } });
    const metrics = await fetch(`${server.url}/metrics`);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await metrics.text()).toContain('probe_total 3');
    for (const path of ['/', '/v1/keys', '/admin/queues', '/metrics/../docs']) {
      const res = await fetch(`${server.url}${path}`);
      expect([path, res.status]).toEqual([path, 404]);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
    }
    const post = await fetch(`${server.url}/metrics`, { method: 'POST', body: 'x' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    const head = await fetch(`${server.url}/health/live`, { method: 'HEAD' });
    expect([head.status, await head.text()]).toEqual([200, '']);
  });

  it('names each failing readiness check with its reason, and turns not ready once shutting down', async () => {
    const { server, stopped } = serverWith(() => ({
      ready: false,
      checks: { postgres: UP, redis: { status: 'down', message: 'unavailable' }, workers: { status: 'down', message: 'not running: usage' } },
    }));
    await server.onApplicationBootstrap();
    current = server;
    const ready = await fetch(`${server.url}/health/ready`);
    expect(ready.status).toBe(503);
    expect(ready.headers.get('retry-after')).toBe('5');
    expect(await ready.json()).toMatchObject({
      status: 503,
      code: 'NOT_READY',
      detail: 'not ready: redis, workers',
      errors: [
        { field: 'redis', message: 'unavailable' },
        { field: 'workers', message: 'not running: usage' },
      ],
    });
    await server.beforeApplicationShutdown();
    current = undefined;
    expect(stopped()).toBe(true);
  });

  it(`takes any free port when WORKER_HTTP_PORT is unset and ${DEFAULT_WORKER_HTTP_PORT} is taken, and says so`, async () => {
    const blocker = await occupy(DEFAULT_WORKER_HTTP_PORT);
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const { server } = serverWith(() => ({ ready: true, checks: { postgres: UP, redis: UP, workers: UP } }), null);
      await server.onApplicationBootstrap();
      current = server;
      const port = Number(new URL(server.url).port);
      expect(port).not.toBe(DEFAULT_WORKER_HTTP_PORT);
      expect((await fetch(`${server.url}/health/live`)).status).toBe(200);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining(`port ${DEFAULT_WORKER_HTTP_PORT} is taken: health and metrics use port ${port}`));
    } finally {
      warn.mockRestore();
      blocker?.close();
    }
  });

  it('stops the start when the WORKER_HTTP_PORT it was given is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const port = (blocker.address() as AddressInfo).port;
      const { server } = serverWith(() => ({ ready: true, checks: { postgres: UP, redis: UP, workers: UP } }), port);
      await expect(server.onApplicationBootstrap()).rejects.toThrow(new RegExp(`WORKER_HTTP_PORT ${port} on 127.0.0.1: .*EADDRINUSE`));
    } finally {
      blocker.close();
    }
  });
});
