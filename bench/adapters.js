// @ts-check
'use strict';
/**
 * What the HTTP adapter costs NestJS on this machine (issue 15: "the Fastify adapter … measure
 * both"): the bare reference app (bench/reference/nest-app.js, no Keyward) on Express and on
 * Fastify, its public `GET /health` and its `GET /floor` (the least a key guard with a usage trail
 * and rate-limit headers does), one process at a time, same connections and duration.
 *
 *   node bench/adapters.js
 *   BENCH_CONNECTIONS=50 BENCH_DURATION=10 BENCH_WARMUP=2 node bench/adapters.js
 */
const autocannon = require('autocannon');
const { envInt, loadFigures, machine, printTable, run, startProcess } = require('./lib');

const connections = envInt('BENCH_CONNECTIONS', 50);
const duration = envInt('BENCH_DURATION', 10);
const warmup = envInt('BENCH_WARMUP', 2);

/** @returns {Promise<import('autocannon').Result>} */
const load = (url, seconds) => autocannon({ url, connections, duration: seconds });

run(async () => {
  const rows = [];
  /** @type {Record<string, number>} */
  const perSecond = {};
  for (const adapter of ['express', 'fastify']) {
    const app = await startProcess('nest-reference', { ADAPTER: adapter });
    for (const route of ['/health', '/floor']) {
      await load(`${app.url}${route}`, warmup);
      const r = await load(`${app.url}${route}`, duration);
      rows.push(loadFigures(`${adapter} GET ${route}`, r));
      perSecond[`${adapter} ${route}`] = r.requests.average;
    }
    await app.stop();
  }
  const ratio = (a, b) => Math.round((perSecond[a] / perSecond[b]) * 1000) / 1000;
  const ratios = {
    fastifyOverExpressHealth: ratio('fastify /health', 'express /health'),
    fastifyOverExpressFloor: ratio('fastify /floor', 'express /floor'),
    expressFloorOverHealth: ratio('express /floor', 'express /health'),
    fastifyFloorOverHealth: ratio('fastify /floor', 'fastify /health'),
  };
  process.stdout.write(`\nbare NestJS by HTTP adapter — ${connections} connections, ${duration} s per route\n\n`);
  printTable(rows, Object.keys(rows[0]));
  process.stdout.write(`\nFastify ÷ Express: /health ${ratios.fastifyOverExpressHealth}, /floor ${ratios.fastifyOverExpressFloor}\n`);
  process.stdout.write(`/floor ÷ /health: Express ${ratios.expressFloorOverHealth}, Fastify ${ratios.fastifyFloorOverHealth}\n`);
  process.stdout.write(`${JSON.stringify({ bench: 'adapters', date: new Date().toISOString(), machine: machine(), connections, durationSeconds: duration, rows, ratios })}\n`);
  const bad = rows.reduce((n, r) => n + r.non2xx + r.errors, 0);
  return bad > 0 ? 1 : 0;
});
