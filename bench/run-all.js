// @ts-check
'use strict';
/** `npm run bench`: every benchmark, one after the other (they would distort each other side by side). */
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const benches = ['guard-throughput.js', 'revoke-latency.js', 'usage-load.js', 'example-guard.js', 'usage-ingest.js', 'usage-series.js'];
// the audit bench builds a log of a million events and takes several minutes: only when asked
if (process.env.BENCH_AUDIT === '1') benches.push('audit-1m.js');
let failed = 0;
for (const file of benches) {
  process.stdout.write(`\n=== ${file}\n`);
  const result = spawnSync(process.execPath, [path.join(__dirname, file)], { stdio: 'inherit' });
  if (result.status !== 0) {
    failed += 1;
    process.stdout.write(`=== ${file} failed (exit ${result.status ?? result.signal})\n`);
  }
}
process.exitCode = failed > 0 ? 1 : 0;
