// @ts-check
'use strict';
/**
 * What reading a usage series costs: one API process over a key with a full year of buckets (every
 * minute, hour and day of the last 365 days written into `usage_buckets` directly, as the worker
 * would have kept them for a key used every minute), then BENCH_REQUESTS sequential requests of
 * each query through HTTP with the company's key: p50/p95/p99/max in ms and the rows each answer
 * covers.
 *
 *   node bench/usage-series.js
 *   BENCH_REQUESTS=50 node bench/usage-series.js
 *
 * Needs `npm run build`. No key is printed.
 */
const { benchEnv, createCompany, envInt, machine, printTable, run, startProcess, summary, trySend, withClient } = require('./lib');

const requests = envInt('BENCH_REQUESTS', 200);
const DAY = 86_400_000;

run(async () => {
  const { env } = await benchEnv();
  const company = await createCompany(env);
  const api = await startProcess('api', env);
  const created = await trySend(api.url, 'POST', '/v1/keys', company.key, { name: 'busy for a year', permissions: ['keys:read'] }, 20_000);
  if (created.status !== 201) throw new Error(`POST /v1/keys → ${created.status}`);
  const keyId = created.body.id;

  const now = Date.now();
  const to = new Date(Math.floor(now / 60_000) * 60_000);
  const yearAgo = new Date(to.getTime() - 365 * DAY);
  process.stderr.write('writing a year of buckets for one key…\n');
  const written = await withClient(env.DATABASE_URL, async (c) => {
    let rows = 0;
    for (const [code, unit, step] of [['m', 'minute', '1 minute'], ['h', 'hour', '1 hour'], ['d', 'day', '1 day']]) {
      const r = await c.query(
        `INSERT INTO usage_buckets (key_id, granularity, start, company_id, total, status_2xx, status_3xx, status_4xx, status_5xx, refused)
         SELECT $1, $2::"char", g, $3, 60, 55, 0, 4, 0, 1
           FROM generate_series(date_trunc($4, $5::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', $6::timestamptz, $7::interval) AS g
         ON CONFLICT DO NOTHING`,
        [keyId, code, company.companyId, unit, yearAgo, to, step],
      );
      rows += r.rowCount ?? 0;
    }
    await c.query('ANALYZE usage_buckets');
    return rows;
  });

  const iso = (ms) => new Date(ms).toISOString();
  const queries = [
    ['key, a year by day', `/v1/keys/${keyId}/usage?granularity=day&from=${iso(to.getTime() - 364 * DAY)}&to=${iso(now)}`],
    ['key, 60 days by hour', `/v1/keys/${keyId}/usage?granularity=hour&from=${iso(to.getTime() - 60 * DAY)}&to=${iso(now)}`],
    ['key, a day by minute', `/v1/keys/${keyId}/usage?granularity=minute&from=${iso(to.getTime() - DAY)}&to=${iso(now)}`],
    ['company, a year by day + top keys', `/v1/usage?granularity=day&groupBy=key&from=${iso(to.getTime() - 364 * DAY)}&to=${iso(now)}`],
  ];
  const rows = [];
  for (const [name, path] of queries) {
    for (let i = 0; i < 5; i++) await trySend(api.url, 'GET', path, company.key, undefined, 20_000); // warm-up
    const ms = [];
    let buckets = 0;
    for (let i = 0; i < requests; i++) {
      const r = await trySend(api.url, 'GET', path, company.key, undefined, 20_000);
      if (r.status !== 200) throw new Error(`${name}: GET → ${r.status} ${r.body?.code ?? ''}`);
      buckets = r.body.buckets.length;
      ms.push(r.ms);
    }
    const s = summary(ms);
    rows.push({ query: name, buckets, n: s.n, 'p50 ms': s.p50, 'p95 ms': s.p95, 'p99 ms': s.p99, 'max ms': s.max });
  }
  process.stdout.write(`\nusage series over a year of buckets of one key (${written} rows written: minutes, hours and days), ${requests} requests each, sequential, through HTTP\n\n`);
  printTable(rows, Object.keys(rows[0]));
  process.stdout.write(`${JSON.stringify({ bench: 'usage-series', date: new Date().toISOString(), machine: machine(), rowsWritten: written, requests, results: rows })}\n`);
  return 0;
});
