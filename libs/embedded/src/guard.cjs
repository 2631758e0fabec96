'use strict';
/*
 * `node guard.cjs <command> [args...]`, spawned with an IPC channel: runs the command with this
 * process's stdout and stderr, passes SIGTERM/SIGINT/SIGHUP on to it, exits as it exits, and
 * stops it when the process that spawned the guard goes away, even if that one was killed
 * outright. See spawnGuarded() in child-process.ts. Plain CommonJS, so Node runs this file both
 * from the sources (Jest) and from dist/ (the build copies it there).
 *
 *   guard -> parent: { type: 'spawned', pid } or { type: 'spawn-failed', code, message }
 */
const { spawn } = require('node:child_process');
const { constants } = require('node:os');

const [command, ...args] = process.argv.slice(2);
const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });

function send(message) {
  if (process.connected) process.send(message);
}

child.once('spawn', () => send({ type: 'spawned', pid: child.pid }));
child.once('error', (err) => {
  send({ type: 'spawn-failed', code: err.code, message: err.message });
  process.exit(127);
});
child.once('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));

for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => child.kill(signal));

process.on('disconnect', () => {
  child.kill('SIGTERM');
  setTimeout(() => child.kill('SIGKILL'), 30_000).unref();
});
