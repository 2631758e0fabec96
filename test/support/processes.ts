import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { KeywardConfig, redisVariables } from '@keyward/config';
import { findFreePort, hasExited, stopChild, waitForExit } from '@keyward/embedded';

/**
 * The built apps (dist/, `npm run build`) as real processes, for black-box tests that need
 * several API instances, a worker that can be killed, or the command line.
 */

const ROOT = path.resolve(__dirname, '../..');
const ENTRY = {
  api: 'dist/apps/api/src/main.js',
  worker: 'dist/apps/worker/src/main.js',
  cli: 'dist/apps/cli/src/main.js',
} as const;

export type ProcessKind = 'api' | 'worker';

export interface RunningProcess {
  kind: ProcessKind;
  pid: number;
  /** `http://127.0.0.1:<port>`: an API's, or the worker's health and metrics port (WORKER_HTTP_PORT). */
  url: string | undefined;
  /** What it printed so far (stdout and stderr interleaved), with keys redacted: for diagnostics. */
  output(): string;
  /** Resolves when it has exited, however that happened. */
  exited: Promise<void>;
  /** Sends a signal and returns at once (`kill('SIGKILL')` for fault tests). */
  kill(signal?: NodeJS.Signals): void;
  /** SIGTERM, SIGKILL after 10 s; resolves once it has exited. Harmless when it already has. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** How long start-up may take before it counts as failed (default 60 s: the machine is shared). */
  timeoutMs?: number;
  /**
   * Receives everything the process writes, unredacted, as it arrives (fault tests scan it for
   * leaked keys). Optional; without it nothing changes. Never print what it receives.
   */
  onRawOutput?: (chunk: Buffer, stream: 'stdout' | 'stderr') => void;
}

/** Anything that looks like a key becomes `kw_…[redacted]`: output is for people, keys are not. */
export function redactKeys(text: string): string {
  return text.replace(/kw_[A-Za-z0-9]+/g, 'kw_…[redacted]');
}

/** The environment a process needs for the same database, Redis and prefix as `config`. */
export function processEnv(config: KeywardConfig, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    NODE_ENV: config.env,
    DATABASE_URL: config.databaseUrl,
    ...redisVariables(config.redis),
    REDIS_PREFIX: config.redisPrefix,
    KEYWARD_PEPPER: config.pepper,
    ...(config.audit.signingKey ? { AUDIT_SIGNING_KEY: config.audit.signingKey } : {}),
    ...(config.secretsKey ? { SECRETS_ENCRYPTION_KEY: config.secretsKey.toString('hex') } : {}),
    ...extra,
  };
}

/**
 * Starts an API (on a free port of 127.0.0.1, resolved once /health/live answers 200) or a worker
 * (resolved once it logs that it started). Rejects, after killing it, if it exits or times out first.
 */
export async function startProcess(kind: ProcessKind, env: NodeJS.ProcessEnv, options: StartOptions = {}): Promise<RunningProcess> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(kind, env, options);
    } catch (err) {
      // the free port we picked was taken before the API bound it: pick another
      if (attempt >= 3 || !/EADDRINUSE/.test((err as Error).message)) throw err;
    }
  }
}

async function startOnce(kind: ProcessKind, env: NodeJS.ProcessEnv, options: StartOptions): Promise<RunningProcess> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  // a worker gets its own free port too (WORKER_HTTP_PORT), unless the test chose one
  const given = kind === 'worker' ? env.WORKER_HTTP_PORT : undefined;
  const port = given !== undefined ? Number(given) : await findFreePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [entry(kind)], {
    cwd: ROOT,
    env: childEnv({ HOST: '127.0.0.1', ...env, [kind === 'api' ? 'PORT' : 'WORKER_HTTP_PORT']: String(port) }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = captureOutput(child);
  const onRaw = options.onRawOutput;
  if (onRaw) {
    child.stdout!.on('data', (chunk: Buffer) => onRaw(chunk, 'stdout'));
    child.stderr!.on('data', (chunk: Buffer) => onRaw(chunk, 'stderr'));
  }
  const exited = waitForExit(child);
  let stopping: Promise<void> | undefined;
  const running: RunningProcess = {
    kind,
    pid: child.pid!,
    url,
    output: log.text,
    exited,
    kill: (signal = 'SIGTERM') => void child.kill(signal),
    stop: () => (stopping ??= stopChild(child, 'SIGTERM', 10_000)),
  };

  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (hasExited(child)) throw new Error(`exited during start-up (code ${child.exitCode}, signal ${child.signalCode})`);
      if (Date.now() > deadline) throw new Error(`not ready after ${timeoutMs} ms`);
      if (kind === 'api' ? await isLive(url!) : /worker started/.test(log.text())) return running;
      await Promise.race([exited, new Promise((r) => setTimeout(r, 100))]);
    }
  } catch (err) {
    await running.stop();
    throw new Error(`${kind} (pid ${running.pid}) ${(err as Error).message}\n${indent(log.text())}`);
  }
}

export interface CliResult {
  code: number | null;
  /** In full: `bootstrap --json` prints a key here. Never print it; parse it. */
  stdout: string;
  stderr: string;
}

/** Runs the command line to completion. Rejects only if it cannot be started. */
export function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry('cli'), ...args], { cwd: ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => stdout.push(c));
    child.stderr.on('data', (c: Buffer) => stderr.push(c));
    child.once('error', reject);
    child.once('close', (code) =>
      resolve({ code, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') }),
    );
  });
}

/** `runCli` for a `--json` command that must succeed: its one JSON line, parsed. */
export async function runCliJson<T = Record<string, unknown>>(args: string[], env: NodeJS.ProcessEnv): Promise<T> {
  const { code, stdout, stderr } = await runCli(args, env);
  if (code !== 0) {
    throw new Error(`keyward ${args.join(' ')} exited with ${code}:\n${indent(redactKeys(stderr))}`);
  }
  try {
    return JSON.parse(stdout.trim().split('\n').pop()!) as T;
  } catch {
    throw new Error(`keyward ${args.join(' ')} printed no JSON line:\n${indent(redactKeys(stdout))}`);
  }
}

function entry(kind: keyof typeof ENTRY): string {
  const file = path.join(ROOT, ENTRY[kind]);
  if (!existsSync(file)) throw new Error(`${ENTRY[kind]} is missing: run \`npm run build\` first`);
  return file;
}

/** Only what the test passes, plus PATH: a developer's own DATABASE_URL must not leak in. */
function childEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, ...env };
}

function captureOutput(child: ChildProcess, maxChars = 200_000): { text: () => string } {
  let buffer = '';
  const add = (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    if (buffer.length > maxChars) buffer = buffer.slice(-maxChars);
  };
  child.stdout!.on('data', add);
  child.stderr!.on('data', add);
  return { text: () => redactKeys(buffer) };
}

async function isLive(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/health/live`, { signal: AbortSignal.timeout(2_000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .slice(-40)
    .map((line) => `  | ${line}`)
    .join('\n');
}
