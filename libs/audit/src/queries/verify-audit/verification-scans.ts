import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Problem } from '@keyward/common';

/** Held (transaction-scoped) by the instance that scans, so one verification scan runs at a time per installation. */
export const VERIFY_LOCK = 7_301_944_020;

/** What the scans of this instance did since it started: for tests and diagnostics. */
export interface VerificationScanStats {
  /** Calls of `run`, shared or not. */
  requests: number;
  /** Requests answered by a scan another request had already queued or started. */
  shared: number;
  /** Scans started (each one under the installation's lock). */
  scans: number;
  /** Scans running now on this instance: never more than one. */
  running: number;
}

interface Pending {
  share: string | undefined;
  result: Promise<unknown>;
}

/**
 * Verification reads the whole log (or a company's part of it), so it is a cheap way to load the
 * database. Scans therefore run one at a time per installation: in this instance they wait in one
 * queue, and each runs holding a Postgres advisory lock that the other instances (and the command
 * line) wait for. Requests for the same scan (same `share` key) while it is queued or running get
 * its result. A requester (a company) has at most one distinct scan queued or running: another one
 * is refused with 429 VERIFY_BUSY, so no one can queue up an unbounded pile of scans.
 */
@Injectable()
export class VerificationScans {
  /** Distinct scans waiting in this instance at most; beyond it, 429. */
  static readonly MAX_QUEUED = 32;

  readonly stats: VerificationScanStats = { requests: 0, shared: 0, scans: 0, running: 0 };
  private readonly byShare = new Map<string, Promise<unknown>>();
  private readonly byRequester = new Map<string, Pending>();
  private queue: Promise<unknown> = Promise.resolve();
  private queued = 0;

  constructor(private readonly dataSource: DataSource) {}

  /**
   * Runs `scan` after the scans queued before it, under the installation's lock.
   * share: requests with this key while the scan is queued or running get its result (omit it
   * for a scan that reports progress to its one caller). requester: one distinct scan at a time.
   */
  run<T>(scan: () => Promise<T>, options: { share?: string; requester?: string } = {}): Promise<T> {
    this.stats.requests++;
    const { share, requester } = options;
    const same = share === undefined ? undefined : this.byShare.get(share);
    if (same) {
      this.stats.shared++;
      return same as Promise<T>;
    }
    if (requester !== undefined && this.byRequester.has(requester)) {
      throw busy('a different verification of this company is already queued or running; retry when it has answered');
    }
    if (this.queued >= VerificationScans.MAX_QUEUED) throw busy(`${this.queued} verifications are waiting on this instance`);

    this.queued++;
    const result = this.queue.then(() => this.locked(scan));
    this.queue = result.catch(() => undefined);
    const entry: Pending = { share, result };
    if (share !== undefined) this.byShare.set(share, result);
    if (requester !== undefined) this.byRequester.set(requester, entry);
    const done = () => {
      this.queued--;
      if (share !== undefined && this.byShare.get(share) === result) this.byShare.delete(share);
      if (requester !== undefined && this.byRequester.get(requester) === entry) this.byRequester.delete(requester);
    };
    result.then(done, done);
    return result;
  }

  /**
   * The lock is transaction-scoped on a connection of its own, so it goes away with the
   * transaction or the connection, whatever happens to the scan. The wait for it has no timeout
   * (an installation-wide scan may take minutes); this instance waits with one connection at most.
   */
  private async locked<T>(scan: () => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await runner.query('SET LOCAL lock_timeout = 0');
      await runner.query('SET LOCAL statement_timeout = 0');
      await runner.query('SET LOCAL idle_in_transaction_session_timeout = 0');
      await runner.query('SELECT pg_advisory_xact_lock($1)', [VERIFY_LOCK]);
      this.stats.scans++;
      this.stats.running++;
      try {
        return await scan();
      } finally {
        this.stats.running--;
      }
    } finally {
      await runner.rollbackTransaction().catch(() => undefined);
      await runner.release();
    }
  }
}

function busy(detail: string): Problem {
  return new Problem(429, 'VERIFY_BUSY', detail, undefined, { 'Retry-After': '5' });
}
