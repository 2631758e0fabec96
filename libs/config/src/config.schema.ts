import { isIP } from 'node:net';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const TRUST_PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);
const TRUST_PROXY_SAFER =
  'use a hop count such as 1 (one proxy in front of Keyward), the addresses or CIDRs of your proxies (e.g. 10.0.0.5,10.1.0.0/16), ' +
  'loopback, linklocal or uniquelocal, or false (the socket address)';
const trustProxyEntries = (value: string) => value.split(',').map((e) => e.trim());

/** Why one comma-separated TRUST_PROXY entry is refused, or null when proxy-addr (Fastify's trustProxy) can take it. */
function trustProxyEntryProblem(entry: string): string | null {
  if (TRUST_PROXY_NAMES.has(entry)) return null;
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (!family || rest.length > 0) return `"${entry}" is not an address, a CIDR or one of loopback, linklocal, uniquelocal`;
  if (prefix === undefined) return null;
  const netmask = family === 4 && isIP(prefix) === 4;
  const bits = netmask ? prefix.split('.').reduce((n, part) => n + Number(part).toString(2).replace(/0/g, '').length, 0) : Number(prefix);
  if (!netmask && (!/^\d{1,3}$/.test(prefix) || bits > (family === 4 ? 32 : 128))) return `"${entry}" has no valid prefix length`;
  if (bits === 0) return `"${entry}" is every address: any client could choose its address with X-Forwarded-For`;
  return null;
}

/**
 * TRUST_PROXY as Fastify's trustProxy (proxy-addr, as Express's "trust proxy") reads it, except `true` (and a CIDR of every address): trusting
 * every hop lets any client choose the address that allowedIps, throttling and the audit
 * trail see, by sending X-Forwarded-For.
 */
const trustProxy = z.string().superRefine((value, ctx) => {
  const v = value.trim();
  if (/^(true|yes|on|all|\*)$/i.test(v)) {
    ctx.addIssue({
      code: 'custom',
      message: `"${v}" would trust every hop, so any client could choose its address with X-Forwarded-For; ${TRUST_PROXY_SAFER}`,
    });
    return;
  }
  if (v === 'false' || /^\d{1,2}$/.test(v)) return;
  const problem = trustProxyEntries(v).map(trustProxyEntryProblem).find((p) => p !== null);
  if (problem) ctx.addIssue({ code: 'custom', message: `${problem}; ${TRUST_PROXY_SAFER}` });
});

/** One REDIS_CLUSTER_NODES entry: host:port, [ipv6]:port, or a redis:// / rediss:// URL (credentials, TLS). */
export interface RedisClusterNode {
  host: string;
  port: number;
}

/** Where Keyward's Redis is: one server (REDIS_URL) or a Redis Cluster (REDIS_CLUSTER_NODES). */
export type RedisTarget =
  | { kind: 'single'; url: string }
  | { kind: 'cluster'; nodes: RedisClusterNode[]; username?: string; password?: string; tls: boolean };

type ClusterTarget = Extract<RedisTarget, { kind: 'cluster' }>;

/**
 * REDIS_CLUSTER_NODES: comma-separated seed nodes of a Redis Cluster (any of its masters or
 * replicas; ioredis discovers the rest). Each entry host:port, [ipv6]:port, or a redis:// or
 * rediss:// URL; credentials and TLS, when given, must be the same on every entry that gives them.
 */
