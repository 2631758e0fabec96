import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { RedisServerNotFoundError, startRedisServer } from './redis-server';
import { RunningServer } from './running-server';

describe('startRedisServer', () => {
  let dataDir: string;
  const started: RunningServer[] = [];

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'keyward-redis-spec-'));
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((server) => server.stop()));
    await rm(dataDir, { recursive: true, force: true });
  });

  async function start(executable?: string): Promise<RunningServer> {
    const server = await startRedisServer({ dataDir, executable });
    started.push(server);
    return server;
  }

  it('starts a server on 127.0.0.1 that answers PING', async () => {
    const server = await start();
    expect(server.url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    await withRedis(server.url, async (redis) => expect(await redis.ping()).toBe('PONG'));
  });

  it('keeps its data across a stop and a start on the same directory', async () => {
    const first = await start();
    await withRedis(first.url, (redis) => redis.set('keyward:spec', 'kept'));
    await first.stop();

    const second = await start();
    await withRedis(second.url, async (redis) => expect(await redis.get('keyward:spec')).toBe('kept'));
    expect(existsSync(path.join(dataDir, 'appendonlydir'))).toBe(true);
  });

  it('stop() ends the process', async () => {
    const server = await start();
    await server.stop();
    await expect(server.exited).resolves.toEqual({ code: 0, signal: null });
    expect(existsSync(path.join(dataDir, 'redis-server.pid'))).toBe(false);
    await expect(
      withRedis(server.url, (redis) => redis.ping(), { retryStrategy: () => null }),
    ).rejects.toThrow();
  });

  it('fails, rather than reporting another server as its own, when the port is taken', async () => {
    const first = await start();
    const otherDir = await mkdtemp(path.join(tmpdir(), 'keyward-redis-spec-'));
    try {
      const port = Number(new URL(first.url).port);
      await expect(startRedisServer({ dataDir: otherDir, port })).rejects.toThrow(/exited during start-up/);
    } finally {
      await rm(otherDir, { recursive: true, force: true });
    }
  });

  it('says how to get Redis when redis-server is not on the PATH', async () => {
    const failure = start('keyward-no-such-redis-server');
    await expect(failure).rejects.toThrow(RedisServerNotFoundError);
    await expect(failure).rejects.toThrow(/REDIS_URL.*apt-get install redis-server.*brew install redis/);
  });
});

async function withRedis<T>(
  url: string,
  work: (redis: Redis) => Promise<T>,
  options: { retryStrategy?: () => null } = {},
): Promise<T> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, disconnectTimeout: 0, ...options });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return await work(redis);
  } finally {
    redis.disconnect();
  }
}
