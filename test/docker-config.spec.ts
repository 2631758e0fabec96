import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ALERT_RULES_FILE, DASHBOARD_FILE, alertRules, dashboardPanels, metricNames, readDockerJson, readDockerYaml, shippedExpressions } from './support/monitoring-files';

/**
 * No Docker engine runs where these tests run, so the image and the compose file are
 * checked as configuration: what an operator relies on must be there.
 */
const root = path.join(__dirname, '..');
const dockerfile = readFileSync(path.join(root, 'docker/Dockerfile'), 'utf8');
// compose applies YAML merge keys (<<: *keyward)
const compose = parse(readFileSync(path.join(root, 'docker/compose.yaml'), 'utf8'), { merge: true });

describe('docker/', () => {
  it('builds one multi-stage image that runs as a non-root user', () => {
    const stages = dockerfile.match(/^FROM .+ AS \w+$/gm) ?? [];
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('FROM '));
    expect(runtime).toMatch(/^USER keyward$/m);
    expect(runtime).not.toMatch(/^USER root$/m);
    expect(runtime).toMatch(/HEALTHCHECK .*\/health\/live/s);
  });

  it('starts the api, the worker or the cli from that image', () => {
    const entry = readFileSync(path.join(root, 'docker/entrypoint.sh'), 'utf8');
    for (const app of ['api', 'worker', 'cli']) expect(entry).toContain(`/app/dist/apps/${app}/src/main.js`);
  });

  it('runs Postgres, Redis with AOF and noeviction, two API replicas and a worker', () => {
    const s = compose.services;
    const always = Object.keys(s).filter((name) => s[name].profiles === undefined);
    expect(always.sort()).toEqual(['api', 'postgres', 'redis', 'worker']);
    expect(s.redis.command).toEqual(expect.arrayContaining(['--appendonly', 'yes', '--maxmemory-policy', 'noeviction']));
    expect(s.api.deploy.replicas).toBe(2);
    expect(s.api.command).toEqual(['api']);
    expect(s.worker.command).toEqual(['worker']);
    for (const app of [s.api, s.worker]) {
      expect(app.image).toBe(s.api.image);
      expect(Object.keys(app.environment)).toEqual(
        expect.arrayContaining(['DATABASE_URL', 'REDIS_URL', 'KEYWARD_PEPPER', 'SECRETS_ENCRYPTION_KEY', 'AUDIT_SIGNING_KEY']),
      );
      expect(app.depends_on.postgres.condition).toBe('service_healthy');
      expect(app.depends_on.redis.condition).toBe('service_healthy');
    }
    // secrets come from the operator's env file, never from the repository
    expect(JSON.stringify(compose)).not.toMatch(/KEYWARD_PEPPER: [^$]/);
  });

  it("checks the worker's health on its own port, the one Prometheus scrapes", () => {
    const worker = compose.services.worker;
    const port = Number(worker.environment.WORKER_HTTP_PORT);
    expect(port).toBeGreaterThan(0);
    expect(worker.healthcheck.disable).toBeUndefined();
    expect(worker.healthcheck.test.join(' ')).toMatch(/process\.env\.WORKER_HTTP_PORT.*\/health\/live/);
    const jobs = readDockerYaml('prometheus/prometheus.yml').scrape_configs;
    const target = (job: string) => jobs.find((j: { job_name: string }) => j.job_name === job).dns_sd_configs[0];
    expect(target('keyward-worker')).toMatchObject({ names: ['worker'], port });
    // the API's port inside its container (the right side of its port mapping)
    expect(target('keyward-api')).toMatchObject({ names: ['api'], port: Number(compose.services.api.ports[0].split(':').pop()) });
  });
});