export function parseClusterNodes(value: string): ClusterTarget {
  const entries = value.split(',').map((e) => e.trim());
  if (entries.some((e) => e === '')) throw new Error('must be host:port entries separated by commas (an entry is empty)');
  const nodes: RedisClusterNode[] = [];
  const credentials = new Set<string>();
  const schemes = new Set<string>();
  let username: string | undefined;
  let password: string | undefined;
  for (const entry of entries) {
    const url = /^[a-z]+:\/\//i.test(entry) ? entry : `redis://${entry}`;
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new Error(`"${redactEntry(entry)}" is not host:port`);
    }
    if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error(`"${redactEntry(entry)}" must be host:port or a redis:// or rediss:// URL`);
    if (!u.hostname || !/:\d+$/.test(u.host)) throw new Error(`"${redactEntry(entry)}" has no port (host:port)`);
    if ((u.pathname && u.pathname !== '/') || u.search) throw new Error(`"${redactEntry(entry)}": a cluster has no database number or options (host:port only)`);
    const port = Number(u.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`"${redactEntry(entry)}" has no valid port`);
    nodes.push({ host: u.hostname.replace(/^\[|\]$/g, ''), port });
    if (/^[a-z]+:\/\//i.test(entry)) schemes.add(u.protocol);
    if (u.username || u.password) {
      username = u.username ? decodeURIComponent(u.username) : undefined;
      password = u.password ? decodeURIComponent(u.password) : undefined;
      credentials.add(`${u.username}:${u.password}`);
    }
  }
  if (credentials.size > 1) throw new Error('the entries give different credentials: one cluster has one user and password');
  if (schemes.size > 1) throw new Error('mixes redis:// and rediss:// entries: TLS is on for every node or for none');
  return { kind: 'cluster', nodes, username, password, tls: schemes.has('rediss:') };
}

/** The variable that names `target` again, for a child process: REDIS_URL or REDIS_CLUSTER_NODES. */
export function redisVariables(target: RedisTarget): { REDIS_URL: string } | { REDIS_CLUSTER_NODES: string } {
  if (target.kind === 'single') return { REDIS_URL: target.url };
  const userinfo = target.username || target.password
    ? `${encodeURIComponent(target.username ?? '')}${target.password ? `:${encodeURIComponent(target.password)}` : ''}@`
    : '';
  const scheme = target.tls ? 'rediss://' : userinfo ? 'redis://' : '';
  const host = (h: string) => (h.includes(':') ? `[${h}]` : h);
  return { REDIS_CLUSTER_NODES: target.nodes.map((n) => `${scheme}${userinfo}${host(n.host)}:${n.port}`).join(',') };
}

/** An entry as an error message may show it: never its password. */
function redactEntry(entry: string): string {
  return entry.replace(/\/\/([^@/]*)@/, (_m, userinfo: string) => `//${userinfo.includes(':') ? `${userinfo.split(':')[0]}:***` : userinfo}@`);
}

