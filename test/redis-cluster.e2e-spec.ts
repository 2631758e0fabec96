import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Redis, { Cluster } from 'ioredis';
import { generateKey } from '@keyward/auth';
import { findFreePort } from '@keyward/embedded';
import { Channels, RedisClient, createRedisClient } from '@keyward/queue';
import { createTestDatabase, testEnvironment, testRedisPrefix } from '@keyward/testing';
import { KEY_PATTERN, LAUNCHER, LauncherRun, cli, descendantsOf, getMe, installationOf, redact } from './support/launcher';
import { Stack, call, startStack } from './support/stack';

/**
 * Keyward on a Redis Cluster (Jest project `redis-cluster` only: the run's 3-master cluster).
 * One API and one worker drive every kind of Redis client Keyward has; then every node's keys are
 * listed: each key of this installation carries its hash tag and they all share one slot, and no
 * node answered a command with CROSSSLOT.
 */

let s: Stack;
let inspector: Cluster;
let crossSlotBefore: Map<string, number>;

/** Each master's own connection (`host:port` → client), for commands that must reach every node. */
function masters(): Map<string, Redis> {
  return new Map(inspector.nodes('master').map((node) => [`${node.options.host}:${node.options.port}`, node]));
}

/** CROSSSLOT errors each master has answered since it started (INFO errorstats, Redis 7). */
async function crossSlotErrors(): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const [name, node] of masters()) {
    const stats = await node.info('errorstats');
    counts.set(name, Number(/errorstat_CROSSSLOT:count=(\d+)/.exec(stats)?.[1] ?? 0));
  }
  return counts;
}

/** Every key on every master, by master. */
async function keysByMaster(): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>();
  for (const [name, node] of masters()) {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await node.scan(cursor, 'COUNT', 1000);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    found.set(name, keys);
  }
  return found;
}

beforeAll(async () => {
  s = await startStack();
  if (s.config.redis.kind !== 'cluster') throw new Error('this suite runs in the Jest project redis-cluster (jest.config.js)');
  inspector = createRedisClient(s.config.redis) as Cluster;
  await new Promise<void>((resolve, reject) => {
    inspector.once('ready', resolve);
    inspector.once('error', reject);
  });
  crossSlotBefore = await crossSlotErrors();
}, 180_000);

afterAll(async () => {
  await inspector?.quit();
  await s?.close();
}, 60_000);

