import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import { Problem } from '@keyward/common';
import { AuthCache } from './auth-cache';

export const AUTH_CACHE_PARTICIPANT = Symbol('AUTH_CACHE_PARTICIPANT');

/** Postgres channel on which a committed auth change is announced (written by the key domain's inline projection). */
export const AUTH_CHANGES_CHANNEL = 'keyward_auth_changes';

interface ChangeRow {
  seq: string;
  company_id: string;
  key_ids: string[];
  owner_ids: string[];
  whole_company: boolean;
}

/** One committed `auth_changes` row, as handed to in-process subscribers (the verifier streams). */
export interface AuthChange {
  seq: number;
  companyId: string;
  keyIds: string[];
  ownerIds: string[];
  wholeCompany: boolean;
}

/**
 * Told about every change this instance applies, in seq order, without a query of its own:
 * `changes(rows, head)` after each poll (rows may be empty; `head`: every change up to it has been
 * handed over), `gap()` when the instance skipped changes (its lease lapsed, it restarted from the
 * head): a subscriber can no longer know what it missed.
 */
export interface AuthChangeSubscriber {
  changes(rows: readonly AuthChange[], head: number): void;
  gap(): void;
}

/**
 * Keeps every API instance's key cache coherent, through Postgres only — the database that
 * holds the change itself, so neither Redis nor the worker stands between a revoke and the
 * guards.
 *
 * A command that can take rights away (revoke, delete, rotation, key edit, owner change, a company
 * role edited or deleted, a company permission removed) writes
 * an `auth_changes` row in the transaction of its event (under the append lock, so `seq`
 * follows commit order) and notifies `keyward_auth_changes` at commit. Each instance:
 * - applies new rows to its cache (woken by the notification, and every `pollMs` regardless),
 *   then renews its lease row in `auth_instances`: the last change applied and a `valid_until`
 *   one lease ahead on the database clock;
 * - answers from its cache only until one lease (less a margin, on its monotonic clock) after
 *   the start of its last successful poll. An instance that cannot reach Postgres stops
 *   trusting its cache within a lease and empties it when it can poll again.
 * `confirmApplied()` (the writer, after its commit) returns once every instance with a live
 * lease has applied every change committed so far. An instance that died or stalled holds a
 * revoke back for at most one lease; a writer that loses Postgres after its commit waits one
 * lease on its own clock, after which every instance has either applied the change or
 * stopped trusting its cache. It never answers while an instance may still serve the key.
 */
