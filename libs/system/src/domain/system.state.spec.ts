import { StoredEvent } from '@keyward/event-store';
import { SystemEvent } from '../events/system-events';
import { foldInstallation, foldSharedSecret } from './system.state';

let version = 0;
const event = (type: string, data: object, at = '2025-01-01T00:00:00Z'): StoredEvent =>
  ({ type, data, occurredAt: new Date(at), streamVersion: ++version, companyId: 'c-1' }) as unknown as StoredEvent;
const sealed = (n: number) => ({ alg: 'A256GCM', keyId: 'k', iv: `iv${n}`, tag: `t${n}`, ciphertext: `c${n}` });

describe('system state folds', () => {
  beforeEach(() => (version = 0));

  it('a shared secret: created, rotated (creation date kept), revealed (nothing changes)', () => {
    expect(foldSharedSecret([])).toBeNull();
    const s = foldSharedSecret([
      event(SystemEvent.SharedSecretRotated, { sealed: sealed(1), fingerprint: 'sha256:a', previousFingerprint: null }, '2025-01-01T00:00:00Z'),
      event(SystemEvent.SharedSecretRotated, { sealed: sealed(2), fingerprint: 'sha256:b', previousFingerprint: 'sha256:a' }, '2025-02-01T00:00:00Z'),
      event(SystemEvent.SharedSecretRevealed, { fingerprint: 'sha256:b' }, '2025-03-01T00:00:00Z'),
    ]);
    expect(s).toMatchObject({
      companyId: 'c-1',
      version: 3,
      fingerprint: 'sha256:b',
      sealed: sealed(2),
      createdAt: new Date('2025-01-01T00:00:00Z'),
      rotatedAt: new Date('2025-02-01T00:00:00Z'),
    });
  });

  it('the installation: link on and off (its id kept), telemetry switch independent of it', () => {
    expect(foldInstallation([])).toEqual({ version: 0, installationId: null, central: null, telemetryEnabled: false });
    const s = foldInstallation([
      event(SystemEvent.CentralActivated, { installationId: 'i-1', url: 'https://c', sealedKey: sealed(1) }),
      event(SystemEvent.TelemetryEnabled, { intervalMs: 1000 }),
      event(SystemEvent.CentralDeactivated, { installationId: 'i-1' }),
    ]);
    expect(s).toEqual({ version: 3, installationId: 'i-1', central: null, telemetryEnabled: true });
    const again = foldInstallation([
      event(SystemEvent.CentralActivated, { installationId: 'i-1', url: 'https://c', sealedKey: sealed(1) }),
      event(SystemEvent.TelemetryEnabled, { intervalMs: 1000 }),
      event(SystemEvent.TelemetryDisabled, {}),
    ]);
    expect(again).toMatchObject({ installationId: 'i-1', central: { url: 'https://c' }, telemetryEnabled: false });
  });
});
