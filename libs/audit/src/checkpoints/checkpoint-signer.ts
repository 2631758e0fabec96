import { KeyObject, createHash, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { canonicalize } from 'json-canonicalize';
import { DataSource } from 'typeorm';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import { EventStore } from '@keyward/event-store';

/** A signed statement "the chain's head was <hash> at <position>", linked to the one before. */
export interface Checkpoint {
  position: number;
  hash: string;
  previous: { position: number; hash: string } | null;
  signedAt: string;
  /** Ed25519, base64, over the canonical JSON of { position, hash, previous, signedAt }. */
  signature: string;
  /** SPKI PEM of the key that signed it. */
  publicKey: string;
}

/** Taken by whoever signs a checkpoint, so checkpoints link one after the other. */
export const CHECKPOINT_LOCK = 7_301_944_021;

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** PKCS#8 PEM, or base64 of the 32-byte seed. */
export function parseSigningKey(text: string): KeyObject {
  if (text.includes('BEGIN')) return createPrivateKey(text);
  const seed = Buffer.from(text, 'base64');
  if (seed.length !== 32) throw new Error('AUDIT_SIGNING_KEY: must be PKCS#8 PEM or base64 of a 32-byte Ed25519 seed');
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

export function checkpointPayload(c: Pick<Checkpoint, 'position' | 'hash' | 'previous' | 'signedAt'>): Buffer {
  return Buffer.from(canonicalize({ position: c.position, hash: c.hash, previous: c.previous, signedAt: c.signedAt }));
}

/** How the log now stands against one checkpoint: null when it agrees. */
export type Contradiction = 'signature_invalid' | 'hash_differs';

/** How the stored checkpoints contradict the log or each other. */
export type CheckpointContradiction = Contradiction | 'previous_differs';

function contradiction(c: Checkpoint, logHash: string | null, publicKeyPem: string): Contradiction | null {
  if (!checkpointSignatureValid(c, publicKeyPem)) return 'signature_invalid';
  return logHash === c.hash ? null : 'hash_differs';
}

/** `sha256:` and the hex SHA-256 of the key's SPKI DER form; null when it is not a public key. */
export function publicKeyFingerprint(publicKeyPem: string): string | null {
  try {
    return `sha256:${createHash('sha256').update(createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' })).digest('hex')}`;
  } catch {
    return null;
  }
}

/**
 * The stored checkpoints held against the log, trusting only the configured signing key (never the
 * key a row carries: whoever can rewrite the database can store a key of their own and re-sign).
 */
export interface CheckpointsCheck {
  /** The key checkpoints are verified with (AUDIT_SIGNING_KEY's public key); null: none is configured, so nothing is verified. */
  signingKey: { algorithm: 'Ed25519'; fingerprint: string } | null;
  /** Checkpoints verified with that key: signature, link to the checkpoint before, the log's hash at their position. */
  checked: number;
  /** Checkpoints stored with another key (e.g. from before a key change), or all of them when no key is configured: not trusted, not held against the log. */
  unverifiable: number;
  /** Of those checked, checkpoints at positions that went to an archive: signature and link verified, the hash is the archive's to prove. */
  archived?: number;
  firstUnverifiable?: { position: number; keyFingerprint: string | null };
  /** logHash: what the log has there now (null: no event); left out of a company's answer, it may be another company's event. */
  firstContradicted?: { position: number; signedHash: string; logHash?: string | null; reason: CheckpointContradiction };
}

/** A checkpoint someone kept outside the database, held against the log as it is now. */
export interface KeptCheckpointCheck {
  ok: boolean;
  position: number;
  signedAt: string;
  signedHash: string;
  /** The hash the log has at that position now; null when there is no event there any more. */
  logHash: string | null;
  signatureValid: boolean;
  reason?: Contradiction;
}

/** True when the signature is the given public key's over the checkpoint's content. */
export function checkpointSignatureValid(c: Checkpoint, publicKeyPem: string): boolean {
  try {
    return verify(null, checkpointPayload(c), createPublicKey(publicKeyPem), Buffer.from(c.signature, 'base64'));
  } catch {
    return false;
  }
}

interface Row {
  position: string;
  hash: string;
  previous_position: string | null;
  previous_hash: string | null;
  signed_at: Date;
  public_key: string;
  signature: string;
}

const toCheckpoint = (r: Row): Checkpoint => ({
  position: Number(r.position),
  hash: r.hash,
  previous: r.previous_position === null ? null : { position: Number(r.previous_position), hash: r.previous_hash! },
  signedAt: r.signed_at.toISOString(),
  signature: r.signature,
  publicKey: r.public_key,
});

/**
 * Signs the chain head with the configured Ed25519 key. Anyone who kept a checkpoint can
 * later prove that a database whose chain no longer has that hash at that position was
 * rewritten — even by a superuser who recomputed every hash.
 */
@Injectable()
export class CheckpointSigner {
  private readonly logger = new Logger(CheckpointSigner.name);
  private readonly key: KeyObject | null;
  /** SPKI PEM of the configured key: the only key checkpoints are verified with. */
  readonly publicKey: string | null;
  readonly fingerprint: string | null;

  constructor(
    @Inject(KEYWARD_CONFIG) config: KeywardConfig,
    private readonly dataSource: DataSource,
    private readonly store: EventStore,
  ) {
    this.key = config.audit.signingKey ? parseSigningKey(config.audit.signingKey) : null;
    this.publicKey = this.key ? (createPublicKey(this.key).export({ type: 'spki', format: 'pem' }) as string) : null;
    this.fingerprint = this.publicKey ? publicKeyFingerprint(this.publicKey) : null;
  }

  /**
   * Signs the head if it moved since the last checkpoint; null when there is nothing to sign or no key.
   * Under a lock, so that two workers never sign two checkpoints naming the same one before them.
   */
  async signHead(): Promise<Checkpoint | null> {
    const key = this.key;
    const publicKey = this.publicKey;
    if (!key || !publicKey) {
      this.logger.warn('AUDIT_SIGNING_KEY is not set: no checkpoint signed');
      return null;
    }
    return this.dataSource.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock($1)', [CHECKPOINT_LOCK]);
      const head = await this.store.head();
      if (!head) return null;
      const newest: Row[] = await m.query('SELECT * FROM audit_checkpoints ORDER BY position DESC LIMIT 1');
      const last = newest[0] ? toCheckpoint(newest[0]) : null;
      if (last && last.position >= head.position) return null;
      const unsigned = {
        position: head.position,
        hash: head.hash,
        previous: last ? { position: last.position, hash: last.hash } : null,
        signedAt: new Date().toISOString(),
      };
      const signature = sign(null, checkpointPayload(unsigned), key).toString('base64');
      const inserted = await m.query(
        `INSERT INTO audit_checkpoints (position, hash, previous_position, previous_hash, signed_at, public_key, signature)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (position) DO NOTHING RETURNING position`,
        [unsigned.position, unsigned.hash, unsigned.previous?.position ?? null, unsigned.previous?.hash ?? null, unsigned.signedAt, publicKey, signature],
      );
      return inserted.length ? { ...unsigned, signature, publicKey } : null;
    });
  }

  /**
   * Signs an archived segment's last event (the same key and payload as a chain-head checkpoint),
   * linked to the seal before it. Not stored in audit_checkpoints: the archive's manifest keeps it.
   */
  seal(point: { position: number; hash: string }, previous: { position: number; hash: string } | null): Checkpoint {
    if (!this.key || !this.publicKey) throw new Error('AUDIT_SIGNING_KEY is not set: an archive needs it to sign the seal of each segment');
    const unsigned = { position: point.position, hash: point.hash, previous, signedAt: new Date().toISOString() };
    return { ...unsigned, signature: sign(null, checkpointPayload(unsigned), this.key).toString('base64'), publicKey: this.publicKey };
  }

  /** Newest first. */
  async list(limit: number, beforePosition?: number): Promise<Checkpoint[]> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT * FROM audit_checkpoints WHERE ($1::bigint IS NULL OR position < $1) ORDER BY position DESC LIMIT $2`,
      [beforePosition ?? null, limit],
    );
    return rows.map(toCheckpoint);
  }

  /**
   * Holds every stored checkpoint against the log with the configured key only: its signature,
   * its `previous` (the checkpoint stored before it: none may go missing or be slipped in), and
   * the hash the log now has at its position. A row signed by another key is counted as
   * unverifiable, never trusted; one that claims the configured key but does not verify with it
   * contradicts the log (signature_invalid). Without a configured key nothing is verified.
   */
  async checkAgainstLog(sealedThrough = 0): Promise<CheckpointsCheck> {
    const rows: (Row & { log_hash: string | null })[] = await this.dataSource.query(
      `SELECT c.*, e.hash AS log_hash FROM audit_checkpoints c LEFT JOIN events e ON e.position = c.position ORDER BY c.position`,
    );
    const result: CheckpointsCheck = {
      signingKey: this.fingerprint ? { algorithm: 'Ed25519', fingerprint: this.fingerprint } : null,
      checked: 0,
      unverifiable: 0,
    };
    let before: Checkpoint | null = null;
    for (const row of rows) {
      const c = toCheckpoint(row);
      const reason = this.publicKey ? this.contradictionOf(c, before, row.log_hash) : 'unverifiable';
      before = c;
      if (reason === 'unverifiable') {
        result.unverifiable++;
        result.firstUnverifiable ??= { position: c.position, keyFingerprint: publicKeyFingerprint(c.publicKey) };
        continue;
      }
      result.checked++;
      if (reason === 'hash_differs' && c.position <= sealedThrough) {
        // its event went to an archive: the seal of the archive vouches for it (keyward audit verify --archive)
        result.archived = (result.archived ?? 0) + 1;
        continue;
      }
      if (reason) result.firstContradicted ??= { position: c.position, signedHash: c.hash, logHash: row.log_hash, reason };
    }
    return result;
  }

  private contradictionOf(c: Checkpoint, before: Checkpoint | null, logHash: string | null): CheckpointContradiction | 'unverifiable' | null {
    if (!checkpointSignatureValid(c, this.publicKey!)) {
      // stored as ours but not signed by it: forged; stored with another key: we cannot tell
      return publicKeyFingerprint(c.publicKey) === this.fingerprint ? 'signature_invalid' : 'unverifiable';
    }
    const linked = c.previous === null ? before === null : before !== null && c.previous.position === before.position && c.previous.hash === before.hash;
    if (!linked) return 'previous_differs';
    return logHash === c.hash ? null : 'hash_differs';
  }

  /**
   * Holds a checkpoint kept outside the database against the log: its signature by the given
   * public key (one the caller trusts), and the hash the log has at its position.
   */
  async checkKept(c: Checkpoint, publicKeyPem: string): Promise<KeptCheckpointCheck> {
    const rows: { hash: string }[] = await this.dataSource.query('SELECT hash FROM events WHERE position = $1', [c.position]);
    const logHash = rows[0]?.hash ?? null;
    const reason = contradiction(c, logHash, publicKeyPem);
    return {
      ok: reason === null,
      position: c.position,
      signedAt: c.signedAt,
      signedHash: c.hash,
      logHash,
      signatureValid: reason !== 'signature_invalid',
      ...(reason ? { reason } : {}),
    };
  }
}
