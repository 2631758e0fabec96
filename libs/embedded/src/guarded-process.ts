import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { hasExited, waitForExit } from './child-process';

const GUARD_SCRIPT = path.join(__dirname, 'guard.cjs');

type GuardMessage = { type: 'spawned'; pid: number } | { type: 'spawn-failed'; code?: string; message: string };

/** A command run through guard.cjs. */
export interface GuardedProcess {
  /** The guard: its stdout and stderr are the command's, and it exits as the command does. */
  guard: ChildProcess;
  /** The command's own pid once it runs; rejects (with the errno `code`, e.g. ENOENT) if it cannot start. */
  started: Promise<number>;
}

/**
 * Spawns `command` through a small guard process that stops it when this process goes away,
 * even if killed outright, so that nothing outlives us. Guard and command get a process group
 * of their own: a Ctrl-C in the terminal reaches only this process, which stops its children
 * in order.
 */
export function spawnGuarded(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): GuardedProcess {
  const guard = spawn(process.execPath, [GUARD_SCRIPT, command, ...args], {
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const started = new Promise<number>((resolve, reject) => {
    guard.on('message', (message: GuardMessage) => {
      if (message.type === 'spawned') resolve(message.pid);
      else reject(Object.assign(new Error(message.message), { code: message.code }));
    });
    guard.once('error', reject);
    guard.once('exit', (code) => reject(new Error(`${command} did not start (guard exit ${code})`)));
  });
  started.catch(() => undefined);
  return { guard, started };
}

/**
 * SIGTERM (the guard passes it on), then SIGKILL to the command if it still runs after
 * `graceMs`; resolves once it has exited, with whether it had to be killed.
 */
export async function stopGuarded({ guard, started }: GuardedProcess, graceMs = 10_000): Promise<{ killed: boolean }> {
  if (hasExited(guard)) return { killed: false };
  const exited = waitForExit(guard);
  guard.kill('SIGTERM');
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    started.then((pid) => process.kill(pid, 'SIGKILL')).catch(() => guard.kill('SIGKILL'));
  }, graceMs);
  await exited;
  clearTimeout(timer);
  return { killed };
}
