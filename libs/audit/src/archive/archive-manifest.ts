import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { GENESIS_HASH, computeEventHash } from '@keyward/event-store';
import { AuditEvent } from '../audit-filter';
import { Checkpoint, checkpointSignatureValid, publicKeyFingerprint } from '../checkpoints/checkpoint-signer';

export const ARCHIVE_FORMAT = 'keyward-audit-archive/1';

/** The event type recorded in the live log by each archive run (docs/audit-archive.md). */
export const AUDIT_ARCHIVED = 'AuditArchived';

/** A position and the hash of the event there (position 0 and the genesis hash: before the first event). */
export interface ChainPoint {
  position: number;
  hash: string;
}

/** One archived partition: a gzip-compressed JSONL file, one audit event (as the export writes it) per line. */
export interface ArchiveSegment {
  file: string;
  /** The partition's position range [from, to). */
  partition: { name: string; from: number; to: number };
  events: number;
  firstPosition: number | null;
  lastPosition: number | null;
  /** prevHash of the first event: the hash the segment before ends with (or the genesis hash). */
  firstPrevHash: string;
  /** Hash of the last event (the first prevHash when the segment holds none). */
  lastHash: string;
  bytes: number;
  /** Hex SHA-256 of the file as written (compressed). */
  sha256: string;
  /** The audit signer's checkpoint over { position: lastPosition, hash: lastHash }, linked to the segment before's. */
  seal: Checkpoint;
}

/** manifest-<through>.json: what one archive run wrote. */
export interface ArchiveManifest {
  format: typeof ARCHIVE_FORMAT;
  createdAt: string;
  /** Only whole partitions whose every event occurred before this instant were archived. */
  before: string;
  /** Where the archive starts: the end of the archive before it, or position 0 and the genesis hash. */
  startsAfter: ChainPoint;
  /** Its last event. */
  through: ChainPoint;
  events: number;
  segments: ArchiveSegment[];
  /** The signing key's SPKI PEM and fingerprint (trust it only if it is the key you expect). */
  publicKey: string;
  keyFingerprint: string;
}

export const segmentFileName = (from: number, to: number) => `events-${pad(from)}-${pad(to - 1)}.jsonl.gz`;
export const manifestFileName = (through: number) => `manifest-${pad(through)}.json`;
const pad = (n: number) => String(n).padStart(15, '0');

export const sha256Hex = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** Why an archive fails verification. */
export type ArchiveProblem =
  | 'manifest_unreadable'
  | 'file_missing'
  | 'sha256_differs'
  | 'hash_mismatch'
  | 'prev_hash_mismatch'
  | 'out_of_order'
  | 'malformed_line'
  | 'segment_differs_from_manifest'
  | 'segments_not_linked'
  | 'manifests_not_linked'
  | 'seal_signature_invalid'
  | 'seal_differs';

export interface ArchiveBreak {
  reason: ArchiveProblem;
  manifest: string;
  /** The segment file it was found in (absent for a problem of the manifest itself). */
  file?: string;
  /** The first position that fails (when one event is to blame). */
  position?: number;
  /** The line of the segment file (1-based). */
  line?: number;
  detail: string;
}

export interface ArchiveVerification {
  ok: boolean;
  dir: string;
  manifests: number;
  segments: number;
  /** Events whose hash was recomputed and whose link to the one before was checked. */
  events: number;
  startsAfter: ChainPoint | null;
  through: ChainPoint | null;
  /** The key the seals were verified with, and where it came from. */
  key: { fingerprint: string | null; source: 'given' | 'manifest' };
  /** sha256 of each manifest file, by name: the AuditArchived events of the live log name them. */
  manifestSha256: Record<string, string>;
  /** Every problem found, first one first (a tampered segment is named by file and position). */
  problems: ArchiveBreak[];
}

/** The manifests of an archive directory, oldest first. */
export function manifestFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => /^manifest-\d+\.json$/.test(f))
    .sort();
}

