import { ChildProcess, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';

export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Resolves once the child has exited (at once if it already has). */
export function waitForExit(child: ChildProcess): Promise<void> {
  if (hasExited(child)) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** How a server process ended: its exit code, or the signal that ended it. */
export interface ServerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * Resolves once a helper (guard.cjs, postgres-host.cjs) has exited, with how the server it ran
 * ended: the helpers exit with the server's code, or 128 + the number of the signal that ended it.
 */
export async function waitForServerExit(helper: ChildProcess): Promise<ServerExit> {
  await waitForExit(helper);
  const code = helper.exitCode;
  if (code === null) return { code: null, signal: helper.signalCode };
  const signal = code > 128 ? (Object.entries(constants.signals).find(([, n]) => n === code - 128)?.[0] as NodeJS.Signals | undefined) : undefined;
  return signal ? { code: null, signal } : { code, signal: null };
}

/** "killed by SIGKILL" or "exit code 1". */
export function describeExit({ code, signal }: ServerExit): string {
  return signal ? `killed by ${signal}` : `exit code ${code}`;
}

/** Sends `signal`, then SIGKILL if the child still runs after `graceMs`; resolves once it has exited. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<void> {
  if (hasExited(child)) return;
  const exited = waitForExit(child);
  child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, graceMs);
  });
  await Promise.race([exited, timedOut]);
  clearTimeout(timer);
  await exited;
}

/** Keeps the last lines a process printed, to explain why it failed. */
export class OutputTail {
  private lines: string[] = [];

  constructor(private readonly max = 30) {}

  push(chunk: Buffer | string): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter((line) => line.trim() !== ''));
    if (this.lines.length > this.max) this.lines = this.lines.slice(-this.max);
  }

  toString(): string {
    return this.lines.map((line) => `  | ${line}`).join('\n');
  }
}

export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Whether process `pid` runs (a zombie does not) a command line that includes `command`: a pid
 * read from a file may since have been reused by another program.
 */
export function isProcessRunning(pid: number, command: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    if (/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'))) return false;
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(command);
  } catch {
    try {
      const line = execFileSync('ps', ['-o', 'stat=,command=', '-p', String(pid)], { encoding: 'utf8' }).trim();
      return !line.startsWith('Z') && line.includes(command);
    } catch {
      return false;
    }
  }
}
