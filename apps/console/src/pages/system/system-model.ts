/**
 * The System page's wording and decisions, without React: what each central status means,
 * which actions make sense in it, and how results read. Shapes: apps/api/src/system/system.dto.ts.
 */
import type { CentralCheckResult, CentralStatus, HeartbeatResult, SystemStatus } from '../../api/types';
import { formatSeconds } from '../../format';

export type Tone = 'ok' | 'bad' | 'warn' | 'neutral';

export type CentralOutcome = CentralCheckResult['outcome'];

export interface CentralView {
  tone: Tone;
  /** The badge: one or two words. */
  label: string;
  /** What the status means, in a plain sentence or two. */
  sentence: string;
  /** The activate form is offered (the key input and "Activate"). */
  canActivate: boolean;
  /** The activate form is the main thing to do (not tucked away as "replace the key"). */
  activatePrimary: boolean;
  canDeactivate: boolean;
  /** Check connection and Send heartbeat now: need a link usable at the configured URL. */
  canContact: boolean;
}

const where = (url: string | null) => (url ? ` at ${url}` : '');

/** The central status explained, and which buttons make sense in it. */
export function describeCentral(central: CentralStatus): CentralView {
  const linked = central.activatedAt !== null;
  const base = { canDeactivate: linked, canContact: false, canActivate: true, activatePrimary: false };
  switch (central.status) {
    case 'not_configured':
      return {
        ...base,
        tone: 'neutral',
        label: 'Not configured',
        sentence:
          'Central API is not configured: CENTRAL_URL is not set on the server, so there is no central service to link to ' +
          'and nothing is ever sent. To link this installation, set CENTRAL_URL and restart Keyward.',
        canActivate: false,
      };
    case 'inactive':
      return {
        ...base,
        tone: 'neutral',
        label: 'Not activated',
        sentence:
          `This installation is not linked to the central service${where(central.url)}. ` +
          'Activate the link with the API key the central service issued for this installation; until then nothing is sent.',
        activatePrimary: true,
      };
    case 'url_changed':
      return {
        ...base,
        tone: 'warn',
        label: 'URL changed',
        sentence:
          `The link was activated for another address than the current CENTRAL_URL${central.url ? ` (${central.url})` : ''}. ` +
          'The stored key is never sent to a new address, so nothing is sent until the link is activated again for this one.',
        activatePrimary: true,
      };
    case 'active':
      return {
        ...base,
        tone: 'ok',
        label: 'Active',
        sentence: `Linked to the central service${where(central.url)}, and the last contact with it succeeded.`,
        canContact: true,
      };
    case 'rejected':
      return {
        ...base,
        tone: 'bad',
        label: 'Key rejected',
        sentence:
          `Linked to the central service${where(central.url)}, but it refused the central API key at the last contact ` +
          '(HTTP 401 or 403). Ask the central service for a valid key and activate again with it.',
        canContact: true,
        activatePrimary: true,
      };
    case 'unreachable':
      return {
        ...base,
        tone: 'warn',
        label: 'Unreachable',
        sentence:
          `Linked to the central service${where(central.url)}, but the last contact failed: no connection, no answer in time, ` +
          'or an unexpected answer. Check the connection again once the service is back.',
        canContact: true,
      };
  }
}

const OUTCOME_WORDS: Record<CentralOutcome, string> = {
  ok: 'succeeded',
  rejected: 'key refused',
  unreachable: 'unreachable',
  timeout: 'timed out',
};

/** "succeeded", "key refused", …: the last check's outcome in a word or two. */
export function describeOutcome(outcome: CentralOutcome | null): string {
  return outcome ? OUTCOME_WORDS[outcome] : 'never checked';
}

const httpPart = (status: number | null | undefined) => (status ? `HTTP ${status}` : 'no HTTP answer');
const latencyPart = (ms: number | null | undefined) => (ms === null || ms === undefined ? '' : ` after ${ms} ms`);

const FAILURE_WORDS: Record<string, string> = {
  rejected: 'the central service refused the key',
  unreachable: 'could not reach the central service',
  timeout: 'no answer in time',
  error: 'the request could not be made',
};

/** "the central service answered HTTP 500 (after 4 ms)": the API's reason, else the outcome in words. */
function failureDetail(outcome: string | undefined, reason: string | null | undefined, latencyMs: number | null | undefined): string {
  const what = reason?.replace(/\.$/, '') || FAILURE_WORDS[outcome ?? 'error'] || 'it failed';
  return `${what}${latencyMs === null || latencyMs === undefined ? '' : ` (after ${latencyMs} ms)`}`;
}