/**
 * Verifies an archive directory with no database: each manifest's segments (sha256 of the file,
 * every event's hash recomputed, every prevHash against the event before, positions rising,
 * counts and ends as the manifest says), the links between segments and between manifests, and
 * each segment's signed seal — with `publicKeyPem` when given (a key the caller trusts), else
 * with the key the manifest carries (said so in `key.source`).
 */
export async function verifyArchiveDir(
  dir: string,
  options: {
    publicKeyPem?: string | null;
    onProgress?: (events: number) => void;
    only?: string;
    /** Each event that verified, in order (e.g. to hold the database's retained copy against the archive). */
    onEvent?: (e: AuditEvent) => void;
  } = {},
): Promise<ArchiveVerification> {
  const result: ArchiveVerification = {
    ok: true,
    dir,
    manifests: 0,
    segments: 0,
    events: 0,
    startsAfter: null,
    through: null,
    key: { fingerprint: options.publicKeyPem ? publicKeyFingerprint(options.publicKeyPem) : null, source: options.publicKeyPem ? 'given' : 'manifest' },
    manifestSha256: {},
    problems: [],
  };
  const problem = (p: ArchiveBreak) => {
    result.ok = false;
    result.problems.push(p);
  };
  let previousManifest: ArchiveManifest | null = null;
  for (const name of manifestFiles(dir)) {
    let manifest: ArchiveManifest;
    try {
      const bytes = readFileSync(path.join(dir, name));
      result.manifestSha256[name] = sha256Hex(bytes);
      manifest = JSON.parse(bytes.toString('utf8'));
      if (manifest.format !== ARCHIVE_FORMAT || !Array.isArray(manifest.segments)) throw new Error(`not a ${ARCHIVE_FORMAT} manifest`);
    } catch (err) {
      problem({ reason: 'manifest_unreadable', manifest: name, detail: (err as Error).message });
      continue;
    }
    result.manifests++;
    result.startsAfter ??= manifest.startsAfter;
    if (previousManifest && (previousManifest.through.position !== manifest.startsAfter.position || previousManifest.through.hash !== manifest.startsAfter.hash)) {
      problem({
        reason: 'manifests_not_linked',
        manifest: name,
        detail: `starts after position ${manifest.startsAfter.position}, the manifest before ends at ${previousManifest.through.position}`,
      });
    }
    const publicKey = options.publicKeyPem ?? manifest.publicKey;
    if (!options.publicKeyPem) result.key.fingerprint ??= publicKeyFingerprint(manifest.publicKey);
    let expectedPrev = manifest.startsAfter.hash;
    let lastPosition = manifest.startsAfter.position;
    let previousSeal: ChainPoint | null = null;
    for (const segment of manifest.segments) {
      if (options.only !== undefined && options.only !== name) {
        expectedPrev = segment.lastHash;
        lastPosition = segment.lastPosition ?? lastPosition;
        continue;
      }
      result.segments++;
      const checked = await verifySegment(dir, name, segment, expectedPrev, lastPosition, (n) => options.onProgress?.(result.events + n), options.onEvent);
      result.events += checked.events;
      for (const p of checked.problems) problem(p);
      if (segment.firstPrevHash !== expectedPrev) {
        problem({ reason: 'segments_not_linked', manifest: name, file: segment.file, detail: `its first prevHash is not the hash the chain had before it` });
      }
      const seal = segment.seal;
      const sealLinked =
        seal &&
        seal.hash === segment.lastHash &&
        seal.position === (segment.lastPosition ?? lastPosition) &&
        (previousSeal === null ? true : seal.previous?.position === previousSeal.position && seal.previous?.hash === previousSeal.hash);
      if (!seal || !checkpointSignatureValid(seal, publicKey)) {
        problem({ reason: 'seal_signature_invalid', manifest: name, file: segment.file, position: segment.lastPosition ?? undefined, detail: 'the seal of its last hash does not verify with the key' });
      } else if (!sealLinked) {
        problem({ reason: 'seal_differs', manifest: name, file: segment.file, position: segment.lastPosition ?? undefined, detail: 'the seal names another position or hash than the segment ends with' });
      }
      previousSeal = seal ? { position: seal.position, hash: seal.hash } : null;
      expectedPrev = segment.lastHash;
      lastPosition = segment.lastPosition ?? lastPosition;
    }
    if (expectedPrev !== manifest.through.hash || lastPosition !== manifest.through.position) {
      problem({ reason: 'segment_differs_from_manifest', manifest: name, detail: `the segments end at position ${lastPosition}, the manifest says ${manifest.through.position}` });
    }
    result.through = manifest.through;
    previousManifest = manifest;
  }
  if (result.manifests === 0 && result.problems.length === 0) {
    problem({ reason: 'manifest_unreadable', manifest: '-', detail: `no manifest-*.json in ${dir}` });
  }
  return result;
}

