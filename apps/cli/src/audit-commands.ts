import { createReadStream, createWriteStream, existsSync, readFileSync, statSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { INestApplicationContext } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { Command, Option } from 'commander';
import {
  ArchiveAuditCommand,
  ArchiveRun,
  ArchiveSeals,
  ArchiveVerification,
  AuditEvent,
  EVENT_COLUMNS,
  NOT_RETAINED,
  AuditPage,
  AuditVerification,
  Checkpoint,
  CheckpointSigner,
  KeptCheckpointCheck,
  OfflineResult,
  OfflineVerifier,
  VerifyAuditQuery,
  manifestFiles,
  verifyArchiveDir,
} from '@keyward/audit';
import { DataSource } from 'typeorm';
import { EventStore, computeEventHash, toStoredEvent } from '@keyward/event-store';
import { withApp } from './cli-app';
import { integer, isoInstant, jsonOption, uuid } from './cli-options';
import { ApiTarget, addApiOptions, apiTarget, getJson, getStream } from './http-client';
import { printJson, printLine, printTable, progressBar } from './output';

/**
 * `keyward audit …`. Two kinds of user:
 * - the auditor reads the log through the HTTP API with a key holding audit:read (`list`,
 *   `export`): no database access, only what the API lets that key see (its company);
 * - the operator verifies the whole chain in the database (`verify`, `verify --checkpoint`).
 * `verify --file` needs neither: it re-checks an export offline.
 * The operator also archives the log's oldest partitions (`archive`), and verifies an archive
 * offline and against the live log (`verify --archive`).
 */
export function registerAuditCommands(program: Command): void {
  const audit = program
    .command('audit')
    .description('the audit log: list and export over the HTTP API (auditor), verify in the database (operator) or a file (offline)');

  addFilterOptions(addApiOptions(audit.command('list')))
    .description('[auditor, HTTP API] events of the key\'s company in log order, filtered')
    .option('--limit <n>', 'events per page (1..500)', integer(1, 500), 50)
    .option('--cursor <cursor>', 'continue after a previous page (its nextCursor)')
    .option('--all', 'follow the cursors to the end (held in memory: for large sets use export)')
    .addOption(jsonOption())
    .action(async (o) => {
      const target = apiTarget(o);
      const items: AuditEvent[] = [];
      let cursor: string | undefined = o.cursor;
      let next: string | null;
      do {
        const params = filterParams(o);
        params.set('limit', String(o.limit));
        if (cursor) params.set('cursor', cursor);
        const page = await getJson<AuditPage>(target, `/v1/audit-events?${params}`);
        items.push(...page.items);
        next = page.nextCursor;
        cursor = next ?? undefined;
      } while (o.all && next);
      if (o.json) return printJson({ items, nextCursor: next });
      printTable(items.map(eventRow), ['position', 'occurredAt', 'type', 'actor', 'keyId', 'ip', 'requestId', 'detail']);
      if (next) process.stderr.write(`more events: --cursor ${next} (or --all)\n`);
    });

  addFilterOptions(addApiOptions(audit.command('export')))
    .description('[auditor, HTTP API] stream every matching event to a file, with position, prevHash and hash (recorded as AuditExported)')
    .addOption(new Option('--format <format>', 'file format').choices(['jsonl', 'csv']).default('jsonl'))
    .requiredOption('--out <file>', "where to write it ('-' for stdout); created with mode 0600")
    .option('--force', 'overwrite the file if it exists')
    .option('--idle-timeout <seconds>', 'give up when the API sends nothing for this long', integer(1, 86_400), 120)
    .addOption(jsonOption())
    .action(async (o) => {
      const target = apiTarget(o);
      const toStdout = o.out === '-';
      if (!toStdout && existsSync(o.out) && !o.force) throw new Error(`${o.out} exists (use --force to overwrite it)`);
      const params = filterParams(o);
      params.set('format', o.format);
      const started = Date.now();
      const { body } = await getStream(
        target,
        `/v1/audit-events/export?${params}`,
        o.format === 'csv' ? 'text/csv' : 'application/x-ndjson',
        o.idleTimeout * 1000,
      );
      const partial = `${o.out}.partial`;
      const sink: Writable = toStdout ? process.stdout : createWriteStream(partial, { mode: 0o600 });
      const bar = progressBar('exporting', { enabled: !o.json });
      let lines = 0;
      let bytes = 0;
      const count = new Transform({
        transform(chunk: Buffer, _enc, done) {
          bytes += chunk.length;
          for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
          bar.update(o.format === 'csv' ? Math.max(0, lines - 1) : lines);
          done(null, chunk);
        },
      });
      const events = () => (o.format === 'csv' ? Math.max(0, lines - 1) : lines);
      let record: ExportRecord | null;
      try {
        try {
          await pipeline(body, count, sink, { end: !toStdout });
        } catch (err) {
          bar.halt('interrupted');
          if (!toStdout) await rm(partial, { force: true });
          throw new Error(`export interrupted after ${lines.toLocaleString('en')} lines: ${(err as Error).message}`);
        }
        record = await exportRecord(target, events());
        if (record && !record.completed) {
          bar.halt('incomplete');
          throw new Error(
            `the API ended the export early, after ${record.rows.toLocaleString('en')} events, and recorded it as incomplete ` +
              `(AuditExported at position ${record.position}, completed: false)${toStdout ? '' : `; what arrived is in ${partial}`}`,
          );
        }
        if (!toStdout) await rename(partial, o.out);
      } finally {
        bar.stop();
      }
      const result = {
        file: o.out,
        format: o.format,
        events: events(),
        bytes,
        ms: Date.now() - started,
        /** Position of this export's AuditExported record; null when it could not be told apart. */
        recordedAt: record?.position ?? null,
      };
      // with --out -, stdout carries the export itself: the summary goes to stderr
      const say = (text: string): void => void (toStdout ? process.stderr.write(text + '\n') : printLine(text));
      if (o.json) return say(JSON.stringify(result));
      say(`exported ${result.events.toLocaleString('en')} events (${formatBytes(bytes)}) to ${toStdout ? 'stdout' : o.out} in ${(result.ms / 1000).toFixed(1)} s`);
      if (o.format === 'jsonl' && !toStdout) say(`check it offline: keyward audit verify --file ${o.out}`);
    });

  audit
    .command('verify')
    .description(
      '[operator, database] recompute the hash chain and hold it against the signed checkpoints; exit code 2 when broken.\n' +
        '--checkpoint FILE: also hold a checkpoint you kept (from GET /v1/audit-events/checkpoints) against the log.\n' +
        '[offline] --file FILE: verify a JSONL export with no database and no configuration.',
    )
    .option('--from <position>', 'start at this position, trusting the one before it', integer(1, Number.MAX_SAFE_INTEGER))
    .option('--checkpoint <file>', 'a kept checkpoint: one item of GET /v1/audit-events/checkpoints, an array, or the whole page')
    .option('--public-key <file>', 'the SPKI PEM public key you trust for --checkpoint or --archive (default: the configured AUDIT_SIGNING_KEY\'s; without one, the key inside the checkpoint or manifest)')
    .option('--file <export.jsonl>', 'verify this JSONL export offline instead of the database')
    .option('--strict', 'with --file: the export must be one unbroken piece of the chain (an unfiltered export)')
    .option('--archive <dir>', 'verify an archive directory (keyward audit archive): every segment offline, then its link to the live log')
    .option('--offline', 'with --archive: no database, no configuration (the link to the live log is not checked)')
    .addOption(jsonOption())
    .action(async (o) => {
      if (o.archive) {
        if (o.file || o.checkpoint || o.from || o.strict) throw new Error('--archive verifies an archive directory: it takes no --file, --checkpoint, --from or --strict');
        return verifyArchive(o.archive, o.publicKey, Boolean(o.offline), Boolean(o.json));
      }
      if (o.offline) throw new Error('--offline goes with --archive');
      if (o.file) {
        if (o.checkpoint || o.publicKey || o.from) throw new Error('--file verifies a file alone: it takes no --checkpoint, --public-key or --from');
        return verifyFile(o.file, Boolean(o.strict), Boolean(o.json));
      }
      if (o.strict) throw new Error('--strict goes with --file');
      if (o.publicKey && !o.checkpoint) throw new Error('--public-key goes with --checkpoint or --archive');
      const kept = o.checkpoint ? readCheckpoints(o.checkpoint, o.publicKey) : null;
      return verifyDatabase(o.from, kept, Boolean(o.json));
    });

  audit
    .command('archive')
    .description(
      '[operator, database] move the log\'s oldest whole partitions whose every event occurred before --before to sealed segments in --out\n' +
        '(gzip JSONL as the export writes it, a manifest with sha256s, a signed seal of each segment\'s last hash), read them back and check them,\n' +
        'record AuditArchived in the log, and only then drop those partitions. Needs AUDIT_SIGNING_KEY. docs/audit-archive.md',
    )
    .requiredOption('--before <instant>', 'archive only whole partitions whose every event occurred before this instant (ISO 8601)', isoInstant)
    .requiredOption('--out <dir>', 'the archive directory (created with mode 0700; one directory may hold every archive, in order)')
    .addOption(jsonOption())
    .action(async (o) => {
      const run: ArchiveRun = await withApp(async (app) => {
        const bar = progressBar('archiving', { enabled: !o.json });
        try {
          return await app.get(CommandBus).execute(new ArchiveAuditCommand(new Date(o.before), o.out, { type: 'system', id: 'cli' }, (n: number) => bar.update(n)));
        } finally {
          bar.stop();
        }
      });
      if (o.json) return printJson(run);
      if (!run.manifest) {
        printLine(`nothing archived: no whole partition of the log has every event before ${o.before}${run.stoppedAt ? ` (${run.stoppedAt.partition}: ${run.stoppedAt.reason})` : ''}`);
        if (run.dropped.length) printLine(`dropped ${run.dropped.join(', ')}: already sealed by the archive before (its drop had not completed)`);
        return;
      }
      printLine(
        `archived ${run.events.toLocaleString('en')} events (positions ${run.startsAfter.position + 1}..${run.through!.position}) in ${run.segments.length} segment${run.segments.length === 1 ? '' : 's'} ` +
          `(${formatBytes(run.bytes)}) to ${run.dir} in ${(run.ms / 1000).toFixed(1)} s`,
      );
      printLine(`manifest ${run.manifest} (sha256 ${short(run.manifestSha256!)}), recorded as AuditArchived at position ${run.recordedAt}; dropped ${run.dropped.join(', ')}`);
      printLine(`check it: keyward audit verify --archive ${run.dir}`);
    });
}

// ---------------------------------------------------------------- verify: an archive

interface LiveLink {
  /** The newest archive's seal in the live log, null when nothing was archived. */
  sealedThrough: number | null;
  /** The first live event, and whether its prevHash is the archive's last hash (only asked of the newest archive). */
  firstLive: { position: number; chained: boolean | null } | null;
  /** Manifests of the directory recorded by an AuditArchived event still in the live log, by name. */
  recorded: Record<string, number>;
  /**
   * The database's copy of the archived lifecycle events (events_retained, what the write side folds)
   * held against the archive: how many agree, and the first position where they do not.
   */
  retained: { checked: number; firstDifferentPosition?: number };
  ok: boolean;
  detail: string;
}

async function verifyArchive(dir: string, publicKeyFile: string | undefined, offline: boolean, json: boolean): Promise<void> {
  try {
    if (manifestFiles(dir).length === 0) throw new Error('no manifest');
  } catch {
    throw new Error(`--archive ${dir}: not an archive directory (no manifest-*.json)`);
  }
  const givenKey = publicKeyFile ? readPublicKey(publicKeyFile) : null;
  const offlineCheck = async (publicKeyPem: string | null, onEvent?: (e: AuditEvent) => void): Promise<ArchiveVerification> => {
    const bar = progressBar('verifying', { enabled: !json });
    try {
      return await verifyArchiveDir(dir, { publicKeyPem, onProgress: (n) => bar.update(n), onEvent });
    } finally {
      bar.stop();
    }
  };
  // online: the seals are verified with the configured AUDIT_SIGNING_KEY unless --public-key names another
  const { result, live, keySource } = offline
    ? { result: await offlineCheck(givenKey), live: null, keySource: givenKey ? `the key in ${publicKeyFile}` : null }
    : await withApp(async (app) => {
        const configured = app.get(CheckpointSigner).publicKey;
        // the archived events the database keeps a copy of (events_retained), by position: held against it below
        const retained = new Map<number, string>();
        const result = await offlineCheck(givenKey ?? configured, (e) => {
          if (!NOT_RETAINED.includes(e.type)) retained.set(e.position, e.hash);
        });
        const keySource = givenKey ? `the key in ${publicKeyFile}` : configured ? `the configured signing key ${app.get(CheckpointSigner).fingerprint}` : null;
        return { result, live: await liveLink(app, result, retained), keySource };
      });
  const ok = result.ok && (live?.ok ?? true);
  if (json) printJson({ ...result, ok, live });
  else {
    const range = result.through ? `positions ${(result.startsAfter?.position ?? 0) + 1}..${result.through.position}` : 'no events';
    const key = keySource ?? `the key inside the manifest (${result.key.fingerprint}); pass --public-key to use one you trust`;
    if (result.ok) {
      printLine(`archive intact: ${result.manifests} manifest${result.manifests === 1 ? '' : 's'}, ${result.segments} segments, ${result.events.toLocaleString('en')} events (${range}); every hash recomputed, every link and sha256 checked, seals verified with ${key}`);
    } else {
      for (const p of result.problems.slice(0, 20)) {
        printLine(`ARCHIVE BROKEN: ${p.reason} in ${p.file ?? p.manifest}${p.position !== undefined ? ` at position ${p.position}` : ''}${p.line !== undefined ? ` (line ${p.line})` : ''}: ${p.detail}`);
      }
    }
    if (live) printLine(`${live.ok ? 'live log' : 'LIVE LOG NOT LINKED'}: ${live.detail}`);
    else printLine('live log: not checked (--offline)');
  }
  if (!ok) process.exitCode = 2;
}

/** The archive held against the live log: its newest seal, the first live event, the AuditArchived events. */
async function liveLink(app: INestApplicationContext, result: ArchiveVerification, archivedCopies: Map<number, string>): Promise<LiveLink> {
  const seal = await app.get(ArchiveSeals).newest();
  const sql = app.get(DataSource);
  const shas = Object.values(result.manifestSha256);
  const rows: { position: string; sha: string }[] = await sql.query(
    `SELECT position, data->>'manifestSha256' AS sha FROM events WHERE company_id IS NULL AND type = 'AuditArchived' AND data->>'manifestSha256' = ANY($1::text[])`,
    [shas],
  );
  const recorded: Record<string, number> = {};
  for (const [name, sha] of Object.entries(result.manifestSha256)) {
    const row = rows.find((r) => r.sha === sha);
    if (row) recorded[name] = Number(row.position);
  }
  const [first]: { position: string; prev_hash: string }[] = await sql.query('SELECT position, prev_hash FROM events ORDER BY position LIMIT 1');
  const through = result.through;
  const isNewest = seal !== null && through !== null && seal.throughPosition === through.position;
  const chained = first && isNewest ? first.prev_hash === through!.hash : null;
  const retained = await heldAgainstRetained(sql, result, archivedCopies);
  const link: LiveLink = { sealedThrough: seal?.throughPosition ?? null, firstLive: first ? { position: Number(first.position), chained } : null, recorded, retained, ok: true, detail: '' };
  if (retained.firstDifferentPosition !== undefined) {
    return {
      ...link,
      ok: false,
      detail: `the database's copy of the archived lifecycle events (events_retained) differs from the archive at position ${retained.firstDifferentPosition}: what the write side folds was changed`,
    };
  }
  if (!seal) return { ...link, ok: false, detail: 'nothing was archived from this log (no AuditArchived event): this archive is not its' };
  if (!through) return { ...link, ok: false, detail: 'the archive holds no events' };
  if (isNewest) {
    const sealAgrees = seal.lastHash === through.hash && seal.manifestSha256 === result.manifestSha256[seal.manifest];
    if (!sealAgrees) return { ...link, ok: false, detail: `the log's newest AuditArchived (position ${seal.recordedAt}) names ${seal.manifest} with another sha256 or last hash than this directory holds` };
    if (!chained) return { ...link, ok: false, detail: `the first live event (position ${first?.position}) does not chain to the archive's last hash ${short(through.hash)}` };
    return {
      ...link,
      detail:
        `the first live event (position ${first.position}) chains to the archive's last hash ${short(through.hash)} (position ${through.position}); ` +
        `AuditArchived at position ${seal.recordedAt} records ${seal.manifest} with this sha256; ` +
        `the ${retained.checked} archived lifecycle events kept for the write side (events_retained) are the archive's`,
    };
  }
  if (through.position > seal.throughPosition) return { ...link, ok: false, detail: `the archive goes to position ${through.position}, the log says it archived through ${seal.throughPosition}` };
  return {
    ...link,
    detail:
      `this archive ends at position ${through.position}; the log was archived further (through ${seal.throughPosition}, ${seal.manifest}): ` +
      `verify that archive for the link to the live log. ${Object.keys(recorded).length} of its manifests are recorded by AuditArchived events still live`,
  };
}

/**
 * events_retained within the archive's range against the archive's own events: the same positions,
 * the same hashes (an event kept there but not in the archive, or missing, or changed, is named).
 */
async function heldAgainstRetained(sql: DataSource, result: ArchiveVerification, archived: Map<number, string>): Promise<LiveLink['retained']> {
  if (!result.through || !result.ok) return { checked: 0 }; // a broken archive is named already: its events are not all there to compare
  const rows: Parameters<typeof toStoredEvent>[0][] = await sql.query(
    `SELECT ${EVENT_COLUMNS} FROM events_retained WHERE position > $1 AND position <= $2 ORDER BY position`,
    [result.startsAfter?.position ?? 0, result.through.position],
  );
  // each row's hash recomputed from its own fields: a row changed with its stored hash left as it was differs too
  const kept = new Map(rows.map((r) => [Number(r.position), computeEventHash(toStoredEvent(r))]));
  const positions = [...new Set([...kept.keys(), ...archived.keys()])].sort((a, b) => a - b);
  const different = positions.find((p) => kept.get(p) !== archived.get(p));
  return different === undefined ? { checked: positions.length } : { checked: positions.indexOf(different), firstDifferentPosition: different };
}

/** --public-key: an SPKI PEM public key the caller trusts. */
function readPublicKey(file: string): string {
  let key: string;
  try {
    key = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`--public-key ${file}: cannot be read`);
  }
  if (!key.includes('BEGIN PUBLIC KEY')) throw new Error(`--public-key ${file}: must be an SPKI PEM public key (-----BEGIN PUBLIC KEY-----)`);
  return key;
}