describe('Keyward on a 3-master Redis Cluster', () => {
  it('answers through every kind of client: queues and workers, limiter, quota, checkpoint channel, sessions, metrics, health', async () => {
    const prefix = s.config.redisPrefix;
    expect(prefix).toMatch(/^\{kwtest:[^{}]+\}$/);

    // the checkpoint channel: what the worker's projector publishes reaches a subscriber on another node
    const subscriber: RedisClient = createRedisClient(s.config.redis, { enableOfflineQueue: true, maxRetriesPerRequest: null });
    const checkpoints: string[] = [];
    subscriber.on('message', (_channel: string, message: string) => checkpoints.push(message));
    await subscriber.subscribe(Channels.projectionCheckpoint(prefix));
    try {
      const created = await call(s.url, 'POST', '/v1/keys', {
        key: s.admin.key,
        body: { name: 'on the cluster', permissions: ['keys:read'], rateLimit: { limit: 5, windowSeconds: 3600 } },
      });
      expect(created.status).toBe(201);
      const service = await call(s.url, 'POST', '/v1/keys', { key: s.admin.key, body: { name: 'a service', permissions: ['keys:verify'] } });
      expect(service.status).toBe(201);
      // the rate limiter counts in the cluster: 5 pass, the 6th is refused
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await call(s.url, 'GET', '/v1/me', { key: created.body.key })).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
      // the quota script reads the same counter: nothing left to take
      const quota = await call(s.url, 'POST', `/v1/keys/${created.body.id}/quota`, { key: service.body.key, body: { want: 3 } });
      expect(quota.status).toBe(200);
      expect(quota.body).toMatchObject({ granted: 0, limit: 5 });

      // refused authentications are counted per address
      const unknown = await call(s.url, 'GET', '/v1/me', { key: generateKey().key });
      expect(unknown.status).toBe(401);

      // dashboard sessions: MULTI on open, a script over the key's sessions on sign-out
      const opened = await fetch(`${s.url}/v1/system/dashboard-session`, { method: 'POST', headers: { 'x-api-key': s.admin.key } });
      expect(opened.status).toBe(201);
      const cookie = (opened.headers.get('set-cookie') ?? '').split(';')[0];
      expect((await fetch(`${s.url}/admin/queues/api/queues`, { headers: { cookie } })).status).toBe(200);
      expect((await fetch(`${s.url}/v1/system/dashboard-session`, { method: 'DELETE', headers: { 'x-api-key': s.admin.key } })).status).toBe(204);
      expect((await fetch(`${s.url}/admin/queues`, { headers: { cookie } })).status).toBe(401);
      // and a session that stays open, so its keys are there to be listed below
      expect((await fetch(`${s.url}/v1/system/dashboard-session`, { method: 'POST', headers: { 'x-api-key': s.admin.key } })).status).toBe(201);

      // usage batches go through the usage queue to the worker
      await s.settleUsage();
      const used = await s.sql.query(`SELECT count(*)::int AS n FROM events WHERE type = 'KeyUsed'`);
      expect(used[0].n).toBeGreaterThanOrEqual(5);
      // the projector applied them (woken through the projections queue, or by settleUsage) and announced
      // its checkpoint: the subscriber, on whichever node, received it
      const deadline = Date.now() + 20_000;
      while (checkpoints.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(checkpoints.length).toBeGreaterThan(0);
      expect(JSON.parse(checkpoints[checkpoints.length - 1])).toMatchObject({ position: expect.any(Number) });

      // health and metrics read the cluster
      const ready = await call(s.url, 'GET', '/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body.checks.redis).toEqual({ status: 'up' });
      const metrics = await call(s.url, 'GET', '/metrics');
      expect(metrics.status).toBe(200);
      expect(String(metrics.body)).toMatch(/keyward_events_appended_total\{type="KeyCreated"\} [1-9]/);
    } finally {
      await subscriber.quit();
    }
  });

  it('lists every key of the installation on one master, in one slot, each inside the hash tag', async () => {
    const prefix = s.config.redisPrefix; // {kwtest:<run>:<n>}
    const untagged = prefix.slice(1, -1);
    const all = await keysByMaster();
    const ours = [...all].flatMap(([node, keys]) => keys.filter((k) => k.includes(untagged)).map((key) => ({ node, key })));

    // not vacuous: every kind of key Keyward writes is there
    const kinds = ['bull:projections:', 'bull:usage:', 'rl:key:', 'rl:authfail:', 'dashboard-session:', 'metrics:events-appended'];
    for (const kind of kinds) expect({ kind, found: ours.some(({ key }) => key.startsWith(`${prefix}:${kind}`)) }).toEqual({ kind, found: true });

    expect(ours.filter(({ key }) => !key.startsWith(`${prefix}:`))).toEqual([]);
    expect(new Set(ours.map(({ node }) => node)).size).toBe(1);
    const slots = new Set<number>();
    for (const { key } of ours) slots.add(Number(await inspector.call('CLUSTER', 'KEYSLOT', key)));
    expect(slots.size).toBe(1);

    // and every Keyward of this test run on the cluster (the other suites of the project too) tagged its keys
    const run = `kwtest:${testEnvironment().runId}:`;
    const untaggedOfRun = [...all.values()].flat().filter((k) => k.includes(run) && !k.startsWith(`{${run}`));
    expect(untaggedOfRun).toEqual([]);
  });

  it('answered no command with CROSSSLOT, and would have seen one', async () => {
    expect(await crossSlotErrors()).toEqual(crossSlotBefore);
    // the check can fail: a command over two slots, sent to one master directly, is counted
    const [name, node] = [...masters()][0];
    await expect(node.call('MSET', '{a}one', '1', '{b}two', '2')).rejects.toThrow(/CROSSSLOT/);
    expect((await crossSlotErrors()).get(name)).toBe(crossSlotBefore.get(name)! + 1);
  });
});

describe('npm start with REDIS_CLUSTER_NODES', () => {
  it('starts no Redis, runs the API and the worker on the cluster, and the command line beside it finds them', async () => {
    if (!existsSync(LAUNCHER)) throw new Error(`${LAUNCHER} is missing: run \`npm run build\` first.`);
    const db = await createTestDatabase();
    const home = await mkdtemp(path.join(tmpdir(), 'keyward-cluster-launcher-'));
    const dataDir = path.join(home, '.keyward');
    const port = await findFreePort();
    const env: NodeJS.ProcessEnv = { ...process.env, KEYWARD_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: db.url };
    for (const name of ['REDIS_URL', 'KEYWARD_PEPPER', 'NODE_ENV']) delete env[name];
    env.REDIS_CLUSTER_NODES = testEnvironment().redisClusterNodes!;
    env.REDIS_PREFIX = testRedisPrefix();
    const run = new LauncherRun(env);
    try {
      await run.waitUntilRunning();
      expect(run.stdout).toContain('Redis Cluster from REDIS_CLUSTER_NODES');
      expect(run.stdout).not.toContain('Starting Redis');
      const commands = descendantsOf(run.child.pid as number).map((c) => c.args).join('\n');
      expect(commands).toContain('apps/worker/src/main.js');
      expect(commands).not.toContain('redis-server');
      expect((await installationOf(dataDir))?.pids.redis).toBeUndefined();

      const key = run.stdout.match(KEY_PATTERN)?.[0];
      if (!key) throw new Error(`no admin key printed:\n${run.output()}`);
      expect((await getMe(port, { 'x-api-key': key })).status).toBe(200);
      const ready = await call(`http://127.0.0.1:${port}`, 'GET', '/health/ready');
      expect(ready.body.checks?.redis).toEqual({ status: 'up' });

      const status = await cli(['api', 'status', '--json'], { cwd: home });
      if (status.code !== 0) throw new Error(`the command line exited with ${status.code}:\n${redact(status.stderr)}`);
      expect(status.stderr).toContain(`acting on the Keyward that \`npm start\` runs from ${dataDir}`);
      expect(JSON.parse(status.stdout)).toMatchObject({ version: expect.any(String) });

      expect(await run.interrupt()).toEqual({ code: 0, signal: null });
    } finally {
      run.killAll();
      await rm(home, { recursive: true, force: true });
      await db.drop();
    }
  }, 240_000);
});
