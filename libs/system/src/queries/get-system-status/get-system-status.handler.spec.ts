import { centralView, telemetryView } from './get-system-status.handler';

type Row = Parameters<typeof centralView>[0];

const URL_A = 'https://central.example';
const row = (over: Partial<NonNullable<Row>> = {}): NonNullable<Row> => ({
  installation_id: '3f0c7a7e-0000-4000-8000-000000000001',
  central_active: true,
  central_url: URL_A,
  central_activated_at: new Date('2025-01-01T00:00:00Z'),
  last_contact_outcome: 'ok',
  last_check_at: null,
  last_check_outcome: null,
  last_heartbeat_at: null,
  last_heartbeat_failed_at: null,
  last_heartbeat_failure: null,
  telemetry_enabled: false,
  ...over,
});

describe('system status: central link and telemetry', () => {
  it.each<[string, Row, string | null, string]>([
    ['no CENTRAL_URL', row(), null, 'not_configured'],
    ['never activated', undefined, URL_A, 'inactive'],
    ['deactivated', row({ central_active: false }), URL_A, 'inactive'],
    ['activated for another URL', row({ central_url: 'https://old.example' }), URL_A, 'url_changed'],
    ['last contact ok', row(), URL_A, 'active'],
    ['no contact since activation', row({ last_contact_outcome: null }), URL_A, 'active'],
    ['key refused at the last contact', row({ last_contact_outcome: 'rejected' }), URL_A, 'rejected'],
    ['no connection at the last contact', row({ last_contact_outcome: 'unreachable' }), URL_A, 'unreachable'],
    ['no answer in time at the last contact', row({ last_contact_outcome: 'timeout' }), URL_A, 'unreachable'],
  ])('central is %s', (_name, r, url, status) => {
    expect(centralView(r, url).status).toBe(status);
  });

  it('shows no activation date once deactivated, and the configured URL', () => {
    expect(centralView(row({ central_active: false }), URL_A)).toMatchObject({ activatedAt: null, url: URL_A });
    expect(centralView(row(), URL_A).activatedAt).toBe('2025-01-01T00:00:00.000Z');
  });

  it.each<[string, Row, string | null, object]>([
    ['off by default', undefined, URL_A, { enabled: false, state: 'off', pausedReason: null }],
    ['on with an active link', row({ telemetry_enabled: true }), URL_A, { enabled: true, state: 'on', pausedReason: null }],
    ['on, but the link is unreachable: still on (it retries)', row({ telemetry_enabled: true, last_contact_outcome: 'timeout' }), URL_A, { state: 'on' }],
    ['on without a link', row({ telemetry_enabled: true, central_active: false }), URL_A, { state: 'paused', pausedReason: 'CENTRAL_NOT_ACTIVE' }],
    ['on without CENTRAL_URL', row({ telemetry_enabled: true }), null, { state: 'paused', pausedReason: 'CENTRAL_NOT_CONFIGURED' }],
    ['on after CENTRAL_URL changed', row({ telemetry_enabled: true, central_url: 'https://old.example' }), URL_A, { state: 'paused', pausedReason: 'CENTRAL_URL_CHANGED' }],
    ['off without a link: no reason shown', row({ central_active: false }), URL_A, { state: 'off', pausedReason: null }],
  ])('telemetry is %s', (_name, r, url, expected) => {
    expect(telemetryView(r, centralView(r, url), 60_000)).toMatchObject({ intervalMs: 60_000, ...expected });
  });
});