// ---------------------------------------------------------------- filters (list, export)

function addFilterOptions(command: Command): Command {
  return command
    .option('--type <types>', 'event types, comma-separated (e.g. KeyRevoked,KeyRotated)')
    .option('--key-id <id>', 'events about this key', uuid)
    .option('--actor-id <id>', 'events done by this key, user or system actor')
    .option('--from <instant>', 'occurredAt at or after (ISO 8601)', isoInstant)
    .option('--to <instant>', 'occurredAt before (ISO 8601)', isoInstant)
    .option('--ip <address>', 'client address')
    .option('--request-id <id>', 'request id');
}

function filterParams(o: Record<string, string | undefined>): URLSearchParams {
  const params = new URLSearchParams();
  const map: [string, string][] = [
    ['type', 'type'], ['keyId', 'keyId'], ['actorId', 'actorId'], ['from', 'from'], ['to', 'to'], ['ip', 'ip'], ['requestId', 'requestId'],
  ];
  for (const [option, param] of map) if (o[option] !== undefined) params.set(param, o[option]!);
  return params;
}

function eventRow(e: AuditEvent): Record<string, unknown> {
  const d = e.data as Record<string, unknown>;
  const detail =
    e.type === 'KeyUsed' ? `${d.method} ${d.route} → ${d.status}` :
    e.type === 'AuthenticationFailed' ? `${d.reason} ${d.method} ${d.route}` :
    typeof d.name === 'string' ? d.name :
    typeof d.reason === 'string' ? d.reason :
    typeof d.email === 'string' ? d.email : null;
  return {
    position: e.position,
    occurredAt: e.occurredAt,
    type: e.type,
    actor: `${e.actor.type}:${e.actor.id}`,
    keyId: d.keyId ?? null,
    ip: e.metadata?.ip ?? null,
    requestId: e.metadata?.requestId ?? null,
    detail,
  };
}

