import Redis from 'ioredis';
import { Problem } from '@keyward/common';
import { KeywardConfig } from '@keyward/config';
import { testConfig, testEnvironment } from '@keyward/testing';
import { KeyRateLimiter, RateDecision } from './rate-limits';

/** An API instance's limiter on the test Redis (its own connections, as in a process of its own). */
async function instance(config: KeywardConfig, redisUrl = testEnvironment().redisUrl): Promise<{ limiter: KeyRateLimiter; close: () => Promise<void> }> {
  const shared = new Redis(redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  shared.on('error', () => undefined);
  const limiter = new KeyRateLimiter(config, shared);
  await limiter.onModuleInit();
  return {
    limiter,
    close: async () => {
      await limiter.onApplicationShutdown();
      shared.disconnect();
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('KeyRateLimiter: blocks of a key window leased from Redis (real Redis)', () => {
  const config = testConfig();
  const redis = new Redis(testEnvironment().redisUrl);
  const counter = (keyId: string, limit: number, windowSeconds: number) => redis.get(`${config.redisPrefix}:rl:key:${limit}:${windowSeconds}:${keyId}`);
  let a: Awaited<ReturnType<typeof instance>>;
  let b: Awaited<ReturnType<typeof instance>>;

  beforeAll(async () => {
    [a, b] = await Promise.all([instance(config), instance(config)]);
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
    await redis.quit();
  });

  it("admits exactly the limit in total over two instances and a service's takes, each position of the window once", async () => {
    const setting = { limit: 200, windowSeconds: 3600 };
    // each instance alone asks more than the limit, so neither can end with a block unspent
    const decisions = Promise.all(
      Array.from({ length: 500 }, (_, i) => (i % 2 ? a : b).limiter.consume('hot', setting)),
    );
    const grants = Promise.all(Array.from({ length: 10 }, () => a.limiter.take('hot', setting, 9)));
    const [answers, taken] = await Promise.all([decisions, grants]);
    const granted = taken.reduce((sum, g) => sum + g.granted, 0);
    const allowed = answers.filter((d) => d.allowed);

    expect(granted).toBeGreaterThan(0);
    expect(allowed.length + granted).toBe(200);
    const positions = allowed.map((d) => d.remaining).sort((x, y) => x - y);
    expect(new Set(positions).size).toBe(allowed.length);
    expect(positions.every((r) => r >= 0 && r < 200)).toBe(true);
    for (const d of answers) {
      expect(d.limit).toBe(200);
      expect(d.resetSeconds).toBeGreaterThan(0);
      expect(d.resetSeconds).toBeLessThanOrEqual(3600);
    }
    expect(answers.filter((d) => !d.allowed).every((d) => d.remaining === 0)).toBe(true);
    expect(await counter('hot', 200, 3600)).toBe('200'); // refused requests took nothing
  });

  it('answers synchronously while the instance holds a block, with the next position each time', async () => {
    const setting = { limit: 1000, windowSeconds: 3600 };
    const kinds: string[] = [];
    const remaining: number[] = [];
    for (let i = 0; i < 8; i++) {
      const answer = a.limiter.consume('warm', setting);
      kinds.push(answer instanceof Promise ? 'async: takes a block' : 'sync: from the block');
      remaining.push((await answer).remaining);
    }
    // blocks of 1, 2, 4 and 8: only a request that finds its instance's block spent waits for Redis
    const [take, held] = ['async: takes a block', 'sync: from the block'];
    expect(kinds).toEqual([take, take, held, take, held, held, held, take]);
    expect(remaining).toEqual([999, 998, 997, 996, 995, 994, 993, 992]);
    expect(await counter('warm', 1000, 3600)).toBe('15'); // what the instance holds is taken in Redis
    expect((await b.limiter.consume('warm', setting)).remaining).toBe(984); // the other instance goes on after it
  });

  it('blocks shrink as the window fills: the last requests are leased one by one', async () => {
    const setting = { limit: 100, windowSeconds: 3600 };
    await redis.set(`${config.redisPrefix}:rl:key:100:3600:nearly-spent`, 60, 'EX', 3600);
    for (let i = 0; i < 3; i++) await a.limiter.consume('nearly-spent', setting); // blocks 1, 2 (40 left: max(1, 40/20))
    expect(await counter('nearly-spent', 100, 3600)).toBe('63');
    await a.limiter.consume('nearly-spent', setting); // wants 4, gets 1 (37 left)
    expect(await counter('nearly-spent', 100, 3600)).toBe('64');
    expect((await b.limiter.consume('nearly-spent', setting)).remaining).toBe(35);
  });

  it('a new window after the reset; a refusal holds until then and is not counted', async () => {
    const setting = { limit: 3, windowSeconds: 1 };
    const first: RateDecision[] = [];
    for (let i = 0; i < 4; i++) first.push(await a.limiter.consume('short', setting));
    expect(first.map((d) => [d.allowed, d.remaining])).toEqual([
      [true, 2],
      [true, 1],
      [true, 0],
      [false, 0],
    ]);
    expect(await counter('short', 3, 1)).toBe('3');
    expect((await b.limiter.consume('short', setting)).allowed).toBe(false);
    await sleep(first[3].resetSeconds * 1000 + 100);
    expect(await a.limiter.consume('short', setting)).toMatchObject({ allowed: true, remaining: 2 });
    expect(await b.limiter.consume('short', setting)).toMatchObject({ allowed: true, remaining: 1 });
  });

  it('a key whose limit or window changed spends a new window', async () => {
    for (let i = 0; i < 3; i++) await a.limiter.consume('changed', { limit: 1000, windowSeconds: 60 });
    expect(await a.limiter.consume('changed', { limit: 500, windowSeconds: 60 })).toMatchObject({ allowed: true, limit: 500, remaining: 499 });
    expect(await a.limiter.consume('changed', { limit: 500, windowSeconds: 120 })).toMatchObject({ allowed: true, limit: 500, remaining: 499 });
  });

  it('a key without a limit of its own spends the configured default', async () => {
    const { limit, windowSeconds } = config.keys.defaultRateLimit;
    expect(await a.limiter.consume('default', null)).toMatchObject({ allowed: true, limit, remaining: limit - 1 });
    expect(await counter('default', limit, windowSeconds)).toBe('1');
  });
});

describe('KeyRateLimiter losing Redis while it holds a block', () => {
  it('spends what it holds (counted in Redis already), then counts in memory', async () => {
    const config = testConfig();
    const { limiter, close } = await instance(config);
    try {
      const setting = { limit: 1000, windowSeconds: 3600 };
      for (let i = 0; i < 4; i++) await limiter.consume('held', setting); // blocks 1, 2, 4: three left
      await limiter.onApplicationShutdown(); // its Redis connection closes
      const held = [0, 1, 2].map(() => limiter.consume('held', setting));
      expect(held.some((d) => d instanceof Promise)).toBe(false);
      expect(held.map((d) => (d as RateDecision).remaining)).toEqual([995, 994, 993]);
      // then the in-memory insurance, counting from its own start
      expect(await limiter.consume('held', setting)).toMatchObject({ allowed: true, remaining: 999 });
    } finally {
      await close();
    }
  });
});

describe('KeyRateLimiter with Redis unreachable (its port refuses connections)', () => {
  it('counts each instance in memory and holds the limit there; a service take is 503', async () => {
    const url = 'redis://127.0.0.1:1'; // tcpmux: nothing listens there, every connection is refused
    const { limiter, close } = await instance(testConfig({ REDIS_URL: url }), url);
    try {
      const setting = { limit: 3, windowSeconds: 60 };
      const answers: RateDecision[] = [];
      for (let i = 0; i < 5; i++) answers.push(await limiter.consume('away', setting));
      expect(answers.map((d) => [d.allowed, d.remaining])).toEqual([
        [true, 2],
        [true, 1],
        [true, 0],
        [false, 0],
        [false, 0],
      ]);
      const refusal = await limiter.take('away', setting, 1).catch((err: Problem) => err);
      expect(refusal).toBeInstanceOf(Problem);
      expect([(refusal as Problem).getStatus(), (refusal as Problem).getResponse()]).toEqual([503, expect.objectContaining({ code: 'UNAVAILABLE' })]);
    } finally {
      await close();
    }
  });
});
