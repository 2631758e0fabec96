import { Queue } from 'bullmq';
import { KEEP_FAILED_JOBS, QueueName, openQueue } from '@keyward/queue';
import { TestDatabase, createTestDatabase, testConfig } from '@keyward/testing';
import { exportedNames, metricNames, shippedExpressions } from './support/monitoring-files';
import { RunningProcess, processEnv, redactKeys, runCliJson, startProcess } from './support/processes';

/**
 * The worker's own port (health and metrics) and the monitoring shipped under docker/, against
 * a real API and worker (dist/, `npm run build`) on this machine's Postgres and Redis: every metric
 * an alert rule or a dashboard panel names is exported by one of them.
 *
 * No timing assertions: every wait is a bounded poll for a state.
 */

/** Made by Prometheus itself for every scrape target, not by Keyward. */
const PROMETHEUS_OWN = new Set(['up']);
const POLL_LIMIT_MS = 30_000;

let db: TestDatabase;
let api: RunningProcess;
let worker: RunningProcess;
let maintenance: Queue;

beforeAll(async () => {
  db = await createTestDatabase();
  const config = testConfig({ DATABASE_URL: db.url });
  const env = processEnv(config);
  await runCliJson(['bootstrap', '--json'], env); // migrates, and gives the API a company to serve
  [api, worker] = await Promise.all([startProcess('api', env), startProcess('worker', env)]);
  maintenance = openQueue(config, QueueName.Maintenance);
}, 180_000);

afterAll(async () => {
  await Promise.all([api?.stop(), worker?.stop()]);
  await maintenance?.close();
  await db?.drop();
}, 60_000);

async function get(url: string): Promise<{ status: number; type: string | null; text: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

/** The value of one sample line (`name{labels} value`) of an exposition, undefined when absent. */
function sample(exposition: string, series: string): number | undefined {
  const line = exposition.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('the worker process', () => {
  it('serves liveness and readiness on WORKER_HTTP_PORT: Postgres, Redis and its BullMQ workers', async () => {
    expect(await get(`${worker.url}/health/live`)).toMatchObject({ status: 200, text: '{"status":"ok"}' });
    const ready = await get(`${worker.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.text)).toEqual({ status: 'ok', checks: { postgres: { status: 'up' }, redis: { status: 'up' }, workers: { status: 'up' } } });
    expect((await get(`${worker.url}/v1/keys`)).status).toBe(404);
  });

  it('counts a job that ended failed, and keeps it in the failed set', async () => {
    await maintenance.add('no-such-job', {}, { jobId: 'dead-letter-probe', removeOnFail: KEEP_FAILED_JOBS });
    const deadline = Date.now() + POLL_LIMIT_MS;
    let metrics = '';
    while (sample(metrics, 'keyward_jobs_failed_total{queue="maintenance"}') !== 1) {
      if (Date.now() > deadline) throw new Error(`no failed maintenance job counted:\n${redactKeys(worker.output()).slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 100));
      metrics = (await get(`${worker.url}/metrics`)).text;
    }
    expect(sample(metrics, 'keyward_job_attempts_failed_total{queue="maintenance"}')).toBe(1);
    expect(sample(metrics, 'keyward_job_duration_seconds_count{queue="maintenance",outcome="failed"}')).toBe(1);
    expect(sample(metrics, 'keyward_queue_jobs{queue="maintenance",state="failed"}')).toBe(1);
    const kept = await maintenance.getJob('dead-letter-probe');
    expect(await kept?.getState()).toBe('failed');
    expect(kept?.failedReason).toMatch(/no handler for job no-such-job/);
  });
});

describe('the monitoring shipped under docker/', () => {
  it('names only metrics a running API or worker exports', async () => {
    const [fromApi, fromWorker] = await Promise.all([get(`${api.url}/metrics`), get(`${worker.url}/metrics`)]);
    for (const scraped of [fromApi, fromWorker]) {
      expect(scraped.status).toBe(200);
      expect(scraped.type).toMatch(/^text\/plain/);
    }
    const exported = new Set([...exportedNames(fromApi.text), ...exportedNames(fromWorker.text), ...PROMETHEUS_OWN]);
    const expressions = shippedExpressions();
    expect(expressions.length).toBeGreaterThan(10);
    const missing = expressions.flatMap(({ where, expr }) => metricNames(expr).filter((name) => !exported.has(name)).map((name) => `${where}: ${name}`));
    expect(missing).toEqual([]);
    // what each process adds: the worker its jobs, the API its requests
    expect(exportedNames(fromWorker.text).has('keyward_jobs_failed_total')).toBe(true);
    expect(exportedNames(fromApi.text).has('keyward_auth_outcomes_total')).toBe(true);
  });
});
