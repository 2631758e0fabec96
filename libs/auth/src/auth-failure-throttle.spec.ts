import { AddressInfo, Server, Socket, createServer } from 'node:net';
import Redis from 'ioredis';
import { KeywardConfig } from '@keyward/config';
import { testEnvironment, testRedisPrefix } from '@keyward/testing';
import { AuthFailureThrottle } from './rate-limits';

/** The commands (arrays of bulk strings) complete in `buffer`, and what is left of it. */
function commands(buffer: string): { parsed: string[][]; rest: string } {
  const parsed: string[][] = [];
  let at = 0;
  for (;;) {
    const head = /^\*(\d+)\r\n/.exec(buffer.slice(at));
    if (!head) break;
    let i = at + head[0].length;
    const args: string[] = [];
    for (let n = Number(head[1]); n > 0; n--) {
      const bulk = /^\$(\d+)\r\n/.exec(buffer.slice(i));
      if (!bulk || buffer.length < i + bulk[0].length + Number(bulk[1]) + 2) return { parsed, rest: buffer.slice(at) };
      args.push(buffer.slice(i + bulk[0].length, i + bulk[0].length + Number(bulk[1])));
      i += bulk[0].length + Number(bulk[1]) + 2;
    }
    parsed.push(args);
    at = i;
  }
  return { parsed, rest: buffer.slice(at) };
}

/**
 * A Redis stand-in that completes ioredis's handshake (CLIENT SETNAME, INFO, SELECT) and then
 * never answers another command, as a paused or partitioned Redis does.
 */
function silentRedis(): Promise<Server> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let pending = '';
    socket.on('data', (chunk) => {
      const { parsed, rest } = commands(pending + chunk.toString('latin1'));
      pending = rest;
      for (const [name] of parsed) {
        const command = name.toUpperCase();
        if (command === 'INFO') socket.write('$11\r\nloading:0\r\n\r\n');
        else if (command === 'CLIENT' || command === 'SELECT') socket.write('+OK\r\n');
        // anything else: no answer, ever
      }
    });
  });
  const close = server.close.bind(server);
  server.close = (cb) => {
    sockets.forEach((s) => s.destroy());
    return close(cb);
  };
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

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