/** The result of Check connection, as one announcement. */
export function describeCheck(result: CentralCheckResult): { ok: boolean; text: string } {
  if (result.outcome === 'ok') {
    return { ok: true, text: `Connection OK: the central service answered ${httpPart(result.httpStatus)} in ${result.latencyMs} ms.` };
  }
  return { ok: false, text: `Connection check failed: ${failureDetail(result.outcome, result.reason, result.latencyMs)}.` };
}

/** The result of Send heartbeat now, as one announcement. */
export function describeHeartbeat(result: HeartbeatResult): { ok: boolean; text: string } {
  if (result.outcome === 'sent') {
    return {
      ok: true,
      text: `Heartbeat sent: the central service accepted it (${httpPart(result.httpStatus)}${latencyPart(result.latencyMs)}). It is recorded in the audit trail as HeartbeatSent.`,
    };
  }
  return {
    ok: false,
    text: `Heartbeat failed: ${failureDetail(result.failure, result.reason, result.latencyMs)}. It is recorded in the audit trail as HeartbeatFailed.`,
  };
}

/** `3600000` → `every hour`; `90000` → `every 90 seconds`; `1500` → `every 1500 ms`. */
export function describeInterval(ms: number): string {
  if (ms % 1000 !== 0) return `every ${ms} ms`;
  const words = formatSeconds(ms / 1000);
  return words.startsWith('1 ') ? `every ${words.slice(2)}` : `every ${words}`;
}

const PAUSE_REASONS: Record<string, string> = {
  CENTRAL_NOT_CONFIGURED: 'CENTRAL_URL is not set, so there is nowhere to send them',
  CENTRAL_NOT_ACTIVE: 'the central link is not activated',
  CENTRAL_URL_CHANGED: 'CENTRAL_URL changed since the link was activated; activate it again',
};

/** The telemetry switch's state in a sentence. */
export function describeTelemetry(telemetry: SystemStatus['telemetry']): { tone: Tone; label: string; text: string } {
  const every = describeInterval(telemetry.intervalMs);
  switch (telemetry.state) {
    case 'on':
      return { tone: 'ok', label: 'On', text: `Telemetry is on: a heartbeat goes to the central service ${every}.` };
    case 'paused':
      return {
        tone: 'warn',
        label: 'Paused',
        text:
          `Telemetry is switched on but paused: ${PAUSE_REASONS[telemetry.pausedReason ?? ''] ?? telemetry.pausedReason ?? 'the central link cannot be used'}. ` +
          'Scheduled heartbeats are skipped until the link can be used.',
      };
    default:
      return { tone: 'neutral', label: 'Off', text: 'Telemetry is off (the default): no heartbeat is sent on a schedule.' };
  }
}

/**
 * Exactly what a heartbeat holds: the body of POST {CENTRAL_URL}/v1/heartbeat (HeartbeatPayload in
 * libs/system/src/events/system-events.ts; README, "The protocol Keyward expects of the central service").
 */
export const HEARTBEAT_FIELDS: readonly { field: string; meaning: string }[] = [
  { field: 'heartbeatId', meaning: 'a random id of this heartbeat, the same on each retry so the central service can drop duplicates' },
  { field: 'installationId', meaning: 'the random UUID chosen at the first activation' },
  { field: 'instanceId', meaning: 'a random id of the sending process, new at each start' },
  { field: 'version', meaning: 'the Keyward version' },
  { field: 'uptimeSeconds', meaning: 'how long the sending process has been running' },
  { field: 'sentAt', meaning: 'when it was sent' },
  { field: 'counts.companies', meaning: 'how many companies exist' },
  { field: 'counts.users', meaning: 'how many users exist' },
  { field: 'counts.activeKeys', meaning: 'how many API keys are active' },
  { field: 'counts.events', meaning: 'the position of the newest event in the log' },
];

export interface QueueRow {
  name: string;
  counts: { waiting: number; active: number; failed: number; delayed: number } | null;
}

/** The queues in a stable order (alphabetical), unknown ones (Redis did not answer) kept as null. */
export function queueRows(queues: SystemStatus['queues']): QueueRow[] {
  return Object.keys(queues)
    .sort()
    .map((name) => ({ name, counts: queues[name] ?? null }));
}

/** `0 events behind`, or `12 events behind, the oldest 3.2 s old`. */
export function describeLag(lag: SystemStatus['projectionLag']): string {
  if (lag.events === 0) return 'Up to date: no event waits to be projected.';
  const seconds = lag.seconds < 10 ? lag.seconds.toFixed(1) : String(Math.round(lag.seconds));
  return `${lag.events} event${lag.events === 1 ? '' : 's'} not yet projected; the oldest is ${seconds} s old.`;
}

/** `kwss_` + 43 base64url characters: the shape of a shared secret (the dialog shows nothing else). */
export function isSharedSecret(value: unknown): value is string {
  return typeof value === 'string' && /^kwss_[A-Za-z0-9_-]{43}$/.test(value);
}