interface ExportRecord {
  position: number;
  rows: number;
  completed: boolean;
}

/**
 * The AuditExported event the API appended for the export that just ended (committed before the
 * last byte is sent): the newest one by this key with as many rows as arrived. A response that ends
 * normally can still be incomplete — the API ends it so when its database cursor fails, e.g. on
 * statement_timeout — and only this record says so. Null when there is none to tell.
 */
async function exportRecord(target: ApiTarget, rows: number): Promise<ExportRecord | null> {
  const me = await getJson<{ keyId: string }>(target, '/v1/me');
  let found: ExportRecord | null = null;
  let cursor: string | null = null;
  do {
    const params = new URLSearchParams({ type: 'AuditExported', actorId: me.keyId, limit: '500' });
    if (cursor) params.set('cursor', cursor);
    const page: AuditPage = await getJson<AuditPage>(target, `/v1/audit-events?${params}`);
    for (const e of page.items) {
      const data = e.data as { rows?: unknown; completed?: unknown };
      if (data.rows === rows) found = { position: e.position, rows, completed: data.completed !== false };
    }
    cursor = page.nextCursor;
  } while (cursor);
  return found;
}

// ---------------------------------------------------------------- verify: the database

interface KeptInput {
  checkpoints: Checkpoint[];
  /** --public-key, when given; else the configured signing key's, else (said so) the one each checkpoint carries. */
  publicKey: string | null;
  keySource: string | null;
}

