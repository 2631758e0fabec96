import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import { Problem } from '@keyward/common';

/** A verifier's lease as its stream opens: changes after `head` are its to apply. */
export interface VerifierLease {
  verifierId: string;
  leaseMs: number;
  head: number;
}

/**
 * The leases of a company's verifiers (its own services' caches, docs/verifier-protocol.md): rows
 * of `auth_instances` with the company's id, waited for by `CacheCoherenceService.confirmApplied`
 * exactly like Keyward's own instances. Each call is one statement: a stream holds no connection.
 */
@Injectable()
export class VerifierLeases {
  readonly leaseMs: number;

  constructor(
    @Inject(KEYWARD_CONFIG) config: KeywardConfig,
    private readonly dataSource: DataSource,
  ) {
    this.leaseMs = config.authCache.leaseMs;
  }

  /** A new lease at the current head of `auth_changes`, one lease long on the database clock. */
  async open(companyId: string, host: string): Promise<VerifierLease> {
    const verifierId = randomUUID();
    const rows: { seen_seq: string }[] = await this.dataSource.query(
      `INSERT INTO auth_instances (instance_id, company_id, seen_seq, valid_until, host, pid)
       SELECT $1, $2, coalesce(max(seq), 0), clock_timestamp() + $3 * interval '1 millisecond', $4, 0 FROM auth_changes
       RETURNING seen_seq`,
      [verifierId, companyId, this.leaseMs, host],
    );
    return { verifierId, leaseMs: this.leaseMs, head: Number(rows[0].seen_seq) };
  }

  /**
   * "Applied every change up to `seq`": renews a live lease. An ack never claims more than has
   * been committed. 404 for a lease unknown here or of another company, 410 for a lapsed one.
   */
  async ack(companyId: string, verifierId: string, seq: number): Promise<{ leaseMs: number }> {
    // an UPDATE answers [rows, count] through TypeORM's Postgres driver
    const [renewed]: [unknown[], number] = await this.dataSource.query(
      `UPDATE auth_instances
          SET seen_seq = greatest(seen_seq, least($3::bigint, (SELECT coalesce(max(seq), 0) FROM auth_changes))),
              valid_until = clock_timestamp() + $4 * interval '1 millisecond'
        WHERE instance_id = $1 AND company_id = $2 AND valid_until > clock_timestamp() AND ended_at IS NULL
        RETURNING instance_id`,
      [verifierId, companyId, seq, this.leaseMs],
    );
    if (renewed.length > 0) return { leaseMs: this.leaseMs };
    const known: unknown[] = await this.dataSource.query('SELECT 1 FROM auth_instances WHERE instance_id = $1 AND company_id = $2', [
      verifierId,
      companyId,
    ]);
    if (known.length === 0) throw new Problem(404, 'VERIFIER_NOT_FOUND', 'no lease of this company has this verifierId; open a new stream');
    throw new Problem(410, 'VERIFIER_LEASE_LAPSED', 'the lease lapsed or its stream ended: empty the cache and open a new stream');
  }

  /**
   * The stream ended (client gone, server stopping, a slow reader): the lease is renewed no more,
   * but changes keep waiting for it until it lapses — the verifier may not have noticed yet and
   * may still answer from its cache until then.
   */
  async close(verifierId: string): Promise<void> {
    await this.dataSource.query('UPDATE auth_instances SET ended_at = clock_timestamp() WHERE instance_id = $1 AND company_id IS NOT NULL', [
      verifierId,
    ]);
  }

  /** The verifier says it stopped answering from its cache (a graceful stop): nothing waits for it any more. */
  async release(companyId: string, verifierId: string): Promise<void> {
    const [gone]: [unknown[], number] = await this.dataSource.query(
      'DELETE FROM auth_instances WHERE instance_id = $1 AND company_id = $2 RETURNING instance_id',
      [verifierId, companyId],
    );
    if (gone.length === 0) throw new Problem(404, 'VERIFIER_NOT_FOUND', 'no lease of this company has this verifierId');
  }
}
