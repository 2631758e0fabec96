import { AddressInfo } from 'node:net';
import Redis from 'ioredis';
import { KeywardConfig } from '@keyward/config';
import { silentRedis, testEnvironment, testRedisPrefix } from '@keyward/testing';
import { AuthFailureThrottle } from './rate-limits';

const config = (limit: number) => ({ authFailures: { limit, windowSeconds: 60 }, redisPrefix: `throttle-spec-${process.pid}` }) as KeywardConfig;

async function throttleOn(port: number, limit: number): Promise<{ throttle: AuthFailureThrottle; redis: Redis }> {
  const redis = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true });
  redis.on('error', () => undefined);
  await redis.connect().catch(() => undefined);
  const throttle = new AuthFailureThrottle(config(limit), redis);
  await throttle.onModuleInit(); // its own connection is up (paused) or never comes (stopped)
  return { throttle, redis };
}

/** The answers to `n` failures from one address, one after the other. */
async function fail(throttle: AuthFailureThrottle, ip: string, n: number): Promise<number[]> {
  const waits: number[] = [];
  for (let i = 0; i < n; i++) waits.push(await throttle.countFailure(ip));
  return waits;
}

describe('AuthFailureThrottle with Redis', () => {
  it('counts the failures of every instance together, per address', async () => {
    const redis = new Redis(testEnvironment().redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true });
    await redis.connect();
    const shared = { authFailures: { limit: 4, windowSeconds: 60 }, redisPrefix: testRedisPrefix() } as KeywardConfig;
    const one = new AuthFailureThrottle(shared, redis);
    const two = new AuthFailureThrottle(shared, redis);
    try {
      await Promise.all([one.onModuleInit(), two.onModuleInit()]);
      expect(await fail(one, '198.51.100.1', 2)).toEqual([0, 0]);
      expect(await fail(two, '198.51.100.1', 2)).toEqual([0, 0]);
      const waits = [await one.countFailure('198.51.100.1'), await two.countFailure('198.51.100.1')];
      expect(waits.map((w) => w > 0 && w <= 60)).toEqual([true, true]);
      expect(await two.countFailure('198.51.100.2')).toBe(0);
    } finally {
      await one.onApplicationShutdown();
      await two.onApplicationShutdown();
      await redis.quit();
    }
  });
});

describe('AuthFailureThrottle without a working Redis: counts in memory, never hangs, never throws', () => {
  it('Redis paused (connected, silent): each count gives up and the memory count answers', async () => {
    const server = await silentRedis();
    const { throttle, redis } = await throttleOn((server.address() as AddressInfo).port, 3);
    try {
      const waits = await fail(throttle, '203.0.113.7', 5);
      expect(waits.slice(0, 3)).toEqual([0, 0, 0]);
      expect(waits[3]).toBeGreaterThan(0);
      expect(waits[4]).toBeGreaterThan(0);
      expect(await throttle.countFailure('203.0.113.8')).toBe(0); // another address is not throttled
    } finally {
      await throttle.onApplicationShutdown();
      redis.disconnect();
      await new Promise((r) => server.close(r));
    }
  }, 20_000);

  it('Redis stopped (nothing listens): the memory count answers at once', async () => {
    const server = await silentRedis();
    const port = (server.address() as AddressInfo).port;
    await new Promise((r) => server.close(r)); // the port is free again: connections are refused
    const { throttle, redis } = await throttleOn(port, 2);
    try {
      expect(await fail(throttle, '2001:db8:1:2::1', 2)).toEqual([0, 0]);
      expect(await throttle.countFailure('2001:db8:1:2:ffff::9')).toBeGreaterThan(0); // the same /64
      expect(await throttle.countFailure('2001:db8:1:3::1')).toBe(0); // another /64
    } finally {
      await throttle.onApplicationShutdown();
      redis.disconnect();
    }
  });
});
