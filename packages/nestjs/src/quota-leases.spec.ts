import { QuotaGrant, RateLimitSetting } from './client';
import { LeasedGrant, QuotaLeases } from './quota-leases';

/** Keyward's side of the quota: one window with `limit` requests, shared by every service. */
function keyward(limit: number, resetSeconds = 3600) {
  let remaining = limit;
  const asked: number[] = [];
  return {
    asked,
    reset: () => (remaining = limit),
    takeQuota: async (_keyId: string, want: number): Promise<QuotaGrant> => {
      asked.push(want);
      const granted = Math.min(want, remaining);
      remaining -= granted;
      return { granted, limit, windowSeconds: 3600, resetSeconds };
    },
  };
}

const LIMIT = { limit: 100, windowSeconds: 3600 };

describe('QuotaLeases', () => {
  let now = 0;
  beforeEach(() => (now = 0));

  it('lets exactly the limit through across services sharing the window, then refuses with the time to reset', async () => {
    const server = keyward(100);
    const a = new QuotaLeases(server, { now: () => now });
    const b = new QuotaLeases(server, { now: () => now });
    let allowed = 0;
    let refusedBoth = false;
    for (let i = 0; i < 1000 && !refusedBoth; i++) {
      const [da, db] = [await a.take('k', LIMIT), await b.take('k', LIMIT)];
      allowed += Number(da!.allowed) + Number(db!.allowed);
      refusedBoth = !da!.allowed && !db!.allowed;
    }
    expect(allowed).toBe(100);
    expect(await a.take('k', LIMIT)).toMatchObject({ allowed: false, limit: 100 });
  });

  it('asks small blocks first and larger ones for a hot key, up to a twentieth of the limit', async () => {
    const server = keyward(1000);
    const q = new QuotaLeases(server, { now: () => now });
    for (let i = 0; i < 200; i++) await q.take('k', { limit: 1000, windowSeconds: 3600 });
    expect(server.asked.slice(0, 7)).toEqual([1, 2, 4, 8, 16, 32, 50]);
    expect(Math.max(...server.asked)).toBe(50);
  });

  it('concurrent requests share one request for a block', async () => {
    const server = keyward(100);
    const q = new QuotaLeases(server, { now: () => now });
    const decisions = await Promise.all(Array.from({ length: 3 }, () => q.take('k', LIMIT)));
    expect(decisions.every((d) => d!.allowed)).toBe(true);
    expect(server.asked.length).toBeLessThan(3);
  });

  it('a refusal is kept locally until the window resets, then Keyward is asked again', async () => {
    const server = keyward(1, 10);
    const q = new QuotaLeases(server, { now: () => now });
    expect((await q.take('k', LIMIT))!.allowed).toBe(true);
    expect(await q.take('k', LIMIT)).toMatchObject({ allowed: false, resetSeconds: 10 });
    const asked = server.asked.length;
    expect((await q.take('k', LIMIT))!.allowed).toBe(false);
    expect(server.asked.length).toBe(asked);
    now = 10_000;
    server.reset();
    expect((await q.take('k', LIMIT))!.allowed).toBe(true);
  });

  it('what is left of a block at the end of its window is not spent in the next one', async () => {
    const server = keyward(1000, 5);
    const q = new QuotaLeases(server, { now: () => now });
    for (let i = 0; i < 4; i++) await q.take('k', { limit: 1000, windowSeconds: 5 }); // blocks 1, 2, 4: 3 left
    const asked = server.asked.length;
    now = 5_000;
    await q.take('k', { limit: 1000, windowSeconds: 5 });
    expect(server.asked.length).toBe(asked + 1);
    expect(server.asked.at(-1)).toBe(1); // the key went cold: small blocks again
  });

  it('no rate limit: nothing is asked', async () => {
    const server = keyward(1);
    expect(await new QuotaLeases(server).take('k', null)).toBeUndefined();
    expect(server.asked).toEqual([]);
  });

  it("with the blocks' positions in the window, each decision says what is left after it, every position once across services", async () => {
    let used = 0;
    const seen: RateLimitSetting[] = [];
    const source = {
      takeQuota: async (_keyId: string, want: number, setting: RateLimitSetting): Promise<LeasedGrant> => {
        seen.push(setting);
        const granted = Math.min(want, setting.limit - used);
        used += granted;
        return { granted, used: used - granted, limit: setting.limit, windowSeconds: setting.windowSeconds, resetSeconds: 3600, resetMs: 3_599_500 };
      },
    };
    const a = new QuotaLeases(source, { now: () => now });
    const b = new QuotaLeases(source, { now: () => now });
    const decisions = [];
    for (let i = 0; i < 60; i++) decisions.push(await a.take('k', LIMIT), await b.take('k', LIMIT), await a.take('k', LIMIT));
    const allowed = decisions.filter((d) => d!.allowed);
    expect(allowed.map((d) => d!.remaining).sort((x, y) => x! - y!)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(decisions.filter((d) => !d!.allowed).every((d) => d!.remaining === 0)).toBe(true);
    expect(seen.every((s) => s.limit === 100 && s.windowSeconds === 3600)).toBe(true);
    expect(allowed[0]).toMatchObject({ limit: 100, resetSeconds: 3600 });
  });

  it('a key whose limit or window changed starts a new block (another counter at Keyward)', async () => {
    const server = keyward(1000);
    const q = new QuotaLeases(server, { now: () => now });
    for (let i = 0; i < 3; i++) await q.take('k', { limit: 1000, windowSeconds: 3600 }); // blocks 1, 2: one left
    const asked = server.asked.length;
    await q.take('k', { limit: 1000, windowSeconds: 60 });
    expect(server.asked.length).toBe(asked + 1);
    expect(server.asked.at(-1)).toBe(1);
    await q.take('k', { limit: 500, windowSeconds: 60 });
    expect(server.asked.length).toBe(asked + 2);
  });

  it('keeps the blocks of at most maxKeys keys: the one that took a block least recently goes first', async () => {
    const server = keyward(1000);
    const q = new QuotaLeases(server, { now: () => now, maxKeys: 2 });
    const setting = { limit: 1000, windowSeconds: 3600 };
    for (const key of ['a', 'a', 'b', 'c']) await q.take(key, setting); // a holds 1 of its block of 2
    const asked = server.asked.length;
    await q.take('a', setting); // dropped with its block: asked again
    expect(server.asked.length).toBe(asked + 1);
    await q.take('c', setting); // c was kept (its block of 1 spent: asks again)
    await q.take('c', setting); // from the block of 2 just taken
    expect(server.asked.length).toBe(asked + 2);
  });

  it('Keyward unreachable when a block is needed: the error reaches the caller (a 503, never an accept)', async () => {
    const q = new QuotaLeases({ takeQuota: () => Promise.reject(new Error('ECONNREFUSED')) });
    await expect(q.take('k', LIMIT)).rejects.toThrow('ECONNREFUSED');
  });
});