/** One segment file against its manifest entry and the chain before it. */
async function verifySegment(
  dir: string,
  manifest: string,
  segment: ArchiveSegment,
  expectedPrev: string,
  afterPosition: number,
  onProgress: (events: number) => void,
  onEvent?: (e: AuditEvent) => void,
): Promise<{ events: number; problems: ArchiveBreak[] }> {
  const problems: ArchiveBreak[] = [];
  const file = path.join(dir, segment.file);
  try {
    statSync(file);
  } catch {
    return { events: 0, problems: [{ reason: 'file_missing', manifest, file: segment.file, detail: 'the segment file is not in the directory' }] };
  }
  const hash = createHash('sha256');
  const input = createReadStream(file);
  input.on('data', (chunk) => hash.update(chunk));
  const lines = createInterface({ input: input.pipe(createGunzip()), crlfDelay: Infinity });
  let line = 0;
  let events = 0;
  let prev = expectedPrev;
  let position = afterPosition;
  let first: AuditEvent | null = null;
  let broken = false;
  try {
    for await (const text of lines) {
      line++;
      if (broken || text === '') continue;
      let e: AuditEvent;
      try {
        e = JSON.parse(text);
      } catch {
        problems.push({ reason: 'malformed_line', manifest, file: segment.file, line, position: position + 1, detail: 'not JSON' });
        broken = true;
        continue;
      }
      first ??= e;
      const bad = (reason: ArchiveProblem, detail: string) => {
        problems.push({ reason, manifest, file: segment.file, line, position: e.position, detail });
        broken = true;
      };
      if (!(e.position > position)) bad('out_of_order', `position ${e.position} after ${position}`);
      else if (computeEventHash({ ...e, occurredAt: new Date(e.occurredAt) }) !== e.hash) bad('hash_mismatch', 'the event is not what its hash covers');
      else if (e.prevHash !== prev) bad('prev_hash_mismatch', 'its prevHash is not the hash of the event before it');
      if (broken) continue;
      events++;
      onEvent?.(e);
      prev = e.hash;
      position = e.position;
      if (events % 5000 === 0) onProgress(events);
    }
  } catch (err) {
    problems.push({ reason: 'malformed_line', manifest, file: segment.file, line: line + 1, position: position + 1, detail: `cannot be read: ${(err as Error).message}` });
    broken = true;
  }
  onProgress(events);
  const sha256 = hash.digest('hex');
  if (sha256 !== segment.sha256) {
    problems.unshift({ reason: 'sha256_differs', manifest, file: segment.file, detail: `sha256 ${sha256.slice(0, 12)}… differs from the manifest's ${segment.sha256.slice(0, 12)}…` });
  }
  if (!broken) {
    const matches =
      events === segment.events &&
      (segment.events === 0 || (first?.position === segment.firstPosition && position === segment.lastPosition)) &&
      prev === segment.lastHash &&
      (first === null || first.prevHash === segment.firstPrevHash);
    if (!matches) {
      problems.push({
        reason: 'segment_differs_from_manifest',
        manifest,
        file: segment.file,
        detail: `it holds ${events} events through position ${position}, the manifest says ${segment.events} through ${segment.lastPosition}`,
      });
    }
  }
  return { events, problems };
}

/** The first event of a fresh log chains to this. */
export const START_OF_LOG: ChainPoint = { position: 0, hash: GENESIS_HASH };
