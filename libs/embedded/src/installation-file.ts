import { open, readFile, rename, unlink } from 'node:fs/promises';
import { connect } from 'node:net';
import path from 'node:path';
import { envSchema, parseClusterNodes } from '@keyward/config';
import { isProcessRunning } from './child-process';

/**
 * Where the installation that `npm start` runs can be found: the launcher writes
 * `<data dir>/installation.json` (mode 0600) once its API answers, rewrites it when it restarts a
 * server, and removes it when it stops cleanly. Operator commands (apps/cli) read it when no
 * configuration is set, so `npm run cli -- api status` works beside `npm start`.
 */

export const INSTALLATION_FILE = 'installation.json';

/** Their presence means "configured explicitly": the installation file is then never read. */
export const CONNECTION_VARIABLES = ['DATABASE_URL', 'REDIS_URL', 'KEYWARD_PEPPER'] as const;

export interface RunningInstallation {
  /** Format of this file. */
  version: 1;
  dataDir: string;
  startedAt: string;
  apiUrl: string;
  /** The worker's health and metrics (WORKER_HTTP_PORT). */
  workerHttpUrl?: string;
  /** The launcher, and the processes it supervises as they are now (updated after each restart). */
  pids: { launcher: number; api?: number; worker?: number; postgres?: number; redis?: number };
  /**
   * The configuration the API and the worker run with (the variables libs/config knows, secrets
   * included: that is why the file is 0600). Never print it.
   */
  env: Record<string, string>;
}

export const installationFile = (dataDir: string) => path.join(dataDir, INSTALLATION_FILE);

/** The variables of `env` that envSchema knows, as the apps receive them. */
export function configurationVariables(env: NodeJS.ProcessEnv): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of Object.keys(envSchema.shape)) {
    const value = env[name];
    if (value !== undefined && value !== '') picked[name] = value;
  }
  return picked;
}

/** Written to a temporary file (0600) and renamed: a reader never sees half a file. */
export async function writeInstallation(file: string, installation: RunningInstallation): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  const handle = await open(temporary, 'w', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(installation, null, 2)}\n`);
  } finally {
    await handle.close();
  }
  await rename(temporary, file);
}

/** Removes the file if `launcherPid` wrote it (a second launcher on the same data leaves the first one's alone). */
export async function removeInstallation(file: string, launcherPid: number): Promise<void> {
  const current = await readInstallation(file).catch(() => undefined);
  if (current?.pids.launcher === launcherPid) await unlink(file).catch(() => undefined);
}

export async function readInstallation(file: string): Promise<RunningInstallation | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let parsed: Partial<RunningInstallation> | undefined;
  try {
    parsed = JSON.parse(text) as Partial<RunningInstallation>;
  } catch {
    parsed = undefined;
  }
  if (parsed?.version !== 1 || typeof parsed.pids?.launcher !== 'number' || typeof parsed.env !== 'object' || typeof parsed.apiUrl !== 'string') {
    throw new InstallationError(`${file} is not an installation file this version understands: stop \`npm start\`, delete it and start again.`);
  }
  return parsed as RunningInstallation;
}

/** No configuration and no running installation, or one that cannot be reached: the message says what to do. */
export class InstallationError extends Error {}

export interface OperatorEnvironment {
  /** What loadConfig() gets. */
  env: NodeJS.ProcessEnv;
  /** The installation the command acts on, when its configuration came from one. */
  installation?: { file: string; record: RunningInstallation };
}

const WHAT_TO_DO =
  'Start Keyward with `npm start` and run this command again, or set DATABASE_URL, REDIS_URL and KEYWARD_PEPPER ' +
  'to the installation you mean (KEYWARD_DATA_DIR to the data directory of an `npm start` that runs from another folder).';

