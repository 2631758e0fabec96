import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { InstallationStatusEntity, upsertColumns } from '@keyward/database';
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
        installationId: d.installationId,
        centralActive: true,
        centralUrl: d.url,
        centralActivatedAt: at,
        lastContactAt: at,
        lastContactOutcome: 'ok',
      });
    }
    case SystemEvent.CentralDeactivated:
      return installation(m, at, { centralActive: false, centralDeactivatedAt: at });
    case SystemEvent.CentralChecked: {
      const d = e.data;
      await installation(m, at, { lastCheckAt: at, lastCheckOutcome: d.outcome, lastCheckLatencyMs: d.latencyMs });
      return contact(m, d.attemptedAt, d.outcome);
    }
    case SystemEvent.HeartbeatSent: {
      const d = e.data;
      await installation(m, at, { lastHeartbeatAt: at });
      return contact(m, d.attemptedAt, 'ok');
    }
    case SystemEvent.HeartbeatFailed: {
      const d = e.data;
      await installation(m, at, { lastHeartbeatFailedAt: at, lastHeartbeatFailure: d.reason });
      // 'error' is a failure on this side (e.g. no encryption key): it says nothing about the central service
      if (d.outcome !== 'error') await contact(m, d.attemptedAt, d.outcome);
      return;
    }
    case SystemEvent.TelemetryEnabled:
      return installation(m, at, { telemetryEnabled: true, telemetryChangedAt: at });
    case SystemEvent.TelemetryDisabled:
      return installation(m, at, { telemetryEnabled: false, telemetryChangedAt: at });
    default:
      return; // events other read models care about
  }
}

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
async function installation(m: EntityManager, at: Date, changes: Partial<Omit<InstallationStatusEntity, 'id' | 'updatedAt'>>): Promise<void> {
  await upsertColumns(m, InstallationStatusEntity, { id: 1, updatedAt: at, ...changes });
}
