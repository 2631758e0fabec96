import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource, QueryRunner } from 'typeorm';
import { APPEND_LOCK, EventStore, StoredEvent, toStoredEvent } from '@keyward/event-store';
import { EVENT_COLUMNS, toAuditEvent } from '../audit-filter';
import { CheckpointSigner } from '../checkpoints/checkpoint-signer';
import {
  ARCHIVE_FORMAT,
  AUDIT_ARCHIVED,
  ArchiveManifest,
  ArchiveSegment,
  ArchiveVerification,
  ChainPoint,
  START_OF_LOG,
  manifestFileName,
  segmentFileName,
  sha256Hex,
  verifyArchiveDir,
} from './archive-manifest';
import { ArchiveSeals } from './archive-seals';

/** Held (session-level, on a connection of its own) by the one archive run of an installation. */
export const ARCHIVE_LOCK = 7_301_944_031;

/**
 * The per-request records: nearly all of the log's volume, folded by no aggregate (only by the usage
 * read models, which stay). Every other archived event is also kept in events_retained.
 */
export const NOT_RETAINED = ['KeyUsed', 'AuthenticationFailed'];

/** Named, not `*`: the first partition of an upgraded installation is the old table, whatever its column order. */
const ALL_COLUMNS = 'position, transaction_id, event_id, stream_id, stream_version, type, occurred_at, company_id, actor, data, metadata, prev_hash, hash';

/** Rows read per query while a partition is written out: the memory of a run does not grow with the log. */
const BATCH = 5000;

export interface ArchiveRun {
  dir: string;
  /** null: nothing was archived (no whole partition before the instant). */
  manifest: string | null;
  manifestSha256: string | null;
  segments: { file: string; events: number; firstPosition: number | null; lastPosition: number | null; bytes: number }[];
  events: number;
  bytes: number;
  startsAfter: ChainPoint;
  through: ChainPoint | null;
  /** Position of the AuditArchived event that records it; null when nothing was archived. */
  recordedAt: number | null;
  /** Partitions dropped by this run (those of an earlier run whose drop had not completed included). */
  dropped: string[];
  /** Why the run stopped before a partition, when it did. */
  stoppedAt?: { partition: string; reason: string };
  ms: number;
}

interface Partition {
  name: string;
  from: number;
  to: number;
  detachPending: boolean;
}

/**
 * `keyward audit archive` and the worker's schedule: the log's oldest whole partitions whose
 * every event occurred before an instant go to sealed segments in a directory, are read back and
 * verified there, recorded in the log (AuditArchived), and only then dropped. docs/audit-archive.md.
 */
@Injectable()
export class AuditArchiver {
  private readonly logger = new Logger(AuditArchiver.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: EventStore,
    private readonly signer: CheckpointSigner,
    private readonly seals: ArchiveSeals,
  ) {}

