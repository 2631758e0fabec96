// @ts-check
'use strict';
/**
 * How long a revoke takes when it must reach every instance before it returns, and whether it
 * does, with everything up and with each of the services a revoke must not depend on stopped:
 * two API processes (A, B) and a worker on one database and one Redis the bench owns. Each
 * iteration creates a key, warms it in both instances' caches, revokes it through one instance
 * (timed), then asks the *other* instance and the revoking one: any answer but 401 is a violation.
 * Iterations alternate which instance revokes. Three conditions, BENCH_ITERATIONS each, in order:
 *
 *   healthy         everything runs
 *   worker stopped  the worker process is SIGSTOPped for the whole condition, SIGCONT after
 *   Redis stopped   the bench's own redis-server is SIGSTOPped for the whole condition, SIGCONT after
 *
 * A stopped process keeps its sockets and answers nothing (a hang, not a refusal). Every request
 * has a client timeout (BENCH_TIMEOUT_MS): a hang is counted as an error, never a stuck bench.
 * Prints p50/p95/p99/max of create and revoke latency per condition.
 *
 *   node bench/revoke-latency.js
 *   BENCH_ITERATIONS=30 node bench/revoke-latency.js
 *
 * Needs `npm run build`. The tunables are the defaults (INSTANCE_LEASE_MS, …): what an operator
 * gets without tuning.
 */
const { readFileSync, readdirSync, readlinkSync } = require('node:fs');
const path = require('node:path');
const {
  benchEnv,
  createCompany,
  envInt,
  machine,
  onCleanup,
  printTable,
  processState,
  resumeProcess,
  run,
  startBenchRedis,
  startProcess,
  summary,
  suspendProcess,
  trySend,
} = require('./lib');

const iterations = envInt('BENCH_ITERATIONS', 100);
const warmCalls = envInt('BENCH_WARM_CALLS', 2);
const timeoutMs = envInt('BENCH_TIMEOUT_MS', 20_000);
/** Keys made before each fault, revoked by iterations whose create failed during it. */
const spareKeys = envInt('BENCH_SPARE_KEYS', 5);
/** Longest wait, after a fault ends, for both instances to be ready again. */
const recoverMs = envInt('BENCH_RECOVER_MS', 60_000);

/**
 * How many TCP connections process `pid` has open to 127.0.0.1:`port` (Linux /proc; undefined elsewhere):
 * proof that a process talks to the Redis the bench will stop, not to another one.
 */
function connectionsTo(pid, port) {
  try {
    const sockets = new Set(
      readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
        try {
          return [/^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1]].filter(Boolean);
        } catch {
          return [];
        }
      }),
    );
    const remote = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
    return readFileSync(`/proc/${pid}/net/tcp`, 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((f) => f[2] === remote && f[3] === '01' && sockets.has(f[9])).length; // 01: ESTABLISHED
  } catch {
    return undefined;
  }
}

