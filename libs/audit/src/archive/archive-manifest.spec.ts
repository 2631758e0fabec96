import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { GENESIS_HASH, StoredEvent, computeEventHash } from '@keyward/event-store';
import { AuditEvent, toAuditEvent } from '../audit-filter';
import { Checkpoint, checkpointPayload } from '../checkpoints/checkpoint-signer';
import { ARCHIVE_FORMAT, ArchiveManifest, ChainPoint, manifestFileName, segmentFileName, sha256Hex, verifyArchiveDir } from './archive-manifest';

const keys = generateKeyPairSync('ed25519');
const publicKey = keys.publicKey.export({ type: 'spki', format: 'pem' }) as string;
const otherKey = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }) as string;

function seal(point: ChainPoint, previous: ChainPoint | null): Checkpoint {
  const unsigned = { ...point, previous, signedAt: '2026-12-01T00:00:00.000Z' };
  return { ...unsigned, signature: sign(null, checkpointPayload(unsigned), keys.privateKey).toString('base64'), publicKey };
}

/** A chain of `count` events from `after`, as the log holds them. */
function chain(after: ChainPoint, count: number): StoredEvent[] {
  let prevHash = after.hash;
  return Array.from({ length: count }, (_, i) => {
    const e: StoredEvent = {
      position: after.position + i + 1,
      transactionId: '1',
      eventId: `00000000-0000-4000-8000-${String(after.position + i + 1).padStart(12, '0')}`,
      streamId: 's',
      streamVersion: after.position + i + 1,
      type: 'KeyUsed',
      occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, after.position + i)),
      companyId: null,
      actor: { type: 'system', id: 'test' },
      data: { n: i },
      metadata: {},
      prevHash,
      hash: '',
    };
    e.hash = prevHash = computeEventHash(e);
    return e;
  });
}

/** Writes one archive run of `perSegment` events in each of `segments` partitions, after `after`. */
function writeArchive(dir: string, after: ChainPoint, segments: number, perSegment: number): ArchiveManifest {
  const events = chain(after, segments * perSegment);
  let previous: ChainPoint | null = null;
  const written = [];
  for (let s = 0; s < segments; s++) {
    const part = events.slice(s * perSegment, (s + 1) * perSegment);
    const from = part[0].position;
    const file = segmentFileName(from, from + perSegment);
    const bytes = gzipSync(part.map((e) => JSON.stringify(toAuditEvent(e))).join('\n') + '\n');
    writeFileSync(path.join(dir, file), bytes);
    const end = { position: part[part.length - 1].position, hash: part[part.length - 1].hash };
    written.push({
      file,
      partition: { name: `events_from_${from}`, from, to: from + perSegment },
      events: part.length,
      firstPosition: from,
      lastPosition: end.position,
      firstPrevHash: part[0].prevHash,
      lastHash: end.hash,
      bytes: bytes.length,
      sha256: sha256Hex(bytes),
      seal: seal(end, previous),
    });
    previous = end;
  }
  const last = events[events.length - 1];
  const manifest: ArchiveManifest = {
    format: ARCHIVE_FORMAT,
    createdAt: '2026-12-01T00:00:00.000Z',
    before: '2026-12-01T00:00:00.000Z',
    startsAfter: after,
    through: { position: last.position, hash: last.hash },
    events: events.length,
    segments: written,
    publicKey,
    keyFingerprint: 'sha256:x',
  };
  writeFileSync(path.join(dir, manifestFileName(last.position)), JSON.stringify(manifest, null, 2));
  return manifest;
}

/** Edits one event (0-based line) of a gzip JSONL segment in place, as someone with the files could. */
function editLine(file: string, index: number, edit: (e: AuditEvent) => void): void {
  const lines = gunzipSync(readFileSync(file)).toString('utf8').trim().split('\n');
  const e = JSON.parse(lines[index]);
  edit(e);
  lines[index] = JSON.stringify(e);
  writeFileSync(file, gzipSync(lines.join('\n') + '\n'));
}

describe('verifyArchiveDir (offline)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'keyward-archive-spec-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts two runs that link, recomputing every event, with the trusted key', async () => {
    const first = writeArchive(dir, { position: 0, hash: GENESIS_HASH }, 3, 10);
    writeArchive(dir, first.through, 2, 10);
    const result = await verifyArchiveDir(dir, { publicKeyPem: publicKey });
    expect(result).toMatchObject({ ok: true, manifests: 2, segments: 5, events: 50, problems: [], key: { source: 'given' } });
    expect(result.through?.position).toBe(50);
  });

  it('names an edited event by file, position and line, and the file by its sha256', async () => {
    const manifest = writeArchive(dir, { position: 0, hash: GENESIS_HASH }, 3, 10);
    const victim = manifest.segments[1];
    editLine(path.join(dir, victim.file), 6, (e) => {
      e.data = { n: 'changed' };
    });
    const result = await verifyArchiveDir(dir, { publicKeyPem: publicKey });
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([
      expect.objectContaining({ reason: 'sha256_differs', file: victim.file }),
      expect.objectContaining({ reason: 'hash_mismatch', file: victim.file, position: 17, line: 7 }),
    ]);
  });

  it('names an event re-hashed to hide an edit by its broken link to the one before', async () => {
    const manifest = writeArchive(dir, { position: 0, hash: GENESIS_HASH }, 2, 10);
    const victim = manifest.segments[0];
    editLine(path.join(dir, victim.file), 4, (e) => {
      e.prevHash = 'f'.repeat(64);
      e.hash = computeEventHash({ ...e, occurredAt: new Date(e.occurredAt) });
    });
    const result = await verifyArchiveDir(dir, { publicKeyPem: publicKey });
    expect(result.problems).toContainEqual(expect.objectContaining({ reason: 'prev_hash_mismatch', file: victim.file, position: 5, line: 5 }));
  });

  it('refuses seals that do not verify with the trusted key, and says which key it used otherwise', async () => {
    writeArchive(dir, { position: 0, hash: GENESIS_HASH }, 2, 5);
    const wrong = await verifyArchiveDir(dir, { publicKeyPem: otherKey });
    expect(wrong.ok).toBe(false);
    expect(wrong.problems.map((p) => p.reason)).toEqual(['seal_signature_invalid', 'seal_signature_invalid']);
    const inside = await verifyArchiveDir(dir);
    expect(inside).toMatchObject({ ok: true, key: { source: 'manifest' } });
  });

  it('names a missing segment, a run that does not link to the one before, and an empty directory', async () => {
    const first = writeArchive(dir, { position: 0, hash: GENESIS_HASH }, 2, 5);
    writeArchive(dir, { position: first.through.position, hash: 'e'.repeat(64) }, 1, 5);
    rmSync(path.join(dir, first.segments[1].file));
    const result = await verifyArchiveDir(dir, { publicKeyPem: publicKey });
    expect(result.problems.map((p) => p.reason)).toEqual(expect.arrayContaining(['file_missing', 'manifests_not_linked']));
    const empty = mkdtempSync(path.join(tmpdir(), 'keyward-archive-empty-'));
    try {
      expect((await verifyArchiveDir(empty)).problems[0]).toMatchObject({ reason: 'manifest_unreadable' });
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