@Injectable()
export class CacheCoherenceService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(CacheCoherenceService.name);
  readonly instanceId = randomUUID();
  private readonly leaseMs: number;
  /** Allowance for the time a poll takes to reach the database and for clock rates. */
  private readonly marginMs: number;
  readonly pollMs: number;
  private seenSeq: number | null = null;
  /** performance.now() until which the cache may be used. */
  private trustedUntil = 0;
  private timer?: NodeJS.Timeout;
  private listener?: Client;
  private listenerRetry?: NodeJS.Timeout;
  private closing = false;
  private inFlight: Promise<void> | null = null;
  private again = false;
  private lastPruneAt = 0;
  /** When the last warning about failing polls was logged (one per 10 s while they fail, not one per poll). */
  private warnedAt: number | null = null;
  private readonly subscribers = new Set<AuthChangeSubscriber>();

  constructor(
    @Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig,
    private readonly dataSource: DataSource,
    private readonly cache: AuthCache,
    @Inject(AUTH_CACHE_PARTICIPANT) private readonly participant: boolean,
  ) {
    this.leaseMs = config.authCache.leaseMs;
    this.marginMs = Math.max(250, Math.floor(this.leaseMs / 5));
    this.pollMs = Math.max(50, Math.min(250, Math.floor(this.leaseMs / 8)));
  }

  async onModuleInit(): Promise<void> {
    if (!this.participant) return;
    this.timer = setInterval(() => void this.poll(), this.pollMs);
    this.timer.unref();
    void this.listen();
    await this.poll(); // the first lease before the server answers, when Postgres is there
  }

  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    if (this.timer) clearInterval(this.timer);
    if (this.listenerRetry) clearTimeout(this.listenerRetry);
    this.trustedUntil = 0;
    await this.listener?.end().catch(() => undefined);
    if (this.participant) {
      await this.inFlight?.catch(() => undefined);
      // a stopped instance holds no revoke back
      await this.dataSource.query('DELETE FROM auth_instances WHERE instance_id = $1', [this.instanceId]).catch(() => undefined);
    }
  }

  /** True while this instance may answer from its cache. */
  cacheUsable(): boolean {
    return this.participant && performance.now() < this.trustedUntil;
  }

  /**
   * Hands every change applied from now on to `subscriber` (the instance's own poll and LISTEN:
   * no query per subscriber). Returns the unsubscribe function.
   */
  subscribe(subscriber: AuthChangeSubscriber): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  /** Applies the changes committed so far to this instance's cache and renews its lease; one poll at a time. */
  poll(): Promise<void> {
    if (!this.participant || this.closing) return Promise.resolve();
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    this.inFlight = (async () => {
      try {
        do {
          this.again = false;
          await this.pollOnce();
        } while (this.again && !this.closing);
      } finally {
        this.inFlight = null;
      }
    })();
    return this.inFlight;
  }

  private async pollOnce(): Promise<void> {
    const startedAt = performance.now();
    try {
      const lapsed = this.seenSeq === null || startedAt >= this.trustedUntil;
      if (lapsed) {
        // changes may have been missed: start empty from the current head
        const head: { seq: string }[] = await this.dataSource.query('SELECT coalesce(max(seq), 0) AS seq FROM auth_changes');
        this.cache.invalidate({ all: true });
        const before = this.seenSeq;
        this.seenSeq = Number(head[0].seq);
        const now = this.seenSeq;
        // changes committed meanwhile were skipped: subscribers cannot be told which
        if (before !== null && now !== before) this.publish((s) => s.gap());
        else this.publish((s) => s.changes([], now));
      } else {
        const rows: ChangeRow[] = await this.dataSource.query(
          'SELECT seq, company_id, key_ids, owner_ids, whole_company FROM auth_changes WHERE seq > $1 ORDER BY seq',
          [this.seenSeq],
        );
        for (const row of rows) {
          this.cache.invalidate({ keyIds: row.key_ids, ownerIds: row.owner_ids, companyIds: row.whole_company ? [row.company_id] : [] });
          this.seenSeq = Number(row.seq);
        }
        const changes = rows.map((r) => ({
          seq: Number(r.seq),
          companyId: r.company_id,
          keyIds: r.key_ids,
          ownerIds: r.owner_ids,
          wholeCompany: r.whole_company,
        }));
        const head = this.seenSeq as number;
        this.publish((s) => s.changes(changes, head));
      }
      // only now, with every change applied, does the lease say so
      await this.dataSource.query(
        `INSERT INTO auth_instances (instance_id, seen_seq, valid_until, host, pid)
         VALUES ($1, $2, clock_timestamp() + $3 * interval '1 millisecond', $4, $5)
         ON CONFLICT (instance_id) DO UPDATE SET seen_seq = excluded.seen_seq, valid_until = excluded.valid_until`,
        [this.instanceId, this.seenSeq, this.leaseMs, hostname(), process.pid],
      );
      this.trustedUntil = startedAt + this.leaseMs - this.marginMs;
      if (this.warnedAt !== null) this.logger.log('key cache lease renewed again: the cache is in use');
      this.warnedAt = null;
      await this.prune();
    } catch (err) {
      if (this.closing || (this.warnedAt !== null && startedAt - this.warnedAt < 10_000)) return;
      this.warnedAt = startedAt;
      this.logger.warn(`key cache lease not renewed (${(err as Error).message}): keys are read from Postgres until it is`);
    }
  }

  private publish(deliver: (s: AuthChangeSubscriber) => void): void {
    for (const s of this.subscribers) {
      try {
        deliver(s);
      } catch (err) {
        this.logger.warn(`an auth change subscriber failed: ${(err as Error).message}`);
      }
    }
  }

  /** Old changes and long-gone instances, once a minute: the log is the record, these are signals. */
  private async prune(): Promise<void> {
    const now = performance.now();
    if (now - this.lastPruneAt < 60_000) return;
    this.lastPruneAt = now;
    await this.dataSource.query(`DELETE FROM auth_changes WHERE created_at < clock_timestamp() - interval '1 hour'`);
    await this.dataSource.query(`DELETE FROM auth_instances WHERE valid_until < clock_timestamp() - interval '1 hour'`);
  }

  /** LISTEN for committed changes, so a revoke reaches the cache in milliseconds rather than a poll interval. */
  private async listen(): Promise<void> {
    if (this.closing) return;
    const client = new Client({ connectionString: this.config.databaseUrl, application_name: 'keyward-auth-listen' });
    this.listener = client;
    const retry = () => {
      if (this.closing || this.listener !== client) return;
      this.listener = undefined;
      void client.end().catch(() => undefined);
      this.listenerRetry = setTimeout(() => void this.listen(), 1_000);
      this.listenerRetry.unref();
    };
    client.on('error', retry);
    client.on('end', retry);
    client.on('notification', () => void this.poll());
    try {
      await client.connect();
      await client.query(`LISTEN ${AUTH_CHANGES_CHANNEL}`);
      void this.poll(); // anything committed while we were not listening
    } catch {
      retry();
    }
  }

  /**
   * Resolves once no instance can still answer from a cache that predates the changes committed
   * so far: each instance with a live lease has applied them, or its lease has run out. With a
   * company, that company's verifiers (its own services' caches) are waited for as well.
   */
  async confirmApplied(companyId?: string): Promise<void> {
    const startedAt = performance.now();
    const waitOutLease = async (reason: string) => {
      this.logger.warn(`cache invalidation not confirmed (${reason}): waiting out one instance lease`);
      await sleep(Math.max(0, startedAt + this.leaseMs + this.marginMs - performance.now()));
    };
    await this.poll();
    const deadline = startedAt + 3 * this.leaseMs;
    try {
      const head: { seq: string }[] = await withTimeout(
        this.dataSource.query('SELECT coalesce(max(seq), 0) AS seq FROM auth_changes'),
        this.leaseMs,
      );
      const target = Number(head[0].seq);
      for (let pause = 2; ; pause = Math.min(25, pause * 2)) {
        const behind: { n: string }[] = await withTimeout(
          // Keyward's own instances, and the verifiers of the company whose change it is
          this.dataSource.query(
            `SELECT count(*) AS n FROM auth_instances
              WHERE seen_seq < $1 AND valid_until > clock_timestamp() AND (company_id IS NULL OR company_id = $2)`,
            [target, companyId ?? null],
          ),
          this.leaseMs,
        );
        if (Number(behind[0].n) === 0) return;
        if (performance.now() > deadline) break;
        await sleep(pause);
      }
    } catch (err) {
      return waitOutLease((err as Error).message);
    }
    // an instance renewing its lease without applying changes: impossible by construction, never silent
    throw new Problem(
      503,
      'INVALIDATION_UNCONFIRMED',
      'the change was recorded, but an API instance keeps renewing its key cache lease without applying it; ' +
        'check the instances listed in auth_instances',
      undefined,
      { 'Retry-After': '5' },
    );
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    work,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer from Postgres within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
