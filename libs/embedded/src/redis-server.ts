import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Redis } from 'ioredis';
import { delay, hasExited, isProcessRunning, OutputTail, waitForServerExit } from './child-process';
import { spawnGuarded, stopGuarded } from './guarded-process';
import { findFreePort } from './ports';
import { RunningServer } from './running-server';

export interface RedisServerOptions {
  /** Where the append-only file lives; created if missing. */
  dataDir: string;
  /** Defaults to a free port. */
  port?: number;
  /** Default: `redis-server`, looked up on the PATH. */
  executable?: string;
  startTimeoutMs?: number;
}

export class RedisServerNotFoundError extends Error {
  constructor() {
    super(
      'redis-server was not found on the PATH. Either point Keyward at an existing Redis by setting ' +
        'REDIS_URL (for example REDIS_URL=redis://127.0.0.1:6379), or install Redis: ' +
        '`apt-get install redis-server` (Debian/Ubuntu) or `brew install redis` (macOS).',
    );
    this.name = 'RedisServerNotFoundError';
  }
}

const PID_FILE = 'redis-server.pid';

/**
 * Runs `redis-server` from the PATH on 127.0.0.1, keeping its data in `dataDir` (AOF, no RDB
 * snapshots, no eviction: BullMQ needs every key it writes). Resolves once it answers PING.
 */
export async function startRedisServer(options: RedisServerOptions): Promise<RunningServer> {
  const dataDir = path.resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  await refuseIfStillRunning(dataDir);
  const port = options.port ?? (await findFreePort());

  const redis = spawnGuarded(options.executable ?? 'redis-server', [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', dataDir,
    '--pidfile', path.join(dataDir, PID_FILE),
    '--appendonly', 'yes',
    '--save', '',
    '--maxmemory-policy', 'noeviction',
    '--daemonize', 'no',
  ]);
  const output = new OutputTail();
  redis.guard.stdout?.on('data', (chunk: Buffer) => output.push(chunk));
  redis.guard.stderr?.on('data', (chunk: Buffer) => output.push(chunk));

  let pid: number;
  try {
    pid = await redis.started.catch((err: NodeJS.ErrnoException) => {
      throw err.code === 'ENOENT' ? new RedisServerNotFoundError() : err;
    });
    await waitUntilReady(port, pid, options.startTimeoutMs ?? 20_000, output, () => {
      if (hasExited(redis.guard)) {
        throw new Error(`redis-server exited during start-up (${redis.guard.exitCode}):\n${output}`);
      }
    });
  } catch (err) {
    await stopGuarded(redis, 0);
    throw err;
  }

  let stopping: Promise<void> | undefined;
  return {
    url: `redis://127.0.0.1:${port}`,
    pid,
    // SIGTERM is Redis's SHUTDOWN: it flushes the append-only file, then exits.
    stop: () => (stopping ??= stopGuarded(redis, 30_000).then(() => undefined)),
    exited: waitForServerExit(redis.guard),
  };
}

/** Polls until our server answers PING; `check` throws when waiting is pointless. */
async function waitUntilReady(
  port: number,
  pid: number,
  timeoutMs: number,
  output: OutputTail,
  check: () => void,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    check();
    if (await answersPing(port, pid)) return;
    if (Date.now() > deadline) {
      throw new Error(`redis-server did not answer PING on port ${port} within ${timeoutMs} ms:\n${output}`);
    }
    await delay(50);
  }
}

/** Whether the server on `port` answers PING and is the process `pid`, not another one that holds the port. */
async function answersPing(port: number, pid: number): Promise<boolean> {
  const client = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    connectTimeout: 1_000,
    disconnectTimeout: 0, // else a refused attempt leaves a 2 s timer behind
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    if ((await client.ping()) !== 'PONG') return false; // a server still loading its AOF answers LOADING
    return /^process_id:(\d+)\s*$/m.exec(await client.info('server'))?.[1] === String(pid);
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/**
 * A redis-server left behind by a run that was killed outright still writes to the
 * append-only file; a second one on the same directory would corrupt it.
 */
async function refuseIfStillRunning(dataDir: string): Promise<void> {
  const pid = Number((await readFile(path.join(dataDir, PID_FILE), 'utf8').catch(() => '')).trim());
  if (!Number.isInteger(pid) || pid <= 0 || !isProcessRunning(pid, 'redis-server')) return;
  throw new Error(
    `A redis-server (pid ${pid}) from an earlier run still uses ${dataDir}. ` +
      `Stop it (kill ${pid}) and start again.`,
  );
}
