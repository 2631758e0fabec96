import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ProjectedEvent, ProjectedEventOf, Projection, eventsOf } from '@keyward/event-store';
import { SystemEvent, SystemEvents } from '../events/system-events';

/**
 * `shared_secrets` (metadata of each company's shared secret; the sealed secret stays in the
 * log) and `installation_status` (one row: central link, last contact, telemetry switch). Every
 * value comes from the events, so a rebuild produces the same rows.
 */
@Injectable()
export class SystemReadModelProjection implements Projection {
  readonly tables = ['shared_secrets', 'installation_status'];

  async apply(m: EntityManager, events: ProjectedEvent[]): Promise<void> {
    for (const e of eventsOf<SystemEvents>(events)) await applyToSystemReadModel(m, e);
  }
}

export async function applyToSystemReadModel(m: EntityManager, e: ProjectedEventOf<SystemEvents>): Promise<void> {
  const at = e.occurredAt;
  switch (e.type) {
    case SystemEvent.SharedSecretRotated: {
      const d = e.data;
      await m.query(
        `INSERT INTO shared_secrets (company_id, fingerprint, created_at, rotated_at, version)
         VALUES ($1, $2, $3, NULL, $4)
         ON CONFLICT (company_id) DO UPDATE SET fingerprint = excluded.fingerprint, rotated_at = $3, version = $4`,
        [e.companyId, d.fingerprint, at, e.streamVersion],
      );
      return;
    }
    case SystemEvent.SharedSecretRevealed:
      await m.query(`UPDATE shared_secrets SET last_revealed_at = $2, version = $3 WHERE company_id = $1`, [
        e.companyId,
        at,
        e.streamVersion,
      ]);
      return;
    case SystemEvent.CentralActivated: {
      const d = e.data;
      return installation(m, at, {
        installation_id: d.installationId,
        central_active: true,
        central_url: d.url,
        central_activated_at: at,
        last_contact_at: at,
        last_contact_outcome: 'ok',
      });
    }
    case SystemEvent.CentralDeactivated:
      return installation(m, at, { central_active: false, central_deactivated_at: at });
    case SystemEvent.CentralChecked: {
      const d = e.data;
      await installation(m, at, { last_check_at: at, last_check_outcome: d.outcome, last_check_latency_ms: d.latencyMs });
      return contact(m, d.attemptedAt, d.outcome);
    }
    case SystemEvent.HeartbeatSent: {
      const d = e.data;
      await installation(m, at, { last_heartbeat_at: at });
      return contact(m, d.attemptedAt, 'ok');
    }
    case SystemEvent.HeartbeatFailed: {
      const d = e.data;
      await installation(m, at, { last_heartbeat_failed_at: at, last_heartbeat_failure: d.reason });
      // 'error' is a failure on this side (e.g. no encryption key): it says nothing about the central service
      if (d.outcome !== 'error') await contact(m, d.attemptedAt, d.outcome);
      return;
    }
    case SystemEvent.TelemetryEnabled:
      return installation(m, at, { telemetry_enabled: true, telemetry_changed_at: at });
    case SystemEvent.TelemetryDisabled:
      return installation(m, at, { telemetry_enabled: false, telemetry_changed_at: at });
    default:
      return; // events other read models care about
  }
}

const INSTALLATION_COLUMNS = new Set([
  'installation_id',
  'central_active',
  'central_url',
  'central_activated_at',
  'central_deactivated_at',
  'last_contact_at',
  'last_contact_outcome',
  'last_check_at',
  'last_check_outcome',
  'last_check_latency_ms',
  'last_heartbeat_at',
  'last_heartbeat_failed_at',
  'last_heartbeat_failure',
  'telemetry_enabled',
  'telemetry_changed_at',
]);

/**
 * Records a contact with the central service made at `attemptedAt`, unless a later one is
 * already recorded: a retried attempt whose event lands late cannot hide a newer outcome.
 */
async function contact(m: EntityManager, attemptedAt: string, outcome: string): Promise<void> {
  await m.query(
    `UPDATE installation_status
        SET last_contact_outcome = CASE WHEN last_contact_at IS NULL OR last_contact_at <= $1 THEN $2 ELSE last_contact_outcome END,
            last_contact_at = GREATEST(last_contact_at, $1)
      WHERE id = 1`,
    [attemptedAt, outcome],
  );
}

/** Upserts the one installation row, setting only the given columns. */
async function installation(m: EntityManager, at: Date, changes: Record<string, unknown>): Promise<void> {
  const columns = Object.keys(changes);
  for (const c of columns) if (!INSTALLATION_COLUMNS.has(c)) throw new Error(`installation_status has no column ${c}`);
  const params = [at, ...columns.map((c) => changes[c])];
  const placeholders = columns.map((_, i) => `$${i + 2}`);
  await m.query(
    `INSERT INTO installation_status (id, updated_at${columns.map((c) => `, ${c}`).join('')})
     VALUES (1, $1${placeholders.map((p) => `, ${p}`).join('')})
     ON CONFLICT (id) DO UPDATE SET updated_at = $1${columns.map((c, i) => `, ${c} = ${placeholders[i]}`).join('')}`,
    params,
  );
}
