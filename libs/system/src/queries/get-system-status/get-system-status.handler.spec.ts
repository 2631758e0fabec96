import { centralView, telemetryView } from './get-system-status.handler';

type Row = Parameters<typeof centralView>[0];

const URL_A = 'https://central.example';
const row = (over: Partial<NonNullable<Row>> = {}): NonNullable<Row> => ({
  id: 1,
  installationId: '3f0c7a7e-0000-4000-8000-000000000001',
  centralActive: true,
  centralUrl: URL_A,
  centralActivatedAt: new Date('2025-01-01T00:00:00Z'),
  centralDeactivatedAt: null,
  lastContactAt: new Date('2025-01-01T00:00:00Z'),
  lastContactOutcome: 'ok',
  lastCheckAt: null,
  lastCheckOutcome: null,
  lastCheckLatencyMs: null,
  lastHeartbeatAt: null,
  lastHeartbeatFailedAt: null,
  lastHeartbeatFailure: null,
  telemetryEnabled: false,
  telemetryChangedAt: null,
  updatedAt: new Date('2025-01-01T00:00:00Z'),
  ...over,
});

describe('system status: central link and telemetry', () => {
  it.each<[string, Row, string | null, string]>([
    ['no CENTRAL_URL', row(), null, 'not_configured'],
    ['never activated', undefined, URL_A, 'inactive'],
    ['deactivated', row({ centralActive: false }), URL_A, 'inactive'],
    ['activated for another URL', row({ centralUrl: 'https://old.example' }), URL_A, 'url_changed'],
    ['last contact ok', row(), URL_A, 'active'],
    ['no contact since activation', row({ lastContactOutcome: null }), URL_A, 'active'],
    ['key refused at the last contact', row({ lastContactOutcome: 'rejected' }), URL_A, 'rejected'],
    ['no connection at the last contact', row({ lastContactOutcome: 'unreachable' }), URL_A, 'unreachable'],
    ['no answer in time at the last contact', row({ lastContactOutcome: 'timeout' }), URL_A, 'unreachable'],
  ])('central is %s', (_name, r, url, status) => {
    expect(centralView(r, url).status).toBe(status);
  });

  it('shows no activation date once deactivated, and the configured URL', () => {
    expect(centralView(row({ centralActive: false }), URL_A)).toMatchObject({ activatedAt: null, url: URL_A });
    expect(centralView(row(), URL_A).activatedAt).toBe('2025-01-01T00:00:00.000Z');
  });

  it.each<[string, Row, string | null, object]>([
    ['off by default', undefined, URL_A, { enabled: false, state: 'off', pausedReason: null }],
    ['on with an active link', row({ telemetryEnabled: true }), URL_A, { enabled: true, state: 'on', pausedReason: null }],
    ['on, but the link is unreachable: still on (it retries)', row({ telemetryEnabled: true, lastContactOutcome: 'timeout' }), URL_A, { state: 'on' }],
    ['on without a link', row({ telemetryEnabled: true, centralActive: false }), URL_A, { state: 'paused', pausedReason: 'CENTRAL_NOT_ACTIVE' }],
    ['on without CENTRAL_URL', row({ telemetryEnabled: true }), null, { state: 'paused', pausedReason: 'CENTRAL_NOT_CONFIGURED' }],
    ['on after CENTRAL_URL changed', row({ telemetryEnabled: true, centralUrl: 'https://old.example' }), URL_A, { state: 'paused', pausedReason: 'CENTRAL_URL_CHANGED' }],
    ['off without a link: no reason shown', row({ centralActive: false }), URL_A, { state: 'off', pausedReason: null }],
  ])('telemetry is %s', (_name, r, url, expected) => {
    expect(telemetryView(r, centralView(r, url), 60_000)).toMatchObject({ intervalMs: 60_000, ...expected });
  });
});
