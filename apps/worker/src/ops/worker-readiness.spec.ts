import { WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import type { DataSource } from 'typeorm';
import { CHECK_TIMEOUT_MS, WorkerReadiness } from './worker-readiness';

const host = (name: string, running = true) => ({ worker: { name, isRunning: () => running } }) as unknown as WorkerHost;

function readiness(opts: { query?: () => Promise<unknown>; ping?: () => Promise<unknown>; hosts?: WorkerHost[] } = {}) {
  const dataSource = { query: opts.query ?? (async () => [{ '?column?': 1 }]) } as unknown as DataSource;
  const redis = { ping: opts.ping ?? (async () => 'PONG') } as unknown as Redis;
  return new WorkerReadiness(dataSource, redis, opts.hosts ?? [host('projections'), host('usage')]);
}

describe('worker readiness', () => {
  let warn: jest.SpyInstance;
  beforeEach(() => (warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined)));
  afterEach(() => warn.mockRestore());

  it('is ready when Postgres and Redis answer and every BullMQ worker runs', async () => {
    expect(await readiness().check()).toEqual({ ready: true, checks: { postgres: { status: 'up' }, redis: { status: 'up' }, workers: { status: 'up' } } });
  });

  it("names what fails, with a fixed reason: the driver's text goes to the log only", async () => {
    const driverText = 'password authentication failed for user "keyward" at 10.0.0.5';
    const r = readiness({ query: async () => Promise.reject(new Error(driverText)), hosts: [host('projections'), host('usage', false)] });
    const result = await r.check();
    expect(result).toEqual({
      ready: false,
      checks: { postgres: { status: 'down', message: 'unavailable' }, redis: { status: 'up' }, workers: { status: 'down', message: 'not running: usage' } },
    });
    expect(JSON.stringify(result)).not.toContain('10.0.0.5');
    expect(warn).toHaveBeenCalledWith(expect.stringContaining(driverText));
  });

  it(`counts a check with no answer within ${CHECK_TIMEOUT_MS} ms as down`, async () => {
    jest.useFakeTimers();
    try {
      const pending = readiness({ ping: () => new Promise(() => undefined) }).check();
      await jest.advanceTimersByTimeAsync(CHECK_TIMEOUT_MS);
      expect((await pending).checks.redis).toEqual({ status: 'down', message: `no answer within ${CHECK_TIMEOUT_MS} ms` });
    } finally {
      jest.useRealTimers();
    }
  });

  it('is not ready once the process is shutting down', async () => {
    const r = readiness();
    r.stop();
    expect(await r.check()).toMatchObject({ ready: false, checks: { workers: { status: 'down', message: 'shutting down' } } });
  });
});
