import { StoredEvent, eventsOf } from '@keyward/event-store';
import { SealedSecret } from '../crypto/secret-box';
import { SystemEvent, SystemEvents } from '../events/system-events';

/** One company's shared secret, as its stream tells it. */
export interface SharedSecretState {
  companyId: string;
  version: number;
  sealed: SealedSecret;
  fingerprint: string;
  createdAt: Date;
  rotatedAt: Date | null;
  /** The secret it replaced, while it still signs beside it (the rotation's overlap). */
  previous: { sealed: SealedSecret; fingerprint: string; validUntil: Date } | null;
}

export function foldSharedSecret(events: StoredEvent[]): SharedSecretState | null {
  let s = null as SharedSecretState | null;
  for (const e of eventsOf<SystemEvents>(events)) {
    if (e.type === SystemEvent.SharedSecretRotated) {
      const d = e.data;
      const previous: SharedSecretState | null = s;
      s = {
        companyId: e.companyId!,
        version: e.streamVersion,
        sealed: d.sealed,
        fingerprint: d.fingerprint,
        createdAt: previous?.createdAt ?? e.occurredAt,
        rotatedAt: previous ? e.occurredAt : null,
        previous:
          previous && d.previousValidUntil
            ? { sealed: previous.sealed, fingerprint: previous.fingerprint, validUntil: new Date(d.previousValidUntil) }
            : null,
      };
    }
    if (s) s.version = e.streamVersion;
  }
  return s;
}

/** The installation's settings (stream `installation`): the central link and the telemetry switch. */
export interface InstallationState {
  version: number;
  /** Chosen at the first activation and kept from then on. */
  installationId: string | null;
  central: { url: string; sealedKey: SealedSecret; activatedAt: Date } | null;
  telemetryEnabled: boolean;
}

export function foldInstallation(events: StoredEvent[]): InstallationState {
  const s: InstallationState = { version: 0, installationId: null, central: null, telemetryEnabled: false };
  for (const e of eventsOf<SystemEvents>(events)) {
    switch (e.type) {
      case SystemEvent.CentralActivated: {
        const d = e.data;
        s.installationId = d.installationId;
        s.central = { url: d.url, sealedKey: d.sealedKey, activatedAt: e.occurredAt };
        break;
      }
      case SystemEvent.CentralDeactivated:
        s.central = null;
        break;
      case SystemEvent.TelemetryEnabled:
        s.telemetryEnabled = true;
        break;
      case SystemEvent.TelemetryDisabled:
        s.telemetryEnabled = false;
        break;
    }
    s.version = e.streamVersion;
  }
  return s;
}
