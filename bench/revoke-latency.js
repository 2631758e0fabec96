// @ts-check
'use strict';
/**
 * How long a revoke takes when it must reach every instance before it returns, and whether it
 * does: two API processes (A, B) and a worker on one database and Redis prefix. Each iteration
 * creates a key, warms it in both instances' caches, revokes it through one instance (timed), then
 * asks the *other* instance and the revoking one: any answer but 401 is a violation.
 * Iterations alternate which instance revokes. Prints p50/p95/p99/max of create and revoke latency.
 *
 *   node bench/revoke-latency.js
 *   BENCH_ITERATIONS=100 node bench/revoke-latency.js
 *
 * Needs `npm run build`. The tunables are the defaults (PROJECTION_TICK_MS, INSTANCE_LEASE_MS, …):
 * what an operator gets without tuning.
 */
const { benchEnv, createCompany, envInt, machine, printTable, run, send, startProcess, summary } = require('./lib');

const iterations = envInt('BENCH_ITERATIONS', 100);
const warmCalls = envInt('BENCH_WARM_CALLS', 2);

run(async () => {
  // every check of a revoked key is a failed authentication from this one address: no throttling here
  const { env } = await benchEnv({ DEFAULT_RATE_LIMIT: '1000000000', AUTH_FAILURE_LIMIT: '1000000' });
  const company = await createCompany(env);
  const adminKey = company.key;
  const [, A, B] = await Promise.all([startProcess('worker', env), startProcess('api', env), startProcess('api', env)]);
  const instances = [
    { name: 'A', url: A.url },
    { name: 'B', url: B.url },
  ];

  const createMs = [];
  const revokeMs = [];
  const violations = [];
  const errors = [];
  process.stderr.write(`${iterations} iterations…\n`);
  for (let i = 0; i < iterations; i++) {
    const [revoker, other] = i % 2 === 0 ? instances : [instances[1], instances[0]];
    const created = await send(other.url, 'POST', '/v1/keys', adminKey, { name: `bench ${i}`, role: 'READONLY' });
    if (created.status !== 201) {
      errors.push(`iteration ${i}: POST /v1/keys on ${other.name} → ${created.status} ${created.body?.code ?? ''}`);
      continue;
    }
    createMs.push(created.ms);
    const { id, key } = created.body;

    for (let w = 0; w < warmCalls; w++) {
      for (const inst of instances) {
        const r = await send(inst.url, 'GET', '/v1/me', key);
        if (r.status !== 200) errors.push(`iteration ${i}: warming GET /v1/me on ${inst.name} → ${r.status}`);
      }
    }

    const revoked = await send(revoker.url, 'POST', `/v1/keys/${id}/revoke`, adminKey, {});
    if (revoked.status !== 200) {
      errors.push(`iteration ${i}: POST /v1/keys/${id}/revoke on ${revoker.name} → ${revoked.status} ${revoked.body?.code ?? ''}`);
      continue;
    }
    revokeMs.push(revoked.ms);

    for (const inst of [other, revoker]) {
      const r = await send(inst.url, 'GET', '/v1/me', key);
      if (r.status !== 401) violations.push(`iteration ${i}: key ${id} revoked on ${revoker.name}, GET /v1/me on ${inst.name} → ${r.status}`);
    }
    if ((i + 1) % 10 === 0) process.stderr.write(`  ${i + 1}/${iterations}\n`);
  }

  const create = summary(createMs);
  const revoke = summary(revokeMs);
  process.stdout.write(`\nrevoke latency — ${iterations} iterations, two API instances and a worker, default tunables\n\n`);
  printTable(
    [
      { call: 'POST /v1/keys', ...create },
      { call: 'POST /v1/keys/:id/revoke', ...revoke },
    ],
    ['call', 'n', 'p50', 'p95', 'p99', 'max', 'mean'],
  );
  process.stdout.write('(milliseconds, measured by the client until the whole response was read)\n');
  process.stdout.write(`\nviolations (revoked key accepted afterwards): ${violations.length}\nerrors: ${errors.length}\n`);
  for (const line of [...violations, ...errors].slice(0, 20)) process.stdout.write(`  ${line}\n`);

  const json = {
    bench: 'revoke-latency',
    date: new Date().toISOString(),
    machine: machine(),
    iterations,
    createMs: create,
    revokeMs: revoke,
    violations: violations.length,
    errors: errors.length,
  };
  process.stdout.write(`${JSON.stringify(json)}\n`);
  return violations.length > 0 || errors.length > 0 ? 1 : 0;
});
