import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '@keyward/config';
import { migrate } from '@keyward/database';
import {
  configurationVariables,
  delay,
  findFreePort,
  installationFile,
  isPortFree,
  isProcessRunning,
  readInstallation,
  removeInstallation,
  RunningInstallation,
  RunningServer,
  startEmbeddedPostgres,
  startRedisServer,
  stopGuarded,
  waitForServerExit,
  writeInstallation,
} from '@keyward/embedded';
import { BootstrapResult, bootstrapIfNeeded } from './bootstrap';
import { createExampleServiceKey } from './example-service';
import { spawnNodeApp } from './node-app';
import { addSecret, loadSecrets } from './secrets';
import { DEFAULT_RESTART_LIMITS, RestartLimits, RestartPolicy, Supervised, SupervisedOptions, SupervisedProcess } from './supervisor';

/**
 * `npm start`: Keyward on a machine that has only Node.js. Starts Postgres and Redis unless
 * DATABASE_URL / REDIS_URL name existing ones, migrates, bootstraps the first company on the first
 * run, then runs the API and the worker until Ctrl-C — restarting any of them that crashes (see
 * supervisor.ts) — and records where they are in `<data>/installation.json` for the command line.
 */

const DIST = path.resolve(__dirname, '..', '..', '..');
const entry = (app: 'api' | 'worker' | 'cli' | 'example-invoices') => path.join(DIST, 'apps', app, 'src', 'main.js');
const DEFAULT_PORT = 3000;
const DEFAULT_WORKER_HTTP_PORT = 3002;
const DEFAULT_EXAMPLE_PORT = 3100;
const LIVE_TIMEOUT_MS = 60_000;
const APP_STOP_GRACE_MS = 10_000;

/** The few variables the launcher decides on; the apps validate the full configuration (libs/config). */
interface LauncherSettings {
  dataDir: string;
  databaseUrl?: string;
  redisUrl?: string;
  /** REDIS_CLUSTER_NODES: a Redis Cluster to use; no Redis is started then (docs/redis-cluster.md). */
  redisClusterNodes?: string;
  pepper?: string;
  secretsKey?: string;
  auditSigningKey?: string;
  host: string;
  port?: string;
  workerHttpPort?: string;
  restartLimits: RestartLimits;
  /** `npm start -- --with-example` or KEYWARD_EXAMPLE=1: also run the example invoices service. */
  withExample: boolean;
  examplePort?: string;
}

function readSettings(env: NodeJS.ProcessEnv, argv: string[]): LauncherSettings {
  return {
    dataDir: path.resolve(env.KEYWARD_DATA_DIR || '.keyward'),
    databaseUrl: env.DATABASE_URL || undefined,
    redisUrl: env.REDIS_URL || undefined,
    redisClusterNodes: env.REDIS_CLUSTER_NODES || undefined,
    pepper: env.KEYWARD_PEPPER || undefined,
    secretsKey: env.SECRETS_ENCRYPTION_KEY || undefined,
    auditSigningKey: env.AUDIT_SIGNING_KEY || undefined,
    host: env.HOST || '127.0.0.1',
    port: env.PORT || undefined,
    workerHttpPort: env.WORKER_HTTP_PORT || undefined,
    restartLimits: {
      ...DEFAULT_RESTART_LIMITS,
      maxCrashes: positive(env, 'KEYWARD_RESTART_LIMIT') ?? DEFAULT_RESTART_LIMITS.maxCrashes,
      windowMs: (positive(env, 'KEYWARD_RESTART_WINDOW_SECONDS') ?? DEFAULT_RESTART_LIMITS.windowMs / 1000) * 1000,
    },
    withExample: argv.includes('--with-example') || ['1', 'true'].includes(env.KEYWARD_EXAMPLE ?? ''),
    examplePort: env.EXAMPLE_PORT || undefined,
  };
}

function positive(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const value = env[name];
  if (value === undefined || value === '') return undefined;
  if (!/^[1-9]\d{0,5}$/.test(value)) throw new Error(`${name}: must be a whole number from 1 to 999999`);
  return Number(value);
}

const say = (message: string) => process.stdout.write(`[launcher] ${message}\n`);
const complain = (message: string) => process.stderr.write(`[launcher] ${message}\n`);

class Aborted extends Error {}

class Launcher {
  private postgres?: Supervised<RunningServer>;
  private redis?: Supervised<RunningServer>;
  private readonly apps: Supervised[] = [];
  private readonly abort = new AbortController();
  private startup: Promise<void> = Promise.resolve();
  private stopping?: Promise<void>;
  /** What installation.json says once everything runs; rewritten when a process is restarted. */
  private installation?: RunningInstallation;
  private recording: Promise<void> = Promise.resolve();

