import { ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { RunningInstallation } from '@keyward/embedded';

/**
 * `npm start` as a user runs it, for the launcher's black-box tests: the built launcher in dist/
 * (npm test builds first), its output kept with keys redacted, the process tree it leaves, and
 * the command line beside it.
 */

export const ROOT = path.resolve(__dirname, '../..');
export const LAUNCHER = path.join(ROOT, 'dist/apps/launcher/src/main.js');
export const KEY_PATTERN = /\bkw_[0-9A-Za-z]{49}\b/;
export const START_TIMEOUT_MS = 120_000;

export const redact = (text: string) => text.replace(new RegExp(KEY_PATTERN.source, 'g'), 'kw_<redacted>');

export class LauncherRun {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, [LAUNCHER], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.on('data', (chunk: Buffer) => (this.stdout += chunk.toString('utf8')));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** What it printed, keys redacted, for failure messages. */
  output(): string {
    const tail = (text: string) => redact(text).split('\n').slice(-60).join('\n');
    return `--- stdout ---\n${tail(this.stdout)}\n--- stderr ---\n${tail(this.stderr)}`;
  }

  async waitUntilRunning(): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!this.stdout.includes('Press Ctrl-C to stop.')) {
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`the launcher exited (${this.child.exitCode ?? this.child.signalCode}) before it was running:\n${this.output()}`);
      }
      if (Date.now() > deadline) throw new Error(`the launcher was not running after ${START_TIMEOUT_MS} ms:\n${this.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** SIGINT, as Ctrl-C; resolves with how it exited. */
  interrupt(timeoutMs = 60_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.child.kill('SIGINT');
    return this.exit(timeoutMs, 'of SIGINT');
  }

  /** Resolves with how it exited; fails after `timeoutMs`. */
  async exit(timeoutMs: number, after = 'of waiting'): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the launcher did not exit within ${timeoutMs} ms ${after}:\n${this.output()}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Ends it and everything it started, outright (after a failed test). */
  killAll(): void {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    for (const { pid } of descendantsOf(this.child.pid as number)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    this.child.kill('SIGKILL');
  }
}

/** Polls `attempt` until it returns a value (not undefined) or the deadline passes; the last failure explains. */
export async function eventually<T>(what: string, attempt: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no attempt finished';
  for (;;) {
    try {
      const value = await attempt();
      if (value !== undefined) return value;
      last = 'not yet';
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms (last: ${redact(last)})`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export interface CliRun {
  code: number | null;
  /** In full (a command may print a key): parse it, never print it. */
  stdout: string;
  stderr: string;
}

/**
 * The command line as a user runs it beside `npm start`: in `cwd`, with only PATH and `env` (no
 * DATABASE_URL and the like unless given).
 */
export function cli(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<CliRun> {
  const entry = path.join(ROOT, 'dist/apps/cli/src/main.js');
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [entry, ...args],
      { cwd: options.cwd, env: { PATH: process.env.PATH, ...options.env }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** What the launcher recorded in `<dataDir>/installation.json`, or undefined while there is none. */
export async function installationOf(dataDir: string): Promise<RunningInstallation | undefined> {
  try {
    return JSON.parse(await readFile(path.join(dataDir, 'installation.json'), 'utf8')) as RunningInstallation;
  } catch {
    return undefined;
  }
}

export interface ProcessInfo {
  pid: number;
  ppid: number;
  args: string;
}

function processTable(): ProcessInfo[] {
  return execFileSync('ps', ['-A', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map(([, pid, ppid, args]) => ({ pid: Number(pid), ppid: Number(ppid), args }));
}

export function descendantsOf(pid: number): ProcessInfo[] {
  const table = processTable();
  const found: ProcessInfo[] = [];
  for (let queue = [pid]; queue.length > 0; ) {
    const parent = queue.shift();
    for (const row of table.filter((r) => r.ppid === parent)) {
      found.push(row);
      queue.push(row.pid);
    }
  }
  return found;
}

/** Alive and not a zombie. */
export function isRunning(pid: number): boolean {
  try {
    return !execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).trim().startsWith('Z');
  } catch {
    return false; // ps exits non-zero when there is no such process
  }
}

export async function waitUntilGone(pids: number[], timeoutMs = 15_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let running = pids.filter(isRunning);
  while (running.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    running = running.filter(isRunning);
  }
  return running;
}

export async function getMe(port: number, headers: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`http://127.0.0.1:${port}/v1/me`, { headers });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export async function filesContain(dir: string, needle: string): Promise<string[]> {
  const hits: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    if ((await readFile(file)).includes(needle)) hits.push(path.relative(dir, file));
  }
  return hits;
}

