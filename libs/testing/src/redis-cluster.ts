import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Redis } from 'ioredis';
import { OutputTail, delay, findFreePort, hasExited, spawnGuarded, stopGuarded } from '@keyward/embedded';

/** Every key of a Redis Cluster lives in one of these slots, split between the masters. */
const SLOTS = 16_384;

export interface RedisClusterOptions {
  /** Each node's files (nodes.conf) go into `<dataDir>/node-<n>`; created if missing. */
  dataDir: string;
  /** Default 3, the fewest a Redis Cluster is made of. */
  masters?: number;
  /** Default: `redis-server` on the PATH (7.0 or newer: cluster-port and CLUSTER ADDSLOTSRANGE). */
  executable?: string;
  startTimeoutMs?: number;
}

export interface RunningRedisCluster {
  nodes: Array<{ host: string; port: number }>;
  /** The nodes as REDIS_CLUSTER_NODES takes them: `127.0.0.1:p1,127.0.0.1:p2,…`. */
  nodesVariable: string;
  stop(): Promise<void>;
}

/**
 * A throw-away Redis Cluster on 127.0.0.1: `masters` redis-server processes with cluster-enabled,
 * no replicas, nothing saved to disk, the slots split evenly (CLUSTER ADDSLOTSRANGE) and the nodes
 * introduced to each other (CLUSTER MEET). Resolves once every node reports cluster_state:ok and
 * knows every master.
 */
export async function startRedisCluster(options: RedisClusterOptions): Promise<RunningRedisCluster> {
  const masters = options.masters ?? 3;
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  const started: Array<{ stop: () => Promise<void> }> = [];
  const stop = async () => {
    await Promise.all(started.map((s) => s.stop()));
  };
  try {
    const nodes: Array<{ port: number; busPort: number; client: Redis; output: OutputTail }> = [];
    for (let n = 0; n < masters; n++) {
      const dir = path.join(path.resolve(options.dataDir), `node-${n}`);
      await mkdir(dir, { recursive: true });
      const [port, busPort] = await twoFreePorts();
      const server = spawnGuarded(options.executable ?? 'redis-server', [
        '--port', String(port),
        '--cluster-port', String(busPort),
        '--bind', '127.0.0.1',
        '--cluster-enabled', 'yes',
        '--cluster-config-file', path.join(dir, 'nodes.conf'),
        '--cluster-node-timeout', '5000',
        '--dir', dir,
        '--save', '',
        '--appendonly', 'no',
        '--maxmemory-policy', 'noeviction',
        '--daemonize', 'no',
      ]);
      const output = new OutputTail();
      server.guard.stdout?.on('data', (chunk: Buffer) => output.push(chunk));
      server.guard.stderr?.on('data', (chunk: Buffer) => output.push(chunk));
      started.push({ stop: () => stopGuarded(server, 10_000).then(() => undefined) });
      await server.started;
      const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => 200 });
      client.on('error', () => undefined);
      nodes.push({ port, busPort, client, output });
      await until(timeoutMs, `redis-server on port ${port} to answer PING`, async () => {
        if (hasExited(server.guard)) throw new Error(`redis-server (port ${port}) exited during start-up:\n${output}`);
        if (client.status === 'wait') await client.connect().catch(() => undefined);
        return (await client.ping().catch(() => '')) === 'PONG';
      });
    }
    try {
      const [first] = nodes;
      for (const [n, node] of nodes.entries()) {
        const from = Math.floor((SLOTS * n) / masters);
        const to = Math.floor((SLOTS * (n + 1)) / masters) - 1;
        await node.client.call('CLUSTER', 'ADDSLOTSRANGE', String(from), String(to));
        if (node !== first) await first.client.call('CLUSTER', 'MEET', '127.0.0.1', String(node.port), String(node.busPort));
      }
      await until(timeoutMs, `the cluster of ${masters} masters to be ok on every node`, async () => {
        for (const node of nodes) {
          const info = String(await node.client.call('CLUSTER', 'INFO'));
          if (!/cluster_state:ok/.test(info) || !new RegExp(`cluster_known_nodes:${masters}\\b`).test(info)) return false;
        }
        return true;
      });
    } finally {
      for (const node of nodes) node.client.disconnect();
    }
    const addresses = nodes.map((n) => ({ host: '127.0.0.1', port: n.port }));
    return { nodes: addresses, nodesVariable: addresses.map((a) => `${a.host}:${a.port}`).join(','), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Two free ports: the node's and its cluster bus's. */
async function twoFreePorts(): Promise<[number, number]> {
  for (;;) {
    const a = await findFreePort();
    const b = await findFreePort();
    if (a !== b) return [a, b];
  }
}

async function until(timeoutMs: number, what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(50);
  }
}
