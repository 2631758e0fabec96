import type { AuditEvent, AuditVerification, EventType, KeyStateAt } from '../../api/types';
import { describeKeyState, describeVerification, eventKeys, eventSubject, keyStatusTone, shortId, summarizeEvent } from './describe';

const KEY = '8a662044-8aa6-4008-b0af-42dd0ed9eb4f';

function event(type: EventType, data: Record<string, unknown>, streamId = `key-${KEY}`): AuditEvent {
  return {
    position: 5,
    eventId: 'e',
    streamId,
    streamVersion: 1,
    type,
    occurredAt: '2030-01-01T00:00:00.000Z',
    companyId: 'c',
    actor: { type: 'key', id: 'k' },
    data,
    metadata: {},
    prevHash: '0'.repeat(64),
    hash: 'f'.repeat(64),
  };
}

describe('audit event words', () => {
  it('finds the key an event concerns, or its user, company or stream', () => {
    expect(eventKeys(event('KeyRotated', { keyId: KEY, newKeyId: 'n' }))).toEqual({ keyId: KEY, newKeyId: 'n' });
    expect(eventSubject(event('UserCreated', { userId: 'u1' }, 'user-u1'))).toEqual({ kind: 'user', id: 'u1' });
    expect(eventSubject(event('CompanyCreated', { name: 'Acme' }, 'company-c1'))).toEqual({ kind: 'company', id: 'c1' });
    expect(eventSubject(event('HeartbeatSent', {}, 'system'))).toEqual({ kind: 'stream', id: 'system' });
  });

  it('summarises what happened', () => {
    expect(summarizeEvent(event('KeyCreated', { name: 'ci', type: 'standard', permissions: ['keys:read'] }))).toBe('“ci” · standard · keys:read');
    expect(summarizeEvent(event('KeyRevoked', { keyId: KEY, reason: 'leaked' }))).toBe('reason: leaked');
    expect(summarizeEvent(event('KeyRevoked', { keyId: KEY, reason: null }))).toBe('no reason given');
    expect(summarizeEvent(event('KeyUsed', { method: 'POST', route: '/v1/keys', status: 201 }))).toBe('POST /v1/keys → 201');
    expect(summarizeEvent(event('AuthenticationFailed', { method: 'GET', route: '/v1/me', reason: 'REVOKED' }))).toBe('GET /v1/me refused: REVOKED');
    expect(summarizeEvent(event('KeyUpdated', { keyId: KEY, changes: { name: 'x', permissions: [] } }))).toBe('changed name, permissions');
    expect(summarizeEvent(event('AuditExported', { format: 'csv', rows: 12, completed: true }, 'audit-exports-c'))).toBe('CSV · 12 events');
    expect(summarizeEvent(event('AuditExported', { format: 'jsonl', rows: 1, completed: false }, 'audit-exports-c'))).toBe('JSONL · 1 event · interrupted');
    expect(summarizeEvent(event('HeartbeatFailed', { httpStatus: 503, trigger: 'scheduled' }, 'system'))).toBe('failed · HTTP 503 · scheduled');
    expect(summarizeEvent(event('TelemetryEnabled', {}))).toBe('');
  });

  it('shortens ids without hiding short ones', () => {
    expect(shortId(KEY)).toBe('8a662044…');
    expect(shortId('bootstrap')).toBe('bootstrap');
  });
});