const CHECKPOINT_REASONS: Record<string, string> = {
  signature_invalid: 'stored as signed by the configured key, but its signature does not verify with it',
  hash_differs: 'the log no longer has the signed hash there',
  previous_differs: 'its previous is not the checkpoint stored before it: a checkpoint was removed or slipped in',
};

async function verifyDatabase(from: number | undefined, kept: KeptInput | null, json: boolean): Promise<void> {
  const { result, keptChecks, keySource } = await withApp(async (app) => {
    const head = await app.get(EventStore).head();
    const total = head ? Math.max(0, head.position - (from ?? 1) + 1) : 0;
    const bar = progressBar('verifying', { enabled: !json, total });
    let result: AuditVerification;
    try {
      // the operator's command line: the whole chain (requester null), in the installation's one-scan-at-a-time queue
      result = await app.get(QueryBus).execute(new VerifyAuditQuery(null, from, (n: number) => bar.update(n)));
      if (result.firstBadPosition === undefined) bar.update(Math.max(result.checked, total));
      else bar.halt(`broken at position ${result.firstBadPosition}`);
    } finally {
      bar.stop();
    }
    const signer = app.get(CheckpointSigner);
    const trusted = kept?.publicKey ?? signer.publicKey;
    const keySource =
      kept?.keySource ??
      (signer.publicKey
        ? `by the configured signing key ${signer.fingerprint}`
        : 'by the public key inside the checkpoint, as AUDIT_SIGNING_KEY is not set; pass --public-key to use one you trust');
    const keptChecks: KeptCheckpointCheck[] = [];
    for (const c of kept?.checkpoints ?? []) keptChecks.push(await signer.checkKept(c, trusted ?? c.publicKey));
    return { result, keptChecks, keySource };
  });

  // a kept checkpoint whose event went to an archive: no contradiction, the archive holds its hash
  const sealedThrough = result.archived?.throughPosition ?? 0;
  const inArchive = (k: KeptCheckpointCheck) => k.reason === 'hash_differs' && k.logHash === null && k.position <= sealedThrough;
  const contradicted = keptChecks.find((k) => k.reason === 'hash_differs' && !inArchive(k));
  const badSignature = keptChecks.find((k) => k.reason === 'signature_invalid');
  const broken = !result.ok || contradicted !== undefined;
  if (json) {
    const keptOut = keptChecks.map((k) => (inArchive(k) ? { ...k, archived: true } : k));
    printJson(kept ? { ...result, ok: result.ok && keptChecks.every((k) => k.ok || inArchive(k)), kept: keptOut } : result);
  } else {
    if (result.firstBadPosition !== undefined) {
      printLine(`CHAIN BROKEN at position ${result.firstBadPosition} (${result.reason}) after ${result.checked.toLocaleString('en')} good events`);
    } else {
      printLine(`chain intact: ${result.checked.toLocaleString('en')} events checked, head at position ${result.head?.position ?? 0}${result.head ? ` (${short(result.head.hash)})` : ''}`);
    }
    if (result.archived) {
      printLine(
        `started from the archive's seal: positions 1..${result.archived.throughPosition} went to an archive (AuditArchived at position ${result.archived.recordedAt}, ` +
          `${result.archived.manifest}); the first live event chains to its last hash ${short(result.archived.lastHash)}`,
      );
    }
    const cp = result.checkpoints;
    if (!cp.signingKey) {
      printLine(
        `signed checkpoints NOT VERIFIED: AUDIT_SIGNING_KEY is not set, and the keys stored beside the checkpoints are not trusted ` +
          `(${cp.unverifiable} stored)`,
      );
    } else if (cp.firstContradicted) {
      const f = cp.firstContradicted;
      const found = f.logHash === undefined ? '' : `, the log has ${f.logHash ? short(f.logHash) : 'no event there'}`;
      printLine(`CHECKPOINT CONTRADICTED at position ${f.position} (${f.reason}: ${CHECKPOINT_REASONS[f.reason] ?? f.reason}): signed ${short(f.signedHash)}${found}`);
    } else {
      printLine(
        `signed checkpoints in the database: ${cp.checked} verified with the configured key ${cp.signingKey.fingerprint.slice(0, 19)}… and held against the log, none contradicted` +
          (cp.archived ? ` (${cp.archived} at archived positions: their hashes are the archive's to prove, keyward audit verify --archive)` : ''),
      );
    }
    if (cp.signingKey && cp.firstUnverifiable) {
      const u = cp.firstUnverifiable;
      printLine(
        `${cp.unverifiable} signed checkpoint${cp.unverifiable === 1 ? '' : 's'} NOT TRUSTED: stored with another key ` +
          `(${u.keyFingerprint ?? 'not a public key'}, first at position ${u.position}) than AUDIT_SIGNING_KEY: expected only after a change of the ` +
          `signing key; otherwise someone wrote them into the database`,
      );
    }
    for (const k of keptChecks) {
      const at = `kept checkpoint at position ${k.position} (signed ${k.signedAt})`;
      if (k.ok) printLine(`${at}: signature valid (${keySource}), the log still has its hash ${short(k.signedHash)}`);
      else if (inArchive(k)) {
        printLine(`${at}: signature valid (${keySource}); its event went to an archive (positions 1..${sealedThrough}): hold it against the archive (keyward audit verify --archive <dir>)`);
      } else if (k.reason === 'hash_differs') {
        printLine(
          `KEPT CHECKPOINT CONTRADICTED at position ${k.position}: signed ${short(k.signedHash)} on ${k.signedAt}, the log now has ` +
            `${k.logHash ? short(k.logHash) : 'no event there'}: the log was rewritten after it was signed`,
        );
      }
      else printLine(`${at}: SIGNATURE NOT VALID (${keySource}): this checkpoint proves nothing`);
    }
  }
  if (broken) process.exitCode = 2;
  else if (badSignature) {
    process.stderr.write(`keyward: the kept checkpoint at position ${badSignature.position} does not carry a valid signature (${keySource})\n`);
    process.exitCode = 1;
  }
}

