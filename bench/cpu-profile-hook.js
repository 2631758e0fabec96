'use strict';
/**
 * Loaded into the API with NODE_OPTIONS=--require (by profile-guard.js): SIGWINCH starts V8's
 * sampling profiler in-process, the next SIGWINCH stops it and writes `$BENCH_PROFILE_OUT.<n>.cpuprofile`
 * (open it in Chrome DevTools or VS Code). SIGWINCH because Nest's shutdown hooks take SIGUSR2.
 */
const inspector = require('node:inspector');
const fs = require('node:fs');

const session = new inspector.Session();
session.connect();
let running = false;
let n = 0;
process.on('SIGWINCH', () => {
  if (!running) {
    running = true;
    session.post('Profiler.enable', () => session.post('Profiler.setSamplingInterval', { interval: 200 }, () => session.post('Profiler.start')));
    return;
  }
  running = false;
  session.post('Profiler.stop', (err, result) => {
    if (err) return;
    const out = `${process.env.BENCH_PROFILE_OUT}.${n++}.cpuprofile`;
    fs.writeFileSync(out, JSON.stringify(result.profile));
    fs.writeFileSync(`${out}.done`, '');
  });
});