describe('verification words', () => {
  const head = { position: 6, hash: 'c'.repeat(64) };
  const signingKey = { algorithm: 'Ed25519' as const, fingerprint: `sha256:${'f'.repeat(64)}` };
  const checkpoints = (checked: number, more: Partial<AuditVerification['checkpoints']> = {}) => ({ signingKey, checked, unverifiable: 0, ...more });

  it('reports an intact chain with the count and the checkpoints', () => {
    const d = describeVerification({ scope: 'installation', ok: true, checked: 6, head, checkpoints: checkpoints(1) });
    expect(d.headline).toBe('Chain intact');
    expect(d.lines[0]).toMatch(/^6 events checked/);
    expect(d.lines[1]).toMatch(/1 signed checkpoint agrees/);
    expect(describeVerification({ scope: 'installation', ok: true, checked: 6, head, checkpoints: checkpoints(0) }).lines[1]).toMatch(/No signed checkpoint/);
  });

  it('names the position and the reason of a break', () => {
    const v: AuditVerification = {
      scope: 'installation', ok: false, checked: 3, firstBadPosition: 4, reason: 'hash_mismatch', head: { position: 3, hash: 'a' }, checkpoints: checkpoints(0),
    };
    const d = describeVerification(v);
    expect(d.ok).toBe(false);
    expect(d.headline).toBe('Chain broken at position 4');
    expect(d.lines[0]).toMatch(/altered after it was written/);
    expect(d.lines[1]).toMatch(/3 events before it are intact, up to position 3/);
  });

  it('reports a chain that is consistent but contradicted by a signed checkpoint as broken there', () => {
    const d = describeVerification({
      scope: 'installation',
      ok: false,
      checked: 6,
      head,
      checkpoints: checkpoints(2, { firstContradicted: { position: 5, signedHash: 'aa', logHash: 'bb', reason: 'hash_differs' } }),
    });
    expect(d.headline).toBe('Chain broken at position 5');
    expect(d.lines[1]).toMatch(/checkpoint at position 5 contradicts the log.*signed aa; the log now has bb/);
  });

  it("tells a company that only its own events were checked, and says nothing of the log's hash elsewhere", () => {
    const mine = describeVerification({ scope: 'company', ok: true, checked: 2, head, checkpoints: checkpoints(1) });
    expect(mine.lines[0]).toMatch(/Only your company's events were checked/);
    expect(mine.lines[1]).toMatch(/^2 events checked/);
    const none = describeVerification({ scope: 'company', ok: true, checked: 0, head: null, checkpoints: checkpoints(0) });
    expect(none.lines[1]).toMatch(/Your company has no events/);
    const broken = describeVerification({
      scope: 'company', ok: false, checked: 1, firstBadPosition: 9, reason: 'next_prev_hash_mismatch', head, checkpoints: checkpoints(1),
    });
    expect(broken.headline).toBe('Chain broken at position 9');
    expect(broken.lines[1]).toMatch(/event after it in the log .*does not link to it/);
    expect(broken.lines[2]).toMatch(/1 of your company's events before it is intact/);
    const contradicted = describeVerification({
      scope: 'company', ok: false, checked: 2, head, checkpoints: checkpoints(1, { firstContradicted: { position: 5, signedHash: 'aa', reason: 'previous_differs' } }),
    });
    expect(contradicted.lines.join(' ')).toMatch(/signed aa\)\./);
  });

  it('says when no signing key is configured, and when checkpoints were stored with another key', () => {
    const unconfigured = describeVerification({ scope: 'installation', ok: true, checked: 6, head, checkpoints: { signingKey: null, checked: 0, unverifiable: 3 } });
    expect(unconfigured.lines[1]).toMatch(/No signing key is configured \(AUDIT_SIGNING_KEY\).*not verified/);
    const other = describeVerification({
      scope: 'installation', ok: true, checked: 6, head,
      checkpoints: checkpoints(1, { unverifiable: 2, firstUnverifiable: { position: 3, keyFingerprint: 'sha256:abc' } }),
    });
    expect(other.lines[2]).toMatch(/2 signed checkpoints were stored with another key \(sha256:abc\) and are not trusted/);
  });
});

describe('key state words', () => {
  const base: KeyStateAt = {
    keyId: KEY, at: '2030-01-01T00:00:00.000Z', asOfPosition: 4, existed: true, status: 'active', type: 'standard',
    permissions: ['keys:read'], ownerId: 'u', ownerPermissions: ['keys:read'], ownerDisabled: false, allowedIps: [],
    expiresAt: null, graceEndsAt: null, rateLimit: null, effectivePermissions: ['keys:read'], couldAuthenticate: true,
  };

  it('answers whether a request would have been accepted', () => {
    expect(describeKeyState(base)).toMatch(/accepted, with 1 effective permission\./);
    expect(describeKeyState({ ...base, couldAuthenticate: false, ownerDisabled: true, effectivePermissions: [] })).toMatch(/owner was disabled/);
    expect(describeKeyState({ ...base, status: 'revoked', couldAuthenticate: false })).toMatch(/revoked: requests with it would have been refused/);
    expect(describeKeyState({ ...base, status: 'not-created', existed: false })).toMatch(/did not exist/);
  });

  it('colours the status', () => {
    expect(keyStatusTone('active')).toBe('ok');
    expect(keyStatusTone('revoked')).toBe('bad');
    expect(keyStatusTone('expired')).toBe('warn');
    expect(keyStatusTone('not-created')).toBe('neutral');
  });
});
