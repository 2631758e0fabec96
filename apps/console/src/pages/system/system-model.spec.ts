import type { CentralStatus, SystemStatus } from '../../api/types';
import {
  HEARTBEAT_FIELDS,
  describeCentral,
  describeCheck,
  describeHeartbeat,
  describeInterval,
  describeLag,
  describeTelemetry,
  isSharedSecret,
  queueRows,
} from './system-model';

const central = (over: Partial<CentralStatus>): CentralStatus => ({
  status: 'inactive',
  url: 'http://central.test',
  installationId: null,
  activatedAt: null,
  lastCheckAt: null,
  lastCheckOutcome: null,
  lastHeartbeatAt: null,
  ...over,
});

const telemetry = (over: Partial<SystemStatus['telemetry']>): SystemStatus['telemetry'] => ({
  enabled: false,
  state: 'off',
  pausedReason: null,
  intervalMs: 3_600_000,
  lastFailureAt: null,
  lastFailureReason: null,
  ...over,
});

describe('describeCentral', () => {
  it('not configured: names CENTRAL_URL and offers nothing to click', () => {
    const v = describeCentral(central({ status: 'not_configured', url: null }));
    expect(v.sentence).toMatch(/not configured/i);
    expect(v.sentence).toContain('CENTRAL_URL is not set');
    expect(v).toMatchObject({ canActivate: false, canDeactivate: false, canContact: false });
  });

  it('not configured after a link was activated: deactivate stays possible', () => {
    const v = describeCentral(central({ status: 'not_configured', url: null, activatedAt: '2026-01-01T00:00:00Z' }));
    expect(v).toMatchObject({ canActivate: false, canDeactivate: true });
  });

  it('inactive: activation is the main action, nothing to check or deactivate', () => {
    const v = describeCentral(central({ status: 'inactive' }));
    expect(v).toMatchObject({ canActivate: true, activatePrimary: true, canDeactivate: false, canContact: false, tone: 'neutral' });
    expect(v.sentence).toContain('http://central.test');
  });

  it('active: check, deactivate, and replacing the key is secondary', () => {
    const v = describeCentral(central({ status: 'active', activatedAt: '2026-01-01T00:00:00Z', installationId: 'i' }));
    expect(v).toMatchObject({ tone: 'ok', label: 'Active', canContact: true, canDeactivate: true, canActivate: true, activatePrimary: false });
  });

  it('url_changed: nothing can be sent, activate again', () => {
    const v = describeCentral(central({ status: 'url_changed', activatedAt: '2026-01-01T00:00:00Z' }));
    expect(v).toMatchObject({ tone: 'warn', canContact: false, activatePrimary: true, canDeactivate: true });
  });

  it('rejected and unreachable: linked, contact still possible', () => {
    const rejected = describeCentral(central({ status: 'rejected', activatedAt: '2026-01-01T00:00:00Z' }));
    const unreachable = describeCentral(central({ status: 'unreachable', activatedAt: '2026-01-01T00:00:00Z' }));
    expect(rejected).toMatchObject({ tone: 'bad', canContact: true, activatePrimary: true });
    expect(unreachable).toMatchObject({ tone: 'warn', canContact: true, activatePrimary: false });
    expect(rejected.sentence).toMatch(/refused/);
  });
});

