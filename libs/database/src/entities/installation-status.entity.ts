import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Read model of the installation (one row, id 1): the central link, its last contacts and the telemetry switch. */
@Entity('installation_status')
export class InstallationStatusEntity {
  @PrimaryColumn('smallint') id!: number;
  @Column('uuid', { name: 'installation_id', nullable: true }) installationId!: string | null;
  @Column('boolean', { name: 'central_active' }) centralActive!: boolean;
  @Column('text', { name: 'central_url', nullable: true }) centralUrl!: string | null;
  @Column('timestamptz', { name: 'central_activated_at', nullable: true }) centralActivatedAt!: Date | null;
  @Column('timestamptz', { name: 'central_deactivated_at', nullable: true }) centralDeactivatedAt!: Date | null;
  @Column('timestamptz', { name: 'last_contact_at', nullable: true }) lastContactAt!: Date | null;
  @Column('text', { name: 'last_contact_outcome', nullable: true }) lastContactOutcome!: string | null;
  @Column('timestamptz', { name: 'last_check_at', nullable: true }) lastCheckAt!: Date | null;
  @Column('text', { name: 'last_check_outcome', nullable: true }) lastCheckOutcome!: string | null;
  @Column('integer', { name: 'last_check_latency_ms', nullable: true }) lastCheckLatencyMs!: number | null;
  @Column('timestamptz', { name: 'last_heartbeat_at', nullable: true }) lastHeartbeatAt!: Date | null;
  @Column('timestamptz', { name: 'last_heartbeat_failed_at', nullable: true }) lastHeartbeatFailedAt!: Date | null;
  @Column('text', { name: 'last_heartbeat_failure', nullable: true }) lastHeartbeatFailure!: string | null;
  @Column('boolean', { name: 'telemetry_enabled' }) telemetryEnabled!: boolean;
  @Column('timestamptz', { name: 'telemetry_changed_at', nullable: true }) telemetryChangedAt!: Date | null;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}
