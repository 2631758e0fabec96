import type { AuditEvent, AuditVerification, KeyStateAt } from '../../api/types';
import { formatInstant } from '../../format';

/** Readable words for audit events, verifications and replayed key states. */

export function shortId(id: string, length = 8): string {
  return id.length > length + 1 ? `${id.slice(0, length)}…` : id;
}

export function shortHash(hash: string): string {
  return hash.length > 16 ? `${hash.slice(0, 12)}…${hash.slice(-4)}` : hash;
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value ? value : null;
}

function list(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

/** The keys an event concerns: `data.keyId` (what the API's keyId filter matches) and a rotation's new key. */
export function eventKeys(event: AuditEvent): { keyId: string | null; newKeyId: string | null } {
  return { keyId: str(event.data.keyId), newKeyId: str(event.data.newKeyId) };
}

/** What the event is about, when it is not a key: a user, a company, or its stream. */
export function eventSubject(event: AuditEvent): { kind: 'key' | 'user' | 'company' | 'stream'; id: string } {
  const { keyId } = eventKeys(event);
  if (keyId) return { kind: 'key', id: keyId };
  const userId = str(event.data.userId);
  if (userId) return { kind: 'user', id: userId };
  if (event.streamId.startsWith('company-')) return { kind: 'company', id: event.streamId.slice('company-'.length) };
  return { kind: 'stream', id: event.streamId };
}

function permissionsText(permissions: string[]): string {
  return permissions.length ? permissions.join(', ') : 'no permissions';
}

/** One line on what happened, from the event's data (never the whole data: that is in the details). */
export function summarizeEvent(event: AuditEvent): string {
  const d = event.data;
  switch (event.type) {
    case 'KeyCreated': {
      const parts = [`“${str(d.name) ?? 'unnamed'}”`, str(d.type) ?? 'standard'];
      if (d.type !== 'administration') parts.push(permissionsText(list(d.permissions)));
      if (str(d.rotatedFrom)) parts.push(`rotated from ${shortId(String(d.rotatedFrom))}`);
      return parts.join(' · ');
    }
    case 'KeyUpdated':
    case 'UserUpdated': {
      const changes = d.changes && typeof d.changes === 'object' ? Object.keys(d.changes) : [];
      return changes.length ? `changed ${changes.join(', ')}` : 'no change recorded';
    }
    case 'KeyRevoked':
      return str(d.reason) ? `reason: ${d.reason}` : 'no reason given';
    case 'KeyRotated':
      return `new key ${shortId(str(d.newKeyId) ?? '?')}${str(d.graceEndsAt) ? ` · old key works until ${formatInstant(String(d.graceEndsAt))}` : ''}`;
    case 'KeyExpired':
      return d.reason === 'rotation' ? 'rotation grace ended' : 'expiry reached';
    case 'KeyUsed':
    case 'AuthenticationFailed': {
      const request = [str(d.method), str(d.route)].filter(Boolean).join(' ');
      const outcome = event.type === 'KeyUsed' ? (typeof d.status === 'number' ? ` → ${d.status}` : '') : str(d.reason) ? ` refused: ${d.reason}` : ' refused';
      return `${request}${outcome}`.trim();
    }
    case 'UserCreated':
      return [str(d.email), permissionsText(list(d.permissions))].filter(Boolean).join(' · ');
    case 'CompanyCreated':
      return str(d.name) ? `“${d.name}”` : '';
    case 'AuditExported': {
      const rows = typeof d.rows === 'number' ? `${plural(d.rows, 'event')}` : null;
      return [str(d.format)?.toUpperCase(), rows, d.completed === false ? 'interrupted' : null].filter(Boolean).join(' · ');
    }
    case 'SharedSecretRotated':
    case 'SharedSecretRevealed':
      return str(d.fingerprint) ? `fingerprint ${d.fingerprint}` : '';
    case 'CentralChecked':
    case 'HeartbeatSent':
    case 'HeartbeatFailed': {
      const outcome = str(d.outcome) ?? (event.type === 'HeartbeatSent' ? 'sent' : event.type === 'HeartbeatFailed' ? 'failed' : null);
      return [outcome, typeof d.httpStatus === 'number' ? `HTTP ${d.httpStatus}` : null, str(d.trigger)].filter(Boolean).join(' · ');
    }
    case 'CentralActivated':
      return str(d.url) ?? '';
    case 'PermissionDefined':
      return str(d.name) ?? '';
    case 'PermissionRemoved': {
      const taken = d.forced ? ` · taken from ${plural(list(d.roles).length, 'role')} and ${plural(list(d.keyIds).length, 'key')}` : '';
      return `${str(d.name) ?? ''}${taken}`;
    }
    case 'RoleDefined':
      return [str(d.name), permissionsText(list(d.permissions))].filter(Boolean).join(' · ');
    case 'RoleUpdated': {
      const changes = d.changes && typeof d.changes === 'object' ? Object.keys(d.changes) : [];
      return `${str(d.name) ?? ''} · changed ${changes.join(', ') || 'nothing'}`;
    }
    case 'RoleDeleted':
      return `${str(d.name) ?? ''} · held by ${plural(list(d.keyIds).length, 'key')}`;
    default:
      return '';
  }
}

const CHAIN_REASONS: Record<string, string> = {
  prev_hash_mismatch:
    'its prevHash is not the hash of the event before it: an event was removed, inserted or reordered there',
  hash_mismatch: 'its content no longer matches its hash: the event was altered after it was written',
  next_prev_hash_mismatch:
    "the event after it in the log (another company's) does not link to it: this event, or the link to it, was changed",
};

const CHECKPOINT_REASONS: Record<string, string> = {
  hash_differs: 'the log no longer has the hash that was signed at that position',
  signature_invalid: 'its Ed25519 signature does not verify with the configured signing key',
  previous_differs: 'it does not name the checkpoint stored before it: a checkpoint was removed or slipped in',
};

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** How a verification is told: a headline (the status text tests look for) and plain sentences. */
export function describeVerification(v: AuditVerification): { ok: boolean; headline: string; lines: string[] } {
  const lines: string[] = [];
  const ours = v.scope === 'company';
  const contradicted = v.checkpoints.firstContradicted;
  const badPosition = v.firstBadPosition ?? contradicted?.position;
  const headline = v.ok ? 'Chain intact' : badPosition !== undefined ? `Chain broken at position ${badPosition}` : 'Chain broken';

  if (ours) lines.push("Only your company's events were checked, each against its neighbours in the installation's log.");
  if (v.firstBadPosition !== undefined) {
    const why = v.reason ? (CHAIN_REASONS[v.reason] ?? v.reason) : 'the reason was not given';
    lines.push(`The event at position ${v.firstBadPosition} fails the check: ${why}.`);
    lines.push(
      v.head
        ? ours
          ? `${v.checked} of your company's events before it ${v.checked === 1 ? 'is' : 'are'} intact, up to position ${v.head.position}.`
          : `${plural(v.checked, 'event')} before it are intact, up to position ${v.head.position}.`
        : 'No event before it could be confirmed.',
    );
  } else if (v.checked === 0) {
    lines.push(ours ? 'Your company has no events in the log yet: there was nothing to check.' : 'The log is empty: there was nothing to check.');
  } else {
    lines.push(
      ours
        ? `${plural(v.checked, 'event')} checked: every hash was recomputed and each links to the event before it in the log.`
        : `${plural(v.checked, 'event')} checked: every hash was recomputed and links to the one before it.`,
    );
  }

  const cp = v.checkpoints;
  if (!cp.signingKey) {
    lines.push(
      'No signing key is configured (AUDIT_SIGNING_KEY), so the stored signed checkpoints were not verified: the keys stored beside them are not trusted.',
    );
  } else if (contradicted) {
    const why = CHECKPOINT_REASONS[contradicted.reason] ?? contradicted.reason;
    const found =
      contradicted.logHash === undefined
        ? ''
        : contradicted.logHash === null
          ? '; the log has no event at that position any more'
          : `; the log now has ${contradicted.logHash}`;
    lines.push(`The signed checkpoint at position ${contradicted.position} contradicts the log: ${why} (signed ${contradicted.signedHash}${found}).`);
  } else if (cp.checked === 0) {
    lines.push('No signed checkpoint is stored yet, so the chain could only be checked against itself.');
  } else {
    lines.push(
      cp.checked === 1
        ? 'The 1 signed checkpoint agrees with the log: its Ed25519 signature is valid for the configured key and its hash is the one the log has at its position.'
        : `All ${cp.checked} signed checkpoints agree with the log: their Ed25519 signatures are valid for the configured key and their hashes are the ones the log has at their positions.`,
    );
  }
  if (cp.signingKey && cp.unverifiable > 0) {
    const first = cp.firstUnverifiable;
    lines.push(
      `${plural(cp.unverifiable, 'signed checkpoint was', 'signed checkpoints were')} stored with another key` +
        `${first?.keyFingerprint ? ` (${first.keyFingerprint})` : ''} and ${cp.unverifiable === 1 ? 'is' : 'are'} not trusted: ` +
        'expected only after a change of the signing key; otherwise someone wrote them into the database.',
    );
  }
  return { ok: v.ok, headline, lines };
}

export type Tone = 'ok' | 'bad' | 'warn' | 'neutral';

export function keyStatusTone(status: KeyStateAt['status']): Tone {
  switch (status) {
    case 'active':
      return 'ok';
    case 'revoked':
    case 'deleted':
      return 'bad';
    case 'expired':
      return 'warn';
    default:
      return 'neutral';
  }
}

/** The answer to "could this key have done X at T?" in one sentence. */
export function describeKeyState(s: KeyStateAt): string {
  switch (s.status) {
    case 'not-created':
      return 'The key did not exist yet at this instant.';
    case 'active':
      if (!s.couldAuthenticate) {
        return s.ownerDisabled
          ? 'The key was active, but its owner was disabled: requests with it would have been refused.'
          : 'The key was active, but its owner could not be found: requests with it would have been refused.';
      }
      return s.effectivePermissions.length
        ? `The key was active: a request with it (from an allowed address) would have been accepted, with ${plural(s.effectivePermissions.length, 'effective permission')}.`
        : 'The key was active: a request with it would have authenticated, but with no effective permission.';
    case 'revoked':
      return 'The key was revoked: requests with it would have been refused.';
    case 'expired':
      return 'The key had expired: requests with it would have been refused.';
    case 'deleted':
      return 'The key was deleted: requests with it would have been refused.';
    default:
      return `The key's status was ${String(s.status)}.`;
  }
}