function readCheckpoints(file: string, publicKeyFile: string | undefined): KeptInput {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`--checkpoint ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not JSON (${(err as Error).message})`}`);
  }
  const page = parsed as { items?: unknown; publicKey?: unknown };
  const list: unknown[] = Array.isArray(parsed) ? parsed : Array.isArray(page?.items) ? page.items : [parsed];
  if (list.length === 0) throw new Error(`--checkpoint ${file}: holds no checkpoint`);
  const fallbackKey = typeof page?.publicKey === 'string' ? page.publicKey : null;
  const checkpoints = list.map((c, i) => asCheckpoint(c, fallbackKey, `${file}${list.length > 1 ? ` item ${i}` : ''}`));
  if (!publicKeyFile) return { checkpoints, publicKey: null, keySource: null };
  return { checkpoints, publicKey: readPublicKey(publicKeyFile), keySource: `by the public key in ${publicKeyFile}` };
}

function asCheckpoint(value: unknown, fallbackKey: string | null, where: string): Checkpoint {
  const c = value as Partial<Checkpoint> | null;
  const bad = (what: string) => new Error(`--checkpoint ${where}: ${what} (expected an item of GET /v1/audit-events/checkpoints)`);
  if (!c || typeof c !== 'object') throw bad('not an object');
  if (!Number.isSafeInteger(c.position) || c.position! < 1) throw bad('position must be a positive integer');
  if (typeof c.hash !== 'string' || !/^[0-9a-f]{64}$/.test(c.hash)) throw bad('hash must be 64 hex characters');
  if (typeof c.signature !== 'string' || typeof c.signedAt !== 'string') throw bad('signature and signedAt are required');
  if (c.previous !== null && (typeof c.previous !== 'object' || typeof c.previous?.hash !== 'string' || typeof c.previous?.position !== 'number')) {
    throw bad('previous must be null or { position, hash }');
  }
  const publicKey = typeof c.publicKey === 'string' ? c.publicKey : fallbackKey;
  if (!publicKey) throw bad('publicKey is missing');
  return { position: c.position!, hash: c.hash, previous: c.previous ?? null, signedAt: c.signedAt, signature: c.signature, publicKey };
}

// ---------------------------------------------------------------- verify: a file, offline

async function verifyFile(file: string, strict: boolean, json: boolean): Promise<void> {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    throw new Error(`--file ${file}: no such file`);
  }
  const input = createReadStream(file);
  const lines = createInterface({ input, crlfDelay: Infinity });
  const verifier = new OfflineVerifier(strict);
  const bar = progressBar('verifying', { enabled: !json, total: size, unit: 'MB', bytes: true });
  let line = 0;
  let badLine: number | undefined;
  try {
    for await (const text of lines) {
      line++;
      if (line === 1 && text.startsWith('position,eventId,')) {
        throw new Error(`--file ${file}: this is a CSV export; offline verification reads JSON lines (export with --format jsonl)`);
      }
      if (!verifier.add(text)) {
        badLine = line;
        bar.update(input.bytesRead);
        bar.halt(`stopped at line ${line.toLocaleString('en')}`);
        break;
      }
      if (line % 2000 === 0) bar.update(input.bytesRead, `${line.toLocaleString('en')} events`);
    }
    if (badLine === undefined) bar.update(size, `${line.toLocaleString('en')} events`);
  } finally {
    bar.stop();
    lines.close();
    input.destroy();
  }
  const result: OfflineResult & { file: string; line?: number } = { file, ...verifier.finish(), ...(badLine ? { line: badLine } : {}) };
  if (json) printJson(result);
  else if (result.ok) {
    printLine(`export intact: ${result.rows.toLocaleString('en')} events, every hash recomputed; ${result.linked.toLocaleString('en')} links to the previous event checked`);
    if (result.gaps > 0) {
      printLine(`${result.gaps.toLocaleString('en')} gaps where the chain's next event is not in the file (another company's, or filtered out): each event's own hash still holds`);
    }
  } else {
    printLine(`EXPORT BROKEN at position ${result.firstBadPosition} (${result.reason}), line ${badLine}, after ${result.rows.toLocaleString('en')} good events`);
  }
  if (!result.ok) process.exitCode = 2;
}

// ---------------------------------------------------------------- small things

const short = (hash: string) => `${hash.slice(0, 12)}…`;

function formatBytes(n: number): string {
  return n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1048576).toFixed(1)} MiB`;
}