  async archive(options: {
    before: Date;
    dir: string;
    actor: StoredEvent['actor'];
    onProgress?: (events: number) => void;
  }): Promise<ArchiveRun> {
    const started = Date.now();
    if (!this.signer.publicKey) throw new Error('AUDIT_SIGNING_KEY is not set: an archive needs it to sign the seal of each segment');
    const dir = path.resolve(options.dir);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      // waits are long here on purpose (a detach waits for running readers); the session is reset at the end
      await runner.query('SET statement_timeout = 0');
      await runner.query('SET lock_timeout = 0');
      const [{ locked }]: { locked: boolean }[] = await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [ARCHIVE_LOCK]);
      if (!locked) throw new Error('another archive of this installation is running');
      try {
        return await this.locked(runner, { ...options, dir }, started);
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1)', [ARCHIVE_LOCK]);
      }
    } finally {
      await runner.query('RESET statement_timeout; RESET lock_timeout').catch(() => undefined);
      await runner.release();
    }
  }

  private async locked(
    runner: QueryRunner,
    o: { before: Date; dir: string; actor: StoredEvent['actor']; onProgress?: (events: number) => void },
    started: number,
  ): Promise<ArchiveRun> {
    const seal = await this.seals.newest();
    const startsAfter: ChainPoint = seal ? { position: seal.throughPosition, hash: seal.lastHash } : START_OF_LOG;
    const { partitions, lastGiven } = await this.closedPartitions(runner);
    const run: ArchiveRun = { dir: o.dir, manifest: null, manifestSha256: null, segments: [], events: 0, bytes: 0, startsAfter, through: null, recordedAt: null, dropped: [], ms: 0 };

    // an earlier run recorded its archive but did not finish dropping: those partitions are sealed already
    for (const p of partitions.filter((p) => p.to - 1 <= startsAfter.position)) {
      await this.drop(runner, p);
      run.dropped.push(p.name);
    }

    const segments: ArchiveSegment[] = [];
    let chain = startsAfter;
    let previousSeal: ChainPoint | null = null;
    for (const p of partitions.filter((p) => p.from > startsAfter.position)) {
      if (p.to - 1 > lastGiven) break; // still open: appends may land in it
      const [last]: { occurred_at: Date }[] = await runner.query(`SELECT occurred_at FROM ${p.name} ORDER BY position DESC LIMIT 1`);
      if (last && last.occurred_at.getTime() >= o.before.getTime()) {
        run.stoppedAt = { partition: p.name, reason: `its last event occurred at ${last.occurred_at.toISOString()}, not before ${o.before.toISOString()}` };
        break;
      }
      const written = await this.writeSegment(p, o.dir, chain, o.before, (n) => o.onProgress?.(run.events + n));
      if ('refused' in written) {
        run.stoppedAt = { partition: p.name, reason: written.refused };
        break;
      }
      const seal = this.signer.seal(written.end, previousSeal);
      segments.push({ ...written.segment, seal });
      previousSeal = { position: seal.position, hash: seal.hash };
      chain = written.end;
      run.events += written.segment.events;
      run.bytes += written.segment.bytes;
    }
    if (segments.length === 0) {
      run.ms = Date.now() - started;
      return run;
    }

    const manifest: ArchiveManifest = {
      format: ARCHIVE_FORMAT,
      createdAt: new Date().toISOString(),
      before: o.before.toISOString(),
      startsAfter,
      through: chain,
      events: run.events,
      segments,
      publicKey: this.signer.publicKey!,
      keyFingerprint: this.signer.fingerprint!,
    };
    const manifestName = manifestFileName(chain.position);
    const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 2) + '\n');
    await writeFile(path.join(o.dir, `${manifestName}.partial`), manifestBytes, { mode: 0o600 });
    await rename(path.join(o.dir, `${manifestName}.partial`), path.join(o.dir, manifestName));
    const manifestSha256 = sha256Hex(manifestBytes);

    // read back from the disk and checked before anything leaves the database
    const check = await this.readBack(o.dir, manifestName, manifest);
    if (!check.ok) {
      const first = check.problems[0];
      throw new Error(`the archive written to ${o.dir} does not verify (${first.reason} in ${first.file ?? first.manifest}${first.position ? ` at position ${first.position}` : ''}): nothing was dropped`);
    }
    for (const s of segments) {
      const [{ n }]: { n: string }[] = await runner.query(`SELECT count(*) AS n FROM ${s.partition.name}`);
      if (Number(n) !== s.events) throw new Error(`partition ${s.partition.name} holds ${n} events, its segment ${s.events}: nothing was dropped`);
    }

    // one transaction: the write side's copy of what leaves (events_retained), and the record of it
    const recorded = await this.dataSource.transaction('READ COMMITTED', async (m) => {
      await m.query('SET LOCAL statement_timeout = 0'); // a partition is read whole once more
      for (const s of segments) {
        await m.query(
          `INSERT INTO events_retained (${ALL_COLUMNS}) SELECT ${ALL_COLUMNS} FROM ${s.partition.name} WHERE type <> ALL($1::text[]) ON CONFLICT DO NOTHING`,
          [NOT_RETAINED],
        );
      }
      return this.store.appendWithin(m, [
        {
          streamId: 'audit-archives',
          type: AUDIT_ARCHIVED,
          companyId: null,
          actor: o.actor,
          data: {
            segments: segments.map((s) => ({ file: s.file, firstPosition: s.firstPosition, lastPosition: s.lastPosition, events: s.events, sha256: s.sha256 })),
            firstPosition: startsAfter.position + 1,
            throughPosition: chain.position,
            lastHash: chain.hash,
            events: run.events,
            before: manifest.before,
            manifest: manifestName,
            manifestSha256,
          },
        },
      ], { expectedVersions: {} });
    });

    for (const s of segments) {
      await this.drop(runner, { name: s.partition.name, from: s.partition.from, to: s.partition.to, detachPending: false });
      run.dropped.push(s.partition.name);
    }
    this.logger.log(`archived ${run.events} events (positions ${startsAfter.position + 1}..${chain.position}) to ${o.dir}/${manifestName}; dropped ${run.dropped.join(', ')}`);
    return {
      ...run,
      manifest: manifestName,
      manifestSha256,
      segments: segments.map((s) => ({ file: s.file, events: s.events, firstPosition: s.firstPosition, lastPosition: s.lastPosition, bytes: s.bytes })),
      through: chain,
      recordedAt: recorded.events[0].position,
      ms: Date.now() - started,
    };
  }

  /**
   * The partitions in position order, and the last position the sequence gave while no append
   * was in flight (read under the append lock, released at once): a partition that ends at or
   * below it receives no more events.
   */
  private async closedPartitions(runner: QueryRunner): Promise<{ partitions: Partition[]; lastGiven: number }> {
    await runner.startTransaction();
    try {
      await runner.query('SELECT pg_advisory_xact_lock($1)', [APPEND_LOCK]);
      const [{ last }]: { last: string }[] = await runner.query('SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS last FROM events_position_seq');
      await runner.commitTransaction();
      const rows: { name: string; from_position: string; to_position: string; pending: boolean }[] = await runner.query(
        `SELECT b.name, b.from_position, b.to_position, i.inhdetachpending AS pending
           FROM events_partition_bounds b JOIN pg_inherits i ON i.inhrelid = b.name::regclass ORDER BY b.from_position`,
      );
      return {
        partitions: rows.map((r) => ({ name: r.name, from: Number(r.from_position), to: Number(r.to_position), detachPending: r.pending })),
        lastGiven: Number(last),
      };
    } catch (err) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      throw err;
    }
  }

  /**
   * One partition to `events-<first>-<last>.jsonl.gz` (written as .partial, renamed when complete),
   * checked while written: every event before the instant, chained to the one before.
   */
  private async writeSegment(
    p: Partition,
    dir: string,
    chain: ChainPoint,
    before: Date,
    onProgress: (events: number) => void,
  ): Promise<{ segment: Omit<ArchiveSegment, 'seal'>; end: ChainPoint } | { refused: string }> {
    const file = segmentFileName(p.from, p.to);
    const partial = path.join(dir, `${file}.partial`);
    const sha = createHash('sha256');
    let events = 0;
    let firstPosition: number | null = null;
    let end = chain;
    let refused: string | null = null;
    const reader = this.dataSource;
    async function* lines(): AsyncGenerator<string> {
      let after = p.from - 1;
      for (;;) {
        const rows = await reader.query(`SELECT ${EVENT_COLUMNS} FROM ${p.name} WHERE position > $1 ORDER BY position LIMIT ${BATCH}`, [after]);
        if (rows.length === 0) return;
        let out = '';
        for (const row of rows) {
          const e = toStoredEvent(row);
          if (e.occurredAt.getTime() >= before.getTime()) {
            refused = `event ${e.position} occurred at ${e.occurredAt.toISOString()}, not before ${before.toISOString()}`;
            return;
          }
          if (e.prevHash !== end.hash) {
            refused = `event ${e.position} does not chain to the event before it: run keyward audit verify`;
            return;
          }
          firstPosition ??= e.position;
          end = { position: e.position, hash: e.hash };
          events++;
          out += JSON.stringify(toAuditEvent(e)) + '\n';
        }
        after = end.position;
        onProgress(events);
        yield out;
      }
    }
    const gzip = createGzip({ level: 6 });
    gzip.on('data', (chunk: Buffer) => sha.update(chunk));
    await pipeline(Readable.from(lines()), gzip, createWriteStream(partial, { mode: 0o600 }));
    if (refused) {
      await rm(partial, { force: true });
      return { refused };
    }
    await rename(partial, path.join(dir, file));
    const bytes = (await stat(path.join(dir, file))).size;
    return {
      segment: {
        file,
        partition: { name: p.name, from: p.from, to: p.to },
        events,
        firstPosition,
        lastPosition: events > 0 ? end.position : null,
        firstPrevHash: chain.hash,
        lastHash: end.hash,
        bytes,
        sha256: sha.digest('hex'),
      },
      end,
    };
  }

  /** The manifest just written, verified as `keyward audit verify --archive` would, from the files on disk. */
  private async readBack(dir: string, manifestName: string, manifest: ArchiveManifest): Promise<ArchiveVerification> {
    const all = await verifyArchiveDir(dir, { publicKeyPem: this.signer.publicKey, only: manifestName });
    const own = all.problems.filter((p) => p.manifest === manifestName);
    // older manifests in the directory are not this run's business (their own verify names them)
    return { ...all, ok: own.length === 0 && all.manifestSha256[manifestName] !== undefined && manifest.segments.length > 0, problems: own };
  }

  /** Detached without blocking appends or reads (it waits for the queries that still read it), then dropped. */
  private async drop(runner: QueryRunner, p: Partition): Promise<void> {
    if (p.detachPending) await runner.query(`ALTER TABLE events DETACH PARTITION ${p.name} FINALIZE`);
    else await runner.query(`ALTER TABLE events DETACH PARTITION ${p.name} CONCURRENTLY`);
    await runner.query(`DROP TABLE ${p.name}`);
  }
}