describe('docker/ monitoring (compose profile "monitoring")', () => {
  const s = compose.services;

  it('adds Prometheus and Grafana only with --profile monitoring, listening on the host\'s loopback only', () => {
    const monitoring = Object.keys(s).filter((name) => s[name].profiles?.includes('monitoring'));
    expect(monitoring.sort()).toEqual(['grafana', 'prometheus']);
    for (const name of monitoring) {
      for (const mapping of s[name].ports) expect(mapping).toMatch(/^127\.0\.0\.1:/);
      // what they read from the repository is there, and mounted read-only
      for (const volume of s[name].volumes.filter((v: string) => v.startsWith('./'))) {
        const [source, , mode] = volume.split(':');
        expect(existsSync(path.join(root, 'docker', source))).toBe(true);
        expect(mode).toBe('ro');
      }
    }
    // Grafana's password comes from the operator's env file, never from the repository
    expect(s.grafana.environment.GF_SECURITY_ADMIN_PASSWORD).toMatch(/^\$\{GRAFANA_ADMIN_PASSWORD/);
  });

  it('loads the alert rules into Prometheus and provisions its data source and the dashboard into Grafana', () => {
    const prometheus = readDockerYaml('prometheus/prometheus.yml');
    const mounted = (service: string, source: string) =>
      s[service].volumes.find((v: string) => v.startsWith(`./${source}:`))?.split(':')[1] as string | undefined;
    expect(prometheus.rule_files).toEqual([mounted('prometheus', ALERT_RULES_FILE)]);
    expect(s.prometheus.command).toContain(`--config.file=${mounted('prometheus', 'prometheus/prometheus.yml')}`);

    expect(mounted('grafana', 'grafana/provisioning')).toBe('/etc/grafana/provisioning');
    const [datasource] = readDockerYaml('grafana/provisioning/datasources/prometheus.yml').datasources;
    expect(datasource).toMatchObject({ type: 'prometheus', url: 'http://prometheus:9090' });
    const [provider] = readDockerYaml('grafana/provisioning/dashboards/keyward.yml').providers;
    expect(provider.options.path).toBe(mounted('grafana', path.dirname(DASHBOARD_FILE)));
    // every query of the dashboard goes to the provisioned data source
    for (const panel of dashboardPanels().filter((p) => p.targets)) {
      expect([panel.title, panel.datasource?.uid]).toEqual([panel.title, datasource.uid]);
      for (const t of panel.targets!) expect([panel.title, t.datasource?.uid ?? datasource.uid]).toEqual([panel.title, datasource.uid]);
    }
    const ids = dashboardPanels().map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(readDockerJson(DASHBOARD_FILE).uid).toBe('keyward-overview');
  });

  it('alerts on projection lag, failed jobs, heartbeat failures and a spike of refused authentications', () => {
    const rules = alertRules();
    expect(new Set(rules.map((r) => r.alert)).size).toBe(rules.length);
    for (const rule of rules) {
      expect([rule.alert, typeof rule.expr, rule.labels?.severity, typeof rule.annotations?.summary]).toEqual([
        rule.alert,
        'string',
        expect.stringMatching(/^(warning|critical)$/),
        'string',
      ]);
      if (rule.for !== undefined) expect(rule.for).toMatch(/^\d+[smhd]$/);
    }
    const alertingOn = (metric: string) => rules.filter((r) => metricNames(r.expr).includes(metric)).map((r) => r.alert);
    expect(alertingOn('keyward_projection_lag_seconds')).not.toEqual([]);
    expect(alertingOn('keyward_jobs_failed_total')).not.toEqual([]);
    expect(alertingOn('keyward_heartbeat_failures_total')).not.toEqual([]);
    const refused = rules.find((r) => r.alert === 'KeywardRefusedAuthenticationsSpike')!;
    expect(metricNames(refused.expr)).toEqual(['keyward_auth_outcomes_total']);
    for (const code of ['INVALID_API_KEY', 'TOO_MANY_FAILED_AUTHENTICATIONS']) expect(refused.expr).toContain(code);
    expect(refused.expr).not.toMatch(/\bOK\b|RATE_LIMITED|INSUFFICIENT_PERMISSIONS/);
  });

  it('shows the failed jobs kept (dead letters), linking to the queue dashboard that lists them', () => {
    const deadLetters = dashboardPanels().find((p) => p.targets?.some((t) => /keyward_queue_jobs\{state="failed"\}/.test(t.expr)));
    expect(deadLetters?.links?.map((l) => l.url)).toEqual([expect.stringMatching(/\/admin\/queues$/)]);
  });

  it('reads the metric names out of PromQL, not what surrounds them', () => {
    expect(metricNames('sum by (queue) (increase(keyward_jobs_failed_total{queue=~"a|b"}[15m])) > 0')).toEqual(['keyward_jobs_failed_total']);
    expect(metricNames('histogram_quantile(0.95, sum by (le) (rate(x_bucket[$__rate_interval])))')).toEqual(['x_bucket']);
    expect(metricNames('a > 5 * sum(rate(b{code="and"}[1d] offset 5m)) and on(job) absent(up{job="w"} == 1)')).toEqual(['a', 'b', 'up']);
    expect(metricNames('sum(x) without (instance) / ignoring(code) group_left y')).toEqual(['x', 'y']);
    expect(metricNames('{__name__="by_name"} or topk(5, max by (route, le) (z))')).toEqual(['by_name', 'z']);
    expect(metricNames('label_values(keyward_queue_jobs, queue)')).toEqual(['keyward_queue_jobs']);
    // every shipped expression names at least one metric (none is unreadable to this parser)
    for (const { where, expr } of shippedExpressions()) expect([where, metricNames(expr).length > 0]).toEqual([where, true]);
  });
});
