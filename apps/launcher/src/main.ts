import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '@keyward/config';
import { migrate } from '@keyward/database';
import {
  delay,
  findFreePort,
  GuardedProcess,
  isPortFree,
  RunningServer,
  startEmbeddedPostgres,
  startRedisServer,
  stopGuarded,
} from '@keyward/embedded';
import { BootstrapResult, bootstrapIfNeeded } from './bootstrap';
import { createExampleServiceKey } from './example-service';
import { spawnNodeApp } from './node-app';
import { addSecret, loadSecrets } from './secrets';

/**
 * `npm start`: Keyward on a machine that has only Node.js. Starts Postgres and Redis unless
 * DATABASE_URL / REDIS_URL name existing ones, migrates, bootstraps the first company on the first
 * run, then runs the API and the worker until Ctrl-C.
 */

const DIST = path.resolve(__dirname, '..', '..', '..');
const entry = (app: 'api' | 'worker' | 'cli' | 'example-invoices') => path.join(DIST, 'apps', app, 'src', 'main.js');
const DEFAULT_PORT = 3000;
const DEFAULT_EXAMPLE_PORT = 3100;
const LIVE_TIMEOUT_MS = 60_000;
const APP_STOP_GRACE_MS = 10_000;

/** The few variables the launcher decides on; the apps validate the full configuration (libs/config). */
interface LauncherSettings {
  dataDir: string;
  databaseUrl?: string;
  redisUrl?: string;
  pepper?: string;
  secretsKey?: string;
  auditSigningKey?: string;
  host: string;
  port?: string;
  /** `npm start -- --with-example` or KEYWARD_EXAMPLE=1: also run the example invoices service. */
  withExample: boolean;
  examplePort?: string;
}

function readSettings(env: NodeJS.ProcessEnv, argv: string[]): LauncherSettings {
  return {
    dataDir: path.resolve(env.KEYWARD_DATA_DIR || '.keyward'),
    databaseUrl: env.DATABASE_URL || undefined,
    redisUrl: env.REDIS_URL || undefined,
    pepper: env.KEYWARD_PEPPER || undefined,
    secretsKey: env.SECRETS_ENCRYPTION_KEY || undefined,
    auditSigningKey: env.AUDIT_SIGNING_KEY || undefined,
    host: env.HOST || '127.0.0.1',
    port: env.PORT || undefined,
    withExample: argv.includes('--with-example') || ['1', 'true'].includes(env.KEYWARD_EXAMPLE ?? ''),
    examplePort: env.EXAMPLE_PORT || undefined,
  };
}

const say = (message: string) => process.stdout.write(`[launcher] ${message}\n`);
const complain = (message: string) => process.stderr.write(`[launcher] ${message}\n`);

class Aborted extends Error {}

class Launcher {
  private postgres?: RunningServer;
  private redis?: RunningServer;
  private readonly apps: Array<{ name: string; app: GuardedProcess }> = [];
  private readonly abort = new AbortController();
  private startup: Promise<void> = Promise.resolve();
  private stopping?: Promise<void>;

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
      this.postgres = await startEmbeddedPostgres({
        dataDir: cluster,
        persistent: true,
        password: secrets.postgresPassword as string,
        database: 'keyward',
      });
      this.watch('Postgres', this.postgres);
      this.checkpoint();
      databaseUrl = this.postgres.url;
    }
    let redisUrl = this.settings.redisUrl;
    if (!redisUrl) {
      say('Starting Redis…');
      this.redis = await startRedisServer({ dataDir: path.join(dataDir, 'redis') });
      this.watch('Redis', this.redis);
      this.checkpoint();
      redisUrl = this.redis.url;
    }

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
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

    for (const name of ['api', 'worker'] as const) {
      const app = spawnNodeApp(name, entry(name), [], env);
      this.apps.push({ name, app });
      app.guard.once('exit', (code) => this.died(name, `exit code ${code}`));
    }
    const url = baseUrl(config.host, config.port);
    await this.waitUntilLive(`${url}/health/live`);

    const exampleUrl = this.settings.withExample ? await this.startExample(url, env, databaseUrl, secretsFile, secrets.exampleServiceKey) : undefined;

    process.stdout.write(banner(url, this.settings, bootstrap, added.includes('pepper'), exampleUrl));
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
    const app = spawnNodeApp('example', entry('example-invoices'), [], exampleEnv);
    this.apps.push({ name: 'example', app });
    app.guard.once('exit', (code) => this.died('example', `exit code ${code}`));
    const url = baseUrl(host, port);
    await this.waitUntilLive(`${url}/health`);
    return url;
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

  private watch(name: string, server: RunningServer): void {
    void server.exited.then(() => this.died(name, 'its process exited'));
  }

  private died(name: string, how: string): void {
    if (this.stopping) return;
    complain(`${name} stopped unexpectedly (${how}); stopping everything.`);
    void this.shutdown(1);
  }

  private async stopApp({ name, app }: { name: string; app: GuardedProcess }): Promise<void> {
    const { killed } = await stopGuarded(app, APP_STOP_GRACE_MS);
    if (killed) complain(`${name} did not stop within ${APP_STOP_GRACE_MS / 1000} s of SIGTERM: killed.`);
  }

  private async stopEverything(code: number): Promise<void> {
    this.abort.abort();
    await this.startup;
    say('Stopping…');
    await Promise.all(this.apps.map((app) => this.stopApp(app)));
    await settle('Redis', this.redis?.stop());
    await settle('Postgres', this.postgres?.stop());
    say('Stopped.');
    process.exitCode = code;
    // Leave once the output is flushed, whatever handle a library may still hold.
    setTimeout(() => process.exit(code), 1_000).unref();
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

function banner(url: string, settings: LauncherSettings, bootstrap: BootstrapResult, newPepper: boolean, exampleUrl?: string): string {
  const where = (name: string, external: string | undefined, variable: string) =>
    external ? `${name} from ${variable}` : `${name} embedded`;
  const lines = [
    '',
    'Keyward is running.',
    `  API         ${url}`,
    `  Console     ${url}/console   (sign in with the admin key below; its Playground page sends any request)`,
    `  Playground  ${url}/docs      (OpenAPI reference, try it out)`,
    `  Data        ${settings.dataDir} (${where('Postgres', settings.databaseUrl, 'DATABASE_URL')}, ` +
      `${where('Redis', settings.redisUrl, 'REDIS_URL')})`,
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
  lines.push('', 'Press Ctrl-C to stop.', '');
  return lines.join('\n');
}

function main(): void {
  const launcher = new Launcher(readSettings(process.env, process.argv.slice(2)));
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => void launcher.shutdown(0));
  }
  launcher.run();
}

main();