  constructor(private readonly settings: LauncherSettings) {}

  run(): void {
    this.startup = this.start().catch((err: unknown) => {
      if (this.abort.signal.aborted) return; // already stopping; the reason was printed
      complain(err instanceof Error ? err.message : String(err));
      void this.shutdown(1);
    });
  }

  /** Stops the apps, then Redis, then Postgres, then exits with `code`. Later calls wait for the first. */
  shutdown(code: number): Promise<void> {
    return (this.stopping ??= this.stopEverything(code));
  }

  private async start(): Promise<void> {
    const { dataDir, host } = this.settings;
    for (const app of ['api', 'worker', 'cli', ...(this.settings.withExample ? (['example-invoices'] as const) : [])] as const) {
      if (!existsSync(entry(app))) throw new Error(`${entry(app)} is missing: run \`npm run build\` first.`);
    }
    await mkdir(dataDir, { recursive: true });
    await refuseIfRunning(dataDir);
    const secretsFile = path.join(dataDir, 'secrets.json');
    const { secrets, added } = await loadSecrets(secretsFile, {
      pepper: !this.settings.pepper,
      postgresPassword: !this.settings.databaseUrl,
      secretsKey: !this.settings.secretsKey,
      auditSigningKey: !this.settings.auditSigningKey,
    });

    let databaseUrl = this.settings.databaseUrl;
    if (!databaseUrl) {
      const cluster = path.join(dataDir, 'postgres');
      if (added.includes('postgresPassword') && existsSync(path.join(cluster, 'PG_VERSION'))) {
        throw new Error(`${cluster} holds a database, but secrets.json has lost its password: restore secrets.json.`);
      }
      say('Starting Postgres…');
      let port: number | undefined; // chosen at the first start, kept for restarts: the apps hold the URL
      this.postgres = this.supervise({
        name: 'Postgres',
        commandIncludes: 'postgres',
        orphanSignal: 'SIGINT',
        launch: async () => {
          const server = await startEmbeddedPostgres({ dataDir: cluster, port, persistent: true, password: secrets.postgresPassword as string, database: 'keyward' });
          port = Number(new URL(server.url).port);
          return server;
        },
      });
      databaseUrl = (await this.postgres.start()).url;
      this.checkpoint();
    }
    let redisUrl = this.settings.redisUrl;
    // a Redis Cluster (REDIS_CLUSTER_NODES, passed on to the apps as it is) or a Redis of REDIS_URL: none to start
    if (!redisUrl && !this.settings.redisClusterNodes) {
      say('Starting Redis…');
      let port: number | undefined;
      this.redis = this.supervise({
        name: 'Redis',
        commandIncludes: 'redis-server',
        orphanSignal: 'SIGTERM',
        launch: async () => {
          const server = await startRedisServer({ dataDir: path.join(dataDir, 'redis'), port });
          port = Number(new URL(server.url).port);
          return server;
        },
      });
      redisUrl = (await this.redis.start()).url;
      this.checkpoint();
    }

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: databaseUrl,
      ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
      KEYWARD_PEPPER: this.settings.pepper ?? secrets.pepper,
      SECRETS_ENCRYPTION_KEY: this.settings.secretsKey ?? secrets.secretsKey,
      AUDIT_SIGNING_KEY: this.settings.auditSigningKey ?? secrets.auditSigningKey,
      HOST: host,
      PORT: String(await this.choosePort()),
    };
    const config = loadConfig(env); // fails here, naming the variable, rather than in each app

    const applied = await migrate(config.databaseUrl).catch((err: Error) => {
      throw new Error(`Could not migrate the database (${this.postgres ? 'embedded' : 'DATABASE_URL'}): ${err.message}`);
    });
    if (applied.length > 0) say(`Applied ${applied.length} database migration(s).`);
    this.checkpoint();
    const bootstrap = await bootstrapIfNeeded(entry('cli'), env);
    this.checkpoint();

    const workerHttpPort = await this.chooseWorkerHttpPort(config.port);
    const api = this.superviseApp('API', 'api', env);
    const worker = this.superviseApp('worker', 'worker', { ...env, WORKER_HTTP_PORT: String(workerHttpPort) });
    await api.start();
    await worker.start();
    const url = baseUrl(config.host, config.port);
    await this.waitUntilLive(`${url}/health/live`);

    const exampleUrl = this.settings.withExample ? await this.startExample(url, env, databaseUrl, secretsFile, secrets.exampleServiceKey) : undefined;