/**
 * The configuration of an operator command: the environment as it is when it sets any of
 * DATABASE_URL, REDIS_URL or KEYWARD_PEPPER (explicit configuration always wins; loadConfig then
 * names what is missing); otherwise the configuration of the installation that `npm start` runs,
 * found in KEYWARD_DATA_DIR, or `.keyward` in `cwd` or in `packageRoot` — checked to be running
 * and reachable. Variables set in `env` still override the installation's.
 */
export async function resolveOperatorEnvironment(
  env: NodeJS.ProcessEnv,
  where: { cwd: string; packageRoot: string },
): Promise<OperatorEnvironment> {
  if ([...CONNECTION_VARIABLES, 'REDIS_CLUSTER_NODES'].some((name) => env[name])) return { env };
  const dirs = env.KEYWARD_DATA_DIR
    ? [path.resolve(where.cwd, env.KEYWARD_DATA_DIR)]
    : [...new Set([path.resolve(where.cwd, '.keyward'), path.resolve(where.packageRoot, '.keyward')])];
  let found: { file: string; record: RunningInstallation } | undefined;
  for (const dir of dirs) {
    const file = installationFile(dir);
    const record = await readInstallation(file);
    if (record) {
      found = { file, record };
      break;
    }
  }
  const none = `No Keyward to act on: DATABASE_URL, REDIS_URL (or REDIS_CLUSTER_NODES) and KEYWARD_PEPPER are not set`;
  if (!found) {
    const looked = dirs.map(installationFile).join(' or ');
    throw new InstallationError(`${none}, and no \`npm start\` runs here (no ${looked}).\n${WHAT_TO_DO}`);
  }
  const { file, record } = found;
  if (!isProcessRunning(record.pids.launcher, 'launcher')) {
    throw new InstallationError(
      `${none}, and the \`npm start\` that wrote ${file} (launcher pid ${record.pids.launcher}) no longer runs: ` +
        `it was stopped without cleaning up (killed?).\n${WHAT_TO_DO}`,
    );
  }
  const servers = [
    ['Postgres', record.env.DATABASE_URL],
    ['Redis', record.env.REDIS_URL ?? clusterSeedUrl(record.env.REDIS_CLUSTER_NODES)],
  ] as const;
  for (const [server, url] of servers) {
    const problem = await unreachable(url);
    if (problem) {
      throw new InstallationError(
        `The \`npm start\` running from ${record.dataDir} (launcher pid ${record.pids.launcher}) was found, but its ${server} ` +
          `does not answer (${problem}). The launcher restarts a server that crashed: look at its output, and try again in a moment.`,
      );
    }
  }
  return { env: { ...record.env, ...withoutEmpty(env) }, installation: found };
}

/** A Redis Cluster's first seed node as a redis:// URL (no credentials: only its port is tried). */
function clusterSeedUrl(nodes: string | undefined): string | undefined {
  if (!nodes) return undefined;
  try {
    const [first] = parseClusterNodes(nodes).nodes;
    return `redis://${first.host.includes(':') ? `[${first.host}]` : first.host}:${first.port}`;
  } catch {
    return undefined;
  }
}

function withoutEmpty(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
}

/** Why a TCP connection to the URL's host and port fails, or undefined when it opens; never shows the URL's credentials. */
async function unreachable(url: string | undefined, timeoutMs = 3_000): Promise<string | undefined> {
  let target: URL;
  try {
    target = new URL(url ?? '');
  } catch {
    return 'no valid URL recorded';
  }
  const host = target.hostname.replace(/^\[|\]$/g, '');
  const port = Number(target.port || (target.protocol.startsWith('redis') ? 6379 : 5432));
  const where = `${target.hostname}:${port}`;
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (problem?: string) => {
      socket.destroy();
      resolve(problem);
    };
    socket.setTimeout(timeoutMs, () => done(`${where}: no answer within ${timeoutMs / 1000} s`));
    socket.once('connect', () => done());
    socket.once('error', (err: NodeJS.ErrnoException) => done(`${where}: ${err.code ?? err.message}`));
  });
}