describe('results', () => {
  it('a successful check names status and latency', () => {
    const r = describeCheck({ outcome: 'ok', httpStatus: 200, latencyMs: 12, reason: null, checkedAt: '', central: central({}) });
    expect(r).toEqual({ ok: true, text: 'Connection OK: the central service answered HTTP 200 in 12 ms.' });
  });

  it('a failed check gives the reason without a double full stop', () => {
    const r = describeCheck({ outcome: 'timeout', httpStatus: null, latencyMs: 400, reason: 'no answer within CENTRAL_TIMEOUT_MS (400 ms)', checkedAt: '', central: central({}) });
    expect(r.ok).toBe(false);
    expect(r.text).toBe('Connection check failed: no answer within CENTRAL_TIMEOUT_MS (400 ms) (after 400 ms).');
    const bare = describeCheck({ outcome: 'rejected', httpStatus: 401, latencyMs: 3, reason: null, checkedAt: '', central: central({}) });
    expect(bare.text).toBe('Connection check failed: the central service refused the key (after 3 ms).');
  });

  it('heartbeat sent and failed', () => {
    expect(describeHeartbeat({ outcome: 'sent', heartbeatId: 'h', attempt: 1, httpStatus: 200, latencyMs: 3 })).toMatchObject({ ok: true });
    expect(describeHeartbeat({ outcome: 'sent', heartbeatId: 'h', attempt: 1, httpStatus: 200, latencyMs: 3 }).text).toMatch(/^Heartbeat sent/);
    const failed = describeHeartbeat({ outcome: 'failed', heartbeatId: 'h', attempt: 1, failure: 'unreachable', httpStatus: 500, latencyMs: 2, reason: 'the central service answered HTTP 500' });
    expect(failed).toEqual({
      ok: false,
      text: 'Heartbeat failed: the central service answered HTTP 500 (after 2 ms). It is recorded in the audit trail as HeartbeatFailed.',
    });
    const local = describeHeartbeat({ outcome: 'failed', heartbeatId: 'h', attempt: 1, failure: 'error', httpStatus: null, latencyMs: null, reason: '' });
    expect(local.text).toBe('Heartbeat failed: the request could not be made. It is recorded in the audit trail as HeartbeatFailed.');
  });
});

describe('telemetry', () => {
  it('interval in words', () => {
    expect(describeInterval(3_600_000)).toBe('every hour');
    expect(describeInterval(7_200_000)).toBe('every 2 hours');
    expect(describeInterval(90_000)).toBe('every 90 seconds');
    expect(describeInterval(1_500)).toBe('every 1500 ms');
  });

  it('states', () => {
    expect(describeTelemetry(telemetry({})).label).toBe('Off');
    expect(describeTelemetry(telemetry({ enabled: true, state: 'on' })).text).toContain('every hour');
    const paused = describeTelemetry(telemetry({ enabled: true, state: 'paused', pausedReason: 'CENTRAL_URL_CHANGED' }));
    expect(paused.tone).toBe('warn');
    expect(paused.text).toContain('CENTRAL_URL changed');
  });

  it('lists every field of the heartbeat payload and nothing else', () => {
    expect(HEARTBEAT_FIELDS.map((f) => f.field)).toEqual([
      'heartbeatId', 'installationId', 'instanceId', 'version', 'uptimeSeconds', 'sentAt',
      'counts.companies', 'counts.users', 'counts.activeKeys', 'counts.events',
    ]);
  });
});

describe('queues and lag', () => {
  it('sorts queues and keeps unknown ones', () => {
    const rows = queueRows({ usage: { waiting: 1, active: 0, failed: 0, delayed: 0 }, projections: null });
    expect(rows.map((r) => r.name)).toEqual(['projections', 'usage']);
    expect(rows[0].counts).toBeNull();
  });

  it('lag in words', () => {
    expect(describeLag({ events: 0, seconds: 0 })).toMatch(/^Up to date/);
    expect(describeLag({ events: 1, seconds: 2.345 })).toBe('1 event not yet projected; the oldest is 2.3 s old.');
    expect(describeLag({ events: 40, seconds: 75.2 })).toBe('40 events not yet projected; the oldest is 75 s old.');
  });
});

describe('isSharedSecret', () => {
  it('accepts kwss_ + 43 base64url characters only', () => {
    expect(isSharedSecret(`kwss_${'A'.repeat(42)}-`)).toBe(true);
    expect(isSharedSecret(`kwss_${'A'.repeat(42)}`)).toBe(false);
    expect(isSharedSecret(`kw_${'A'.repeat(45)}`)).toBe(false);
    expect(isSharedSecret(`kwss_${'A'.repeat(42)}=`)).toBe(false);
    expect(isSharedSecret(undefined)).toBe(false);
  });
});