    const workerHttpUrl = baseUrl(config.host, workerHttpPort);
    this.installation = {
      version: 1,
      dataDir,
      startedAt: new Date().toISOString(),
      apiUrl: url,
      workerHttpUrl,
      pids: { launcher: process.pid },
      env: configurationVariables(env),
    };
    await this.record();
    this.checkpoint();
    process.stdout.write(banner(url, workerHttpUrl, this.settings, bootstrap, added.includes('pepper'), exampleUrl));
    if (added.includes('pepper') && !bootstrap.created) {
      complain(
        'A new pepper was generated, but the database was bootstrapped before: keys issued with the ' +
          'earlier pepper will not authenticate. Set KEYWARD_PEPPER to the pepper used then.',
      );
    }
  }

  /**
   * The example invoices service beside the API, with its own keys:verify key (made at its first
   * start, kept in secrets.json). It gets only what a customer's service would: Keyward's URL and its key.
   */
  private async startExample(apiUrl: string, env: NodeJS.ProcessEnv, databaseUrl: string, secretsFile: string, stored: string | undefined): Promise<string> {
    let key = stored;
    if (!key) {
      key = await createExampleServiceKey(entry('cli'), env, databaseUrl);
      await addSecret(secretsFile, 'exampleServiceKey', key);
    }
    this.checkpoint();
    const host = this.settings.host;
    const wanted = this.settings.examplePort;
    const port =
      wanted && wanted !== '0' ? Number(wanted) : !wanted && (await isPortFree(DEFAULT_EXAMPLE_PORT, host)) ? DEFAULT_EXAMPLE_PORT : await findFreePort(host);
    const exampleEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH, NODE_ENV: process.env.NODE_ENV, KEYWARD_URL: apiUrl, KEYWARD_API_KEY: key, HOST: host, PORT: String(port) };
    await this.superviseApp('example', 'example-invoices', exampleEnv).start();
    const url = baseUrl(host, port);
    await this.waitUntilLive(`${url}/health`);
    return url;
  }

  private supervise<P extends SupervisedProcess>(options: SupervisedOptions<P>): Supervised<P> {
    return new Supervised(options, new RestartPolicy(this.settings.restartLimits), {
      log: complain,
      giveUp: (reason) => {
        if (this.stopping) return;
        complain(`${reason}: stopping everything.`);
        void this.shutdown(1);
      },
      restarted: () => void this.record(),
    });
  }

  /** One of the built apps, restarted when it crashes; stopped with SIGTERM, SIGKILL after a grace. */
  private superviseApp(name: string, app: Parameters<typeof entry>[0], env: NodeJS.ProcessEnv): Supervised {
    const supervised = this.supervise({
      name,
      commandIncludes: entry(app),
      orphanSignal: 'SIGTERM',
      launch: async () => {
        const child = spawnNodeApp(name, entry(app), [], env);
        return {
          pid: await child.started,
          exited: waitForServerExit(child.guard),
          stop: async () => {
            const { killed } = await stopGuarded(child, APP_STOP_GRACE_MS);
            if (killed) complain(`${name} did not stop within ${APP_STOP_GRACE_MS / 1000} s of SIGTERM: killed.`);
          },
        };
      },
    });
    this.apps.push(supervised);
    return supervised;
  }

  /** Writes installation.json with the pids of now; one write at a time, none once stopping. */
  private record(): Promise<void> {
    this.recording = this.recording.then(async () => {
      if (!this.installation || this.stopping) return;
      const pid = (supervised: Supervised | undefined) => supervised?.process?.pid;
      const [api, worker] = this.apps;
      this.installation.pids = {
        launcher: process.pid,
        api: pid(api),
        worker: pid(worker),
        postgres: pid(this.postgres),
        redis: pid(this.redis),
      };
      await writeInstallation(installationFile(this.settings.dataDir), this.installation).catch((err: Error) =>
        complain(`Could not write ${installationFile(this.settings.dataDir)}: ${err.message}`),
      );
    });
    return this.recording;
  }

  private async choosePort(): Promise<number | string> {
    const wanted = this.settings.port;
    // PORT=0 means any port: pick it here, so it can be shown and checked.
    if (wanted === '0') return findFreePort(this.settings.host);
    if (wanted) return wanted;
    if (await isPortFree(DEFAULT_PORT, this.settings.host)) return DEFAULT_PORT;
    const port = await findFreePort(this.settings.host);
    say(`Port ${DEFAULT_PORT} is taken: the API uses port ${port} instead (set PORT to choose one).`);
    return port;
  }

  /** WORKER_HTTP_PORT as set, else 3002 when free, else any free port other than the API's. */
  private async chooseWorkerHttpPort(apiPort: number): Promise<number> {
    const wanted = this.settings.workerHttpPort;
    if (wanted && wanted !== '0') return Number(wanted);
    const host = this.settings.host;
    if (!wanted && apiPort !== DEFAULT_WORKER_HTTP_PORT && (await isPortFree(DEFAULT_WORKER_HTTP_PORT, host))) return DEFAULT_WORKER_HTTP_PORT;
    for (;;) {
      const port = await findFreePort(host);
      if (port !== apiPort) return port;
    }
  }

  private async waitUntilLive(url: string): Promise<void> {
    const deadline = Date.now() + LIVE_TIMEOUT_MS;
    let last = 'no answer';
    for (;;) {
      this.checkpoint();
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
        await response.arrayBuffer();
        if (response.status === 200) return;
        last = `HTTP ${response.status}`;
      } catch (err) {
        last = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      }
      if (Date.now() > deadline) {
        throw new Error(`The API did not answer GET ${url} with 200 within ${LIVE_TIMEOUT_MS / 1000} s (last: ${last}).`);
      }
      await delay(250);
    }
  }

  /** Ends the start-up at its next step once a shutdown has begun. */
  private checkpoint(): void {
    if (this.abort.signal.aborted) throw new Aborted();
  }

  private async stopEverything(code: number): Promise<void> {
    this.abort.abort();
    await this.startup;
    // First, so that no command acts on an installation that is going away.
    await this.recording;
    await removeInstallation(installationFile(this.settings.dataDir), process.pid);
    say('Stopping…');
    await Promise.all(this.apps.map((app) => settle(app.name, app.stop())));
    await settle('Redis', this.redis?.stop());
    await settle('Postgres', this.postgres?.stop());
    say('Stopped.');
    process.exitCode = code;
    // Leave once the output is flushed, whatever handle a library may still hold.
    setTimeout(() => process.exit(code), 1_000).unref();
  }
}

