import { KeyObject, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
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

function contradiction(c: Checkpoint, logHash: string | null, publicKeyPem = c.publicKey): Contradiction | null {
  if (!checkpointSignatureValid(c, publicKeyPem)) return 'signature_invalid';
  return logHash === c.hash ? null : 'hash_differs';
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
export function checkpointSignatureValid(c: Checkpoint, publicKeyPem = c.publicKey): boolean {
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
  readonly publicKey: string | null;

  constructor(
    @Inject(KEYWARD_CONFIG) config: KeywardConfig,
    private readonly dataSource: DataSource,
    private readonly store: EventStore,
  ) {
    this.key = config.audit.signingKey ? parseSigningKey(config.audit.signingKey) : null;
    this.publicKey = this.key ? (createPublicKey(this.key).export({ type: 'spki', format: 'pem' }) as string) : null;
  }

  /** Signs the head if it moved since the last checkpoint; null when there is nothing to sign or no key. */
  async signHead(): Promise<Checkpoint | null> {
    if (!this.key || !this.publicKey) {
      this.logger.warn('AUDIT_SIGNING_KEY is not set: no checkpoint signed');
      return null;
    }
    const head = await this.store.head();
    if (!head) return null;
    const last = await this.latest();
    if (last && last.position >= head.position) return null;
    const unsigned = {
      position: head.position,
      hash: head.hash,
      previous: last ? { position: last.position, hash: last.hash } : null,
      signedAt: new Date().toISOString(),
    };
    const signature = sign(null, checkpointPayload(unsigned), this.key).toString('base64');
    const inserted = await this.dataSource.query(
      `INSERT INTO audit_checkpoints (position, hash, previous_position, previous_hash, signed_at, public_key, signature)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (position) DO NOTHING RETURNING position`,
      [unsigned.position, unsigned.hash, unsigned.previous?.position ?? null, unsigned.previous?.hash ?? null, unsigned.signedAt, this.publicKey, signature],
    );
    return inserted.length ? { ...unsigned, signature, publicKey: this.publicKey } : null;
  }

  async latest(): Promise<Checkpoint | null> {
    const rows: Row[] = await this.dataSource.query('SELECT * FROM audit_checkpoints ORDER BY position DESC LIMIT 1');
    return rows[0] ? toCheckpoint(rows[0]) : null;
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
   * Holds every stored checkpoint against the log: its signature, and the hash the log
   * now has at its position. Returns the first checkpoint the log contradicts.
   */
  async checkAgainstLog(): Promise<{ checked: number; firstContradicted?: { position: number; signedHash: string; logHash: string | null; reason: string } }> {
    const rows: (Row & { log_hash: string | null })[] = await this.dataSource.query(
      `SELECT c.*, e.hash AS log_hash FROM audit_checkpoints c LEFT JOIN events e ON e.position = c.position ORDER BY c.position`,
    );
    for (const row of rows) {
      const c = toCheckpoint(row);
      const reason = contradiction(c, row.log_hash);
      if (reason) return { checked: rows.length, firstContradicted: { position: c.position, signedHash: c.hash, logHash: row.log_hash, reason } };
    }
    return { checked: rows.length };
  }

  /**
   * Holds a checkpoint kept outside the database against the log: its signature (by the
   * given public key, else the one it carries) and the hash the log has at its position.
   */
  async checkKept(c: Checkpoint, publicKeyPem = c.publicKey): Promise<KeptCheckpointCheck> {
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