const clusterNodes = z.string().transform((value, ctx) => {
  try {
    return parseClusterNodes(value);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

/** A Redis key prefix, or one hash tag around it ({keyward}); see keyPrefix() for Cluster. */
const REDIS_PREFIX_PATTERN = /^(\{[A-Za-z0-9:_-]{1,64}\}|[A-Za-z0-9:_-]{1,64})$/;

/**
 * Every environment variable Keyward reads. This schema is the only place that
 * knows their names; the rest of the code receives the typed `KeywardConfig`.
 */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: z.string().url({ message: 'must be a postgres:// URL' }),
  /** One Redis server. Required unless REDIS_CLUSTER_NODES names a Redis Cluster; never both. */
  REDIS_URL: z.string().url({ message: 'must be a redis:// URL' }).optional(),
  /** A Redis Cluster instead of REDIS_URL: comma-separated host:port seed nodes (docs/redis-cluster.md). */
  REDIS_CLUSTER_NODES: clusterNodes.optional(),
  /**
   * Prefix of every Redis key and channel (BullMQ queues included): lets several deployments share one Redis.
   * With REDIS_CLUSTER_NODES it becomes a hash tag, {keyward}, so every key of Keyward is in one slot.
   */
  REDIS_PREFIX: z.string().regex(REDIS_PREFIX_PATTERN, { message: 'must be 1-64 of A-Z a-z 0-9 : _ - (optionally inside one pair of braces)' }).default('keyward'),
  /** Secret mixed into HMAC-SHA-256(pepper, key). Never stored in the database. */
  KEYWARD_PEPPER: z.string().min(32, { message: 'must be at least 32 characters' }),
  HOST: z.string().default('0.0.0.0'),
  PORT: int(0, 65535).default(3000),
  /**
   * The worker's own port, for /health/live, /health/ready and /metrics only (same HOST as the API).
   * Unset: 3002, or any free port when 3002 is taken (logged); set: that port or the worker stops; 0: any free port.
   */
  WORKER_HTTP_PORT: int(0, 65535).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'verbose']).default('info'),
  /** Largest accepted request body (body-parser syntax). */
  BODY_LIMIT: z.string().regex(/^\d+(kb|mb)$/).default('64kb'),
  KEY_MAX_EXPIRY_DAYS: int(1, 3650).default(365),
  DEFAULT_RATE_LIMIT: int(1, 1_000_000_000).default(1000),
  DEFAULT_RATE_LIMIT_WINDOW_SECONDS: int(1, 31_536_000).default(3600),
  AUTH_CACHE_MAX_ENTRIES: int(0, 10_000_000).default(10_000),
  AUTH_CACHE_TTL_MS: int(0, 86_400_000).default(60_000),
  /** How long an API instance may trust its cache after its last successful lease renewal in Redis. */
  INSTANCE_LEASE_MS: int(1000, 600_000).default(5_000),
  /** How long a write waits for the projector and for every instance before answering 503. */
  CONSISTENCY_TIMEOUT_MS: int(100, 600_000).default(15_000),
  PROJECTION_TICK_MS: int(100, 3_600_000).default(5_000),
  PROJECTION_BATCH_SIZE: int(1, 100_000).default(500),
  DOCS_PUBLIC: bool.default(true),
  /** The web console at /console (static pages; everything they show needs a key). */
  CONSOLE_ENABLED: bool.default(true),
  /** Where the console's build is; by default dist/console of this installation. */
  CONSOLE_DIR: z.string().min(1).optional(),
  /**
   * Fastify's trustProxy (proxy-addr's rules): false (default: the socket address), a hop count, or comma-separated
   * addresses/CIDRs of the proxies and the names loopback, linklocal, uniquelocal. Never `true`.
   */
  TRUST_PROXY: trustProxy.default('false'),
  /** Failed authentications allowed per client address and window before 429. */
  AUTH_FAILURE_LIMIT: int(1, 1_000_000).default(30),
  AUTH_FAILURE_WINDOW_SECONDS: int(1, 86_400).default(60),
  /** Usage events are buffered in each API instance and handed to the worker in batches. */
  USAGE_FLUSH_MS: int(10, 60_000).default(250),
  USAGE_BATCH_SIZE: int(1, 10_000).default(1000),
  /** How often the worker looks for keys past their expiry or rotation grace. */
  EXPIRY_SWEEP_MS: int(1000, 3_600_000).default(30_000),
  /** 32 bytes, base64 or hex: encrypts shared secrets and the central API key at rest (AES-256-GCM). */
  SECRETS_ENCRYPTION_KEY: z
    .string()
    .regex(/^([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$/, { message: 'must be 32 bytes as 64 hex characters or base64' })
    .optional(),
  /** Upstream central service (README: "Central link"); unset: no central link. */
  CENTRAL_URL: z.string().url({ message: 'must be an http(s) URL' }).optional(),
  CENTRAL_TIMEOUT_MS: int(100, 120_000).default(5_000),
  TELEMETRY_INTERVAL_MS: int(1_000, 86_400_000).default(3_600_000),
  /** A scheduled heartbeat that fails is retried with exponential backoff: this many attempts in all, the first retry after this delay. */
  TELEMETRY_RETRY_ATTEMPTS: int(1, 20).default(5),
  TELEMETRY_RETRY_DELAY_MS: int(10, 3_600_000).default(30_000),
  /** Ed25519 private key (PKCS#8 PEM, or base64 of the 32-byte seed) that signs audit checkpoints. */
  AUDIT_SIGNING_KEY: z.string().min(40).optional(),
  /** /metrics without a key (true) or only for admin.system.api keys (false). */
  METRICS_PUBLIC: bool.default(true),
  /** /health/ready fails when the oldest unprojected event is older than this. */
  PROJECTION_LAG_MAX_SECONDS: int(1, 86_400).default(60),
  /** How often the chain head is signed (only when it moved). */
  AUDIT_CHECKPOINT_MS: int(1000, 86_400_000).default(600_000),
  /** Audit exports hold a database connection while their client reads: at most this many at once per API instance ... */
  AUDIT_EXPORT_MAX_PER_INSTANCE: int(1, 100).default(2),
  /** ... and per company across the installation, so one company's slow reader cannot hold every slot. */
  AUDIT_EXPORT_MAX_PER_COMPANY: int(1, 100).default(1),
  /** An export whose client accepts nothing for this long ends (completed: false) and releases its cursor. */
  AUDIT_EXPORT_IDLE_TIMEOUT_MS: int(1000, 3_600_000).default(60_000),
  /** No export runs longer than this, however steadily its client reads. */
  AUDIT_EXPORT_MAX_DURATION_MS: int(1000, 86_400_000).default(3_600_000),
  /** The worker archives whole partitions of the log whose events are all older than this many days (with AUDIT_ARCHIVE_DIR; docs/audit-archive.md). */
  AUDIT_ARCHIVE_AFTER_DAYS: int(1, 36_500).optional(),
  /** The directory the worker's archives go to (created with mode 0700); set together with AUDIT_ARCHIVE_AFTER_DAYS. */
  AUDIT_ARCHIVE_DIR: z.string().min(1).optional(),
  /** Webhook targets on private, loopback, link-local or otherwise non-public addresses are refused unless this is true. */
  WEBHOOK_ALLOW_PRIVATE: bool.default(false),
  /** One delivery attempt waits this long for the receiver's answer. */
  WEBHOOK_TIMEOUT_MS: int(100, 60_000).default(10_000),
  /** Failed deliveries are retried with exponential backoff (1 s, 2 s, 4 s, …) up to this delay between attempts, for as long as it takes. */
  WEBHOOK_RETRY_MAX_SECONDS: int(1, 86_400).default(600),
  /** Attempts older than this leave the delivery log (the events themselves stay in the audit log). */
  WEBHOOK_DELIVERY_LOG_DAYS: int(1, 3650).default(14),
});

export type Env = z.infer<typeof envSchema>;

/**
 * The prefix every Redis key and channel of Keyward starts with. On a Redis Cluster it is one
 * hash tag, `{REDIS_PREFIX}`, so that every key lands in the same slot: BullMQ's scripts and
 * Keyward's own (rate-limit quotas, dashboard sessions) touch several keys at once, which a
 * cluster allows only within one slot. On one server the prefix is unchanged (no key moves on upgrade).
 */
export function keyPrefix(prefix: string, redis: RedisTarget): string {
  if (redis.kind === 'single' || /^\{.*\}$/.test(prefix)) return prefix;
  return `{${prefix}}`;
}

export interface KeywardConfig {
  env: Env['NODE_ENV'];
  databaseUrl: string;
  /** REDIS_URL or REDIS_CLUSTER_NODES (libs/queue makes the clients: createRedisClient, bullConnection). */
  redis: RedisTarget;
  /** Prefix of every Redis key and channel: REDIS_PREFIX, a hash tag {REDIS_PREFIX} on a Cluster (keyPrefix()). */
  redisPrefix: string;
  pepper: string;
  host: string;
  port: number;
  /** WORKER_HTTP_PORT, null when unset (the worker then takes 3002 or, when that is taken, any free port). */
  workerHttpPort: number | null;
  logLevel: Env['LOG_LEVEL'];
  bodyLimit: string;
  keys: { maxExpiryDays: number; defaultRateLimit: { limit: number; windowSeconds: number } };
  authCache: { maxEntries: number; ttlMs: number; leaseMs: number };
  consistencyTimeoutMs: number;
  projection: { tickMs: number; batchSize: number };
  docsPublic: boolean;
  console: { enabled: boolean; dir: string | null };
  /** Fastify's trustProxy (proxy-addr's rules): false, a hop count, or comma-separated addresses/CIDRs/names; never true. */
  trustProxy: false | number | string;
  authFailures: { limit: number; windowSeconds: number };
  usage: { flushMs: number; batchSize: number };
  expirySweepMs: number;
  /** AES-256-GCM key (32 bytes), absent when not configured. */
  secretsKey: Buffer | null;
  central: { url: string | null; timeoutMs: number };
  telemetryIntervalMs: number;
  telemetryRetry: { attempts: number; delayMs: number };
  audit: {
    signingKey: string | null;
    checkpointMs: number;
    export: { maxPerInstance: number; maxPerCompany: number; idleTimeoutMs: number; maxDurationMs: number };
    /** The worker's archive schedule; null: the worker archives nothing (keyward audit archive still can). */
    archive: { afterDays: number; dir: string } | null;
  };
  metricsPublic: boolean;
  projectionLagMaxSeconds: number;
  webhooks: { allowPrivate: boolean; timeoutMs: number; retryMaxSeconds: number; deliveryLogDays: number };
}

export class ConfigError extends Error {}

/** Validates the environment once; throws a ConfigError naming every bad variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): KeywardConfig {
  const parsed = envSchema.safeParse(source);
  const lines = parsed.success
    ? []
    : parsed.error.issues.map((i) => {
        const name = i.path.join('.');
        return `  ${name}: ${source[name] === undefined ? 'is required' : i.message}`;
      });
  const redisProblem = redisChoiceProblem(source);
  if (redisProblem) lines.push(`  ${redisProblem}`);
  if (!parsed.success || lines.length > 0) throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  const e = parsed.data;
  const redis: RedisTarget = e.REDIS_CLUSTER_NODES ?? { kind: 'single', url: e.REDIS_URL! };
  return {
    env: e.NODE_ENV,
    databaseUrl: e.DATABASE_URL,
    redis,
    redisPrefix: keyPrefix(e.REDIS_PREFIX, redis),
    pepper: e.KEYWARD_PEPPER,
    host: e.HOST,
    port: e.PORT,
    workerHttpPort: e.WORKER_HTTP_PORT ?? null,
    logLevel: e.LOG_LEVEL,
    bodyLimit: e.BODY_LIMIT,
    keys: {
      maxExpiryDays: e.KEY_MAX_EXPIRY_DAYS,
      defaultRateLimit: { limit: e.DEFAULT_RATE_LIMIT, windowSeconds: e.DEFAULT_RATE_LIMIT_WINDOW_SECONDS },
    },
    authCache: { maxEntries: e.AUTH_CACHE_MAX_ENTRIES, ttlMs: e.AUTH_CACHE_TTL_MS, leaseMs: e.INSTANCE_LEASE_MS },
    consistencyTimeoutMs: e.CONSISTENCY_TIMEOUT_MS,
    projection: { tickMs: e.PROJECTION_TICK_MS, batchSize: e.PROJECTION_BATCH_SIZE },
    docsPublic: e.DOCS_PUBLIC,
    console: { enabled: e.CONSOLE_ENABLED, dir: e.CONSOLE_DIR ?? null },
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    authFailures: { limit: e.AUTH_FAILURE_LIMIT, windowSeconds: e.AUTH_FAILURE_WINDOW_SECONDS },
    usage: { flushMs: e.USAGE_FLUSH_MS, batchSize: e.USAGE_BATCH_SIZE },
    expirySweepMs: e.EXPIRY_SWEEP_MS,
    secretsKey: e.SECRETS_ENCRYPTION_KEY
      ? Buffer.from(e.SECRETS_ENCRYPTION_KEY, e.SECRETS_ENCRYPTION_KEY.length === 64 ? 'hex' : 'base64')
      : null,
    central: { url: e.CENTRAL_URL ?? null, timeoutMs: e.CENTRAL_TIMEOUT_MS },
    telemetryIntervalMs: e.TELEMETRY_INTERVAL_MS,
    telemetryRetry: { attempts: e.TELEMETRY_RETRY_ATTEMPTS, delayMs: e.TELEMETRY_RETRY_DELAY_MS },
    audit: {
      signingKey: e.AUDIT_SIGNING_KEY ?? null,
      checkpointMs: e.AUDIT_CHECKPOINT_MS,
      export: {
        maxPerInstance: e.AUDIT_EXPORT_MAX_PER_INSTANCE,
        maxPerCompany: e.AUDIT_EXPORT_MAX_PER_COMPANY,
        idleTimeoutMs: e.AUDIT_EXPORT_IDLE_TIMEOUT_MS,
        maxDurationMs: e.AUDIT_EXPORT_MAX_DURATION_MS,
      },
      archive: auditArchive(e.AUDIT_ARCHIVE_AFTER_DAYS, e.AUDIT_ARCHIVE_DIR, e.AUDIT_SIGNING_KEY),
    },
    metricsPublic: e.METRICS_PUBLIC,
    projectionLagMaxSeconds: e.PROJECTION_LAG_MAX_SECONDS,
    webhooks: {
      allowPrivate: e.WEBHOOK_ALLOW_PRIVATE,
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      retryMaxSeconds: e.WEBHOOK_RETRY_MAX_SECONDS,
      deliveryLogDays: e.WEBHOOK_DELIVERY_LOG_DAYS,
    },
  };
}

/** Exactly one of REDIS_URL and REDIS_CLUSTER_NODES: the problem, naming the variable, or null. */
function redisChoiceProblem(source: NodeJS.ProcessEnv): string | null {
  const single = source.REDIS_URL !== undefined;
  const cluster = source.REDIS_CLUSTER_NODES !== undefined;
  if (!single && !cluster) return 'REDIS_URL: is required (or REDIS_CLUSTER_NODES, for a Redis Cluster)';
  if (single && cluster) {
    return 'REDIS_CLUSTER_NODES: set together with REDIS_URL; name one Redis, a single server (REDIS_URL) or a cluster (REDIS_CLUSTER_NODES), not both';
  }
  return null;
}

function parseTrustProxy(value: string): number | string | false {
  const v = value.trim();
  if (v === 'false') return false;
  if (/^\d+$/.test(v)) return Number(v);
  return trustProxyEntries(v).join(',');
}

/**
 * AUDIT_ARCHIVE_AFTER_DAYS and AUDIT_ARCHIVE_DIR go together: one without the other is refused,
 * naming both; and the schedule needs AUDIT_SIGNING_KEY (each archived segment's seal is signed).
 */
function auditArchive(afterDays: number | undefined, dir: string | undefined, signingKey: string | undefined): KeywardConfig['audit']['archive'] {
  if (afterDays === undefined && dir === undefined) return null;
  if (afterDays === undefined || dir === undefined) {
    const missing = afterDays === undefined ? 'AUDIT_ARCHIVE_AFTER_DAYS' : 'AUDIT_ARCHIVE_DIR';
    throw new ConfigError(`Invalid configuration:\n  ${missing}: is required when ${missing === 'AUDIT_ARCHIVE_DIR' ? 'AUDIT_ARCHIVE_AFTER_DAYS' : 'AUDIT_ARCHIVE_DIR'} is set (the worker's archive schedule needs both)`);
  }
  if (signingKey === undefined) {
    throw new ConfigError(`Invalid configuration:\n  AUDIT_SIGNING_KEY: is required when AUDIT_ARCHIVE_DIR is set (the seal of each archived segment is signed with it)`);
  }
  return { afterDays, dir };
}