/** A second launcher on the same data would fight the first over its files: say so instead. */
async function refuseIfRunning(dataDir: string): Promise<void> {
  const file = installationFile(dataDir);
  const other = await readInstallation(file).catch(() => undefined);
  if (other && other.pids.launcher !== process.pid && isProcessRunning(other.pids.launcher, 'launcher')) {
    throw new Error(
      `Keyward already runs from ${dataDir} (launcher pid ${other.pids.launcher}, API ${other.apiUrl}). ` +
        'Stop it first, or set KEYWARD_DATA_DIR to another folder.',
    );
  }
}

async function settle(what: string, stopping: Promise<void> | undefined): Promise<void> {
  try {
    await stopping;
  } catch (err) {
    complain(`Stopping ${what} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function baseUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

function banner(url: string, workerHttpUrl: string, settings: LauncherSettings, bootstrap: BootstrapResult, newPepper: boolean, exampleUrl?: string): string {
  const where = (name: string, external: string | undefined, variable: string) =>
    external ? `${name} from ${variable}` : `${name} embedded`;
  const lines = [
    '',
    'Keyward is running.',
    `  API         ${url}`,
    `  Console     ${url}/console   (sign in with the admin key below; its Playground page sends any request)`,
    `  Playground  ${url}/docs      (OpenAPI reference, try it out)`,
    `  Worker      worker health/metrics: ${workerHttpUrl}/metrics   (and /health/live, /health/ready)`,
    `  Data        ${settings.dataDir} (${where('Postgres', settings.databaseUrl, 'DATABASE_URL')}, ` +
      `${settings.redisClusterNodes ? 'Redis Cluster from REDIS_CLUSTER_NODES' : where('Redis', settings.redisUrl, 'REDIS_URL')})`,
  ];
  if (exampleUrl) lines.push(`  Example     ${exampleUrl}/invoices   (the example invoices service, guarded by @keyward/nestjs; README: "Your own API")`);
  if (newPepper) {
    lines.push(`  Pepper      ${path.join(settings.dataDir, 'secrets.json')}: back it up, no key works without it`);
  }
  lines.push('');
  if (bootstrap.created) {
    lines.push('  Admin API key. It is shown this once and stored nowhere: keep it now.', `    ${bootstrap.key}`);
  } else {
    lines.push('  Already bootstrapped: use the admin key shown on the first run.');
  }
  lines.push(
    '',
    `  Command line  npm run cli -- api status   (acts on this installation: ${path.join(settings.dataDir, 'installation.json')})`,
    '',
    'Press Ctrl-C to stop.',
    '',
  );
  return lines.join('\n');
}

function main(): void {
  let settings: LauncherSettings;
  try {
    settings = readSettings(process.env, process.argv.slice(2));
  } catch (err) {
    complain((err as Error).message);
    process.exit(1);
  }
  const launcher = new Launcher(settings);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => void launcher.shutdown(0));
  }
  launcher.run();
}

main();