run(async () => {
  // Redis of our own: stopping it must not stop anyone else's, and the API must use exactly this one
  const redis = await startBenchRedis();
  // every check of a revoked key is a failed authentication from this one address: no throttling here
  const { env } = await benchEnv({ DEFAULT_RATE_LIMIT: '1000000000', AUTH_FAILURE_LIMIT: '1000000' }, { redisUrl: redis.url });
  const { loadConfig } = require(path.join(__dirname, '..', 'dist/libs/config/src'));
  const leaseMs = loadConfig(env).authCache.leaseMs;
  const company = await createCompany(env);
  const adminKey = company.key;
  const [worker, A, B] = await Promise.all([startProcess('worker', env), startProcess('api', env), startProcess('api', env)]);
  onCleanup(() => resumeProcess(worker.pid)); // before its stop (clean-ups run last registered first), also on Ctrl-C
  const instances = [
    { name: 'A', url: A.url },
    { name: 'B', url: B.url },
  ];
  const redisPort = Number(new URL(redis.url).port);
  const redisLinks = { A: connectionsTo(A.pid, redisPort), B: connectionsTo(B.pid, redisPort), worker: connectionsTo(worker.pid, redisPort) };
  if (redisLinks.A === 0 || redisLinks.B === 0) throw new Error(`an API instance has no connection to the bench's Redis: ${JSON.stringify(redisLinks)}`);

  /** One request with the client timeout; a timeout or a transport error is `{ status: 'timeout' | 'error' }`. */
  const call = (url, method, route, key, body) => trySend(url, method, route, key, body, timeoutMs);

  /** Until both instances are ready (Postgres, Redis, projection lag) and take the admin key again. */
  async function recover(after) {
    const started = Date.now();
    const notYet = new Set();
    for (;;) {
      const answers = await Promise.all(
        instances.flatMap((inst) =>
          ['/health/ready', '/v1/me'].map(async (route) => ({ what: `${route} on ${inst.name}`, ...(await call(inst.url, 'GET', route, adminKey)) })),
        ),
      );
      const failing = answers.filter((r) => r.status !== 200).map((r) => `${r.what} → ${r.status} ${r.body?.code ?? ''}`.trim());
      if (failing.length === 0) {
        const meanwhile = notYet.size > 0 ? ` (meanwhile: ${[...notYet].join('; ')})` : '';
        process.stderr.write(`  ready again ${Date.now() - started} ms after ${after}${meanwhile}\n`);
        return;
      }
      for (const f of failing) notYet.add(f);
      if (Date.now() - started > recoverMs) {
        throw new Error(`not ready ${recoverMs} ms after ${after}: ${failing.join('; ')}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /**
   * Keys made before a fault begins: an iteration whose create fails during the fault revokes one
   * of these instead (while they last), so a fault that stops creates cannot hide what it does to revokes.
   */
  async function makeSpares(condition) {
    const spares = [];
    for (let s = 0; s < spareKeys; s++) {
      const r = await call(instances[s % 2].url, 'POST', '/v1/keys', adminKey, { name: `bench ${condition} spare ${s}`, role: 'READONLY' });
      if (r.status !== 201) throw new Error(`spare key before "${condition}": POST /v1/keys → ${r.status} ${r.body?.code ?? ''}`);
      spares.push({ id: r.body.id, key: r.body.key });
    }
    return spares;
  }

  async function measure(condition, spares = []) {
    const createMs = [];
    const revokeMs = [];
    const violations = [];
    const errors = [];
    let sparesUsed = 0;
    process.stderr.write(`${condition}: ${iterations} iterations…\n`);
    for (let i = 0; i < iterations; i++) {
      const [revoker, other] = i % 2 === 0 ? instances : [instances[1], instances[0]];
      const created = await call(other.url, 'POST', '/v1/keys', adminKey, { name: `bench ${condition} ${i}`, role: 'READONLY' });
      let target;
      if (created.status === 201) {
        createMs.push(created.ms);
        target = { id: created.body.id, key: created.body.key };
      } else {
        const spare = spares[sparesUsed];
        errors.push(
          `iteration ${i}: POST /v1/keys on ${other.name} → ${created.status} ${created.body?.code ?? ''} (${Math.round(created.ms)} ms)` +
            (spare ? '; revoking a key made before the fault instead' : ''),
        );
        if (!spare) continue;
        sparesUsed++;
        target = spare;
      }
      const { id, key } = target;

      for (let w = 0; w < warmCalls; w++) {
        for (const inst of instances) {
          const r = await call(inst.url, 'GET', '/v1/me', key);
          if (r.status !== 200) errors.push(`iteration ${i}: warming GET /v1/me on ${inst.name} → ${r.status} ${r.body?.code ?? ''}`);
        }
      }

      const revoked = await call(revoker.url, 'POST', `/v1/keys/${id}/revoke`, adminKey, {});
      if (revoked.status !== 200) {
        errors.push(
          `iteration ${i}: POST /v1/keys/${id}/revoke on ${revoker.name} → ${revoked.status} ${revoked.body?.code ?? ''} (${Math.round(revoked.ms)} ms)`,
        );
        continue;
      }
      revokeMs.push(revoked.ms);

      for (const inst of [other, revoker]) {
        const r = await call(inst.url, 'GET', '/v1/me', key);
        if (r.status !== 401) {
          violations.push(`iteration ${i}: key ${id} revoked on ${revoker.name}, GET /v1/me on ${inst.name} → ${r.status} ${r.body?.code ?? ''}`);
        }
      }
      if ((i + 1) % 10 === 0) process.stderr.write(`  ${i + 1}/${iterations}\n`);
    }
    return {
      condition,
      sparesUsed,
      createMs: summary(createMs),
      revokeMs: summary(revokeMs),
      revokesOverLease: revokeMs.filter((ms) => ms > leaseMs).length,
      violations,
      errors,
    };
  }

  /**
   * Runs `measure` with `pid` SIGSTOPped, resumes it whatever happened, and waits until the instances
   * are ready again (if they are not, that is an error of this condition, and the next one runs anyway).
   */
  async function whileStopped(condition, what, pid) {
    const spares = await makeSpares(condition);
    await suspendProcess(pid);
    let result;
    try {
      if (processState(pid) !== 'T') throw new Error(`${what} (pid ${pid}) did not stop: state ${processState(pid)}`);
      result = await measure(condition, spares);
    } finally {
      resumeProcess(pid);
    }
    try {
      await recover(`SIGCONT to ${what}`);
    } catch (err) {
      process.stderr.write(`  ${err.message}\n`);
      result.errors.push(`after the condition: ${err.message}`);
    }
    return result;
  }

  const results = [];
  results.push(await measure('healthy'));
  results.push(await whileStopped('worker stopped', 'the worker', worker.pid));
  results.push(await whileStopped('Redis stopped', 'redis-server', redis.pid));

  process.stdout.write(
    `\nrevoke latency — ${iterations} iterations per condition, two API instances and a worker, default tunables ` +
      `(INSTANCE_LEASE_MS = ${leaseMs}), client timeout ${timeoutMs} ms\n` +
      `connections to the bench's own redis-server before the faults: A ${redisLinks.A ?? '?'}, B ${redisLinks.B ?? '?'}, worker ${redisLinks.worker ?? '?'}\n\n`,
  );
  const figures = (prefix, s) =>
    Object.fromEntries(['p50', 'p95', 'p99', 'max'].map((p) => [`${prefix} ${p}`, s.n === 0 ? '-' : s[p]]));
  printTable(
    results.map((r) => ({
      condition: r.condition,
      n: `${r.createMs.n}/${r.revokeMs.n}`,
      ...figures('create', r.createMs),
      ...figures('revoke', r.revokeMs),
      '> lease': r.revokesOverLease,
      violations: r.violations.length,
      errors: r.errors.length,
    })),
    ['condition', 'n', ...['create', 'revoke'].flatMap((c) => ['p50', 'p95', 'p99', 'max'].map((p) => `${c} ${p}`)), '> lease', 'violations', 'errors'],
  );
  process.stdout.write(
    `(milliseconds, measured by the client until the whole response was read; n = creates/revokes that succeeded of ${iterations};\n` +
      ' "> lease": revokes that took longer than INSTANCE_LEASE_MS; violations: a revoked key accepted afterwards)\n',
  );
  for (const r of results) {
    const lines = [...r.violations, ...r.errors];
    if (lines.length === 0) continue;
    const spares = r.sparesUsed > 0 ? `, ${r.sparesUsed} revokes of keys made before the fault (their creates failed)` : '';
    process.stdout.write(`\n${r.condition}: ${r.violations.length} violations, ${r.errors.length} errors${spares}\n`);
    for (const line of lines.slice(0, 10)) process.stdout.write(`  ${line}\n`);
    if (lines.length > 10) process.stdout.write(`  … ${lines.length - 10} more\n`);
  }

  const jsonName = { healthy: 'healthy', 'worker stopped': 'workerStopped', 'Redis stopped': 'redisStopped' };
  const json = {
    bench: 'revoke-latency',
    date: new Date().toISOString(),
    machine: machine(),
    iterations,
    instanceLeaseMs: leaseMs,
    clientTimeoutMs: timeoutMs,
    redisConnections: redisLinks,
    conditions: Object.fromEntries(
      results.map((r) => [
        jsonName[r.condition],
        { createMs: r.createMs, revokeMs: r.revokeMs, sparesRevoked: r.sparesUsed, revokesOverLease: r.revokesOverLease, violations: r.violations.length, errors: r.errors.length },
      ]),
    ),
  };
  process.stdout.write(`${JSON.stringify(json)}\n`);
  return results.some((r) => r.violations.length > 0 || r.errors.length > 0) ? 1 : 0;
});
