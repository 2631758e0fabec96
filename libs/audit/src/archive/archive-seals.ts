import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AUDIT_ARCHIVED } from './archive-manifest';

/** What an AuditArchived event of the live log says: where the log's start went. */
export interface ArchiveSeal {
  /** Position of the AuditArchived event itself. */
  recordedAt: number;
  firstPosition: number;
  /** The last archived event, and its hash: the first live event's prevHash. */
  throughPosition: number;
  lastHash: string;
  manifest: string;
  manifestSha256: string;
  segments: number;
}

/** AuditArchived is a system event (no company): found through (company_id, type, position). */
const NEWEST = `SELECT position, data FROM events WHERE company_id IS NULL AND type = '${AUDIT_ARCHIVED}' ORDER BY position DESC LIMIT 1`;

@Injectable()
export class ArchiveSeals {
  constructor(private readonly dataSource: DataSource) {}

  /** The newest archive's seal; null while nothing was archived. */
  async newest(manager: EntityManager = this.dataSource.manager): Promise<ArchiveSeal | null> {
    const rows: { position: string; data: Record<string, unknown> }[] = await manager.query(NEWEST);
    if (!rows[0]) return null;
    const d = rows[0].data as { firstPosition: number; throughPosition: number; lastHash: string; manifest: string; manifestSha256: string; segments: unknown[] };
    return {
      recordedAt: Number(rows[0].position),
      firstPosition: d.firstPosition,
      throughPosition: d.throughPosition,
      lastHash: d.lastHash,
      manifest: d.manifest,
      manifestSha256: d.manifestSha256,
      segments: d.segments.length,
    };
  }
}
