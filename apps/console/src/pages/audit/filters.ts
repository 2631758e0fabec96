import type { QueryOf } from '../../api/client';
import { EVENT_TYPES, type EventType } from '../../api/types';

export type { EventType };
import { formatInstant, localInputToIso } from '../../format';
import { looksLikeSecret } from '../../secret-guard';

/**
 * The audit trail's filters: read from and written to the page's query string (they hold
 * no secret, so a filtered view can be shared), edited as a form draft, sent to the API.
 */

export const PAGE_SIZES = [10, 25, 50, 100, 200] as const;
export const DEFAULT_PAGE_SIZE = 50;

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;

/** Applied filters; `from`/`to` are ISO instants ('' when unset). */
export interface AuditFilters {
  types: EventType[];
  keyId: string;
  actorId: string;
  ip: string;
  requestId: string;
  from: string;
  to: string;
  limit: number;
  /** desc: newest first (the default view); asc: log order. Exports are always in log order. */
  order: 'asc' | 'desc';
}

export const NO_FILTERS: AuditFilters = { types: [], keyId: '', actorId: '', ip: '', requestId: '', from: '', to: '', limit: DEFAULT_PAGE_SIZE, order: 'desc' };

/** Shortcuts over the type checkboxes. */
export const TYPE_PRESETS: { label: string; types: readonly EventType[] }[] = [
  { label: 'Key lifecycle', types: ['KeyCreated', 'KeyUpdated', 'KeyRotated', 'KeyRevoked', 'KeyExpired', 'KeyDeleted'] },
  { label: 'Everything but usage', types: EVENT_TYPES.filter((t) => t !== 'KeyUsed' && t !== 'AuthenticationFailed') },
  { label: 'Refused requests', types: ['AuthenticationFailed'] },
];

const PARAMS = ['type', 'keyId', 'actorId', 'ip', 'requestId', 'from', 'to', 'limit', 'order'] as const;

function isEventType(value: string): value is EventType {
  return (EVENT_TYPES as readonly string[]).includes(value);
}

function validInstant(value: string | null): string {
  if (!value) return '';
  const t = Date.parse(value);
  return Number.isNaN(t) ? '' : new Date(t).toISOString();
}

/** The filters a page URL carries; unknown types, unreadable dates and odd page sizes are dropped. */
export function readFilters(params: URLSearchParams): AuditFilters {
  const types = (params.get('type') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(isEventType);
  const limit = Number(params.get('limit'));
  return {
    types: EVENT_TYPES.filter((t) => types.includes(t)),
    keyId: (params.get('keyId') ?? '').trim(),
    actorId: (params.get('actorId') ?? '').trim(),
    ip: (params.get('ip') ?? '').trim(),
    requestId: (params.get('requestId') ?? '').trim(),
    from: validInstant(params.get('from')),
    to: validInstant(params.get('to')),
    limit: (PAGE_SIZES as readonly number[]).includes(limit) ? limit : DEFAULT_PAGE_SIZE,
    order: params.get('order') === 'asc' ? 'asc' : 'desc',
  };
}

/** The query string for filters: set values only; other parameters of `base` are kept. */
export function writeFilters(filters: AuditFilters, base: URLSearchParams = new URLSearchParams()): URLSearchParams {
  const params = new URLSearchParams(base);
  for (const name of PARAMS) params.delete(name);
  if (filters.types.length) params.set('type', filters.types.join(','));
  if (filters.keyId) params.set('keyId', filters.keyId);
  if (filters.actorId) params.set('actorId', filters.actorId);
  if (filters.ip) params.set('ip', filters.ip);
  if (filters.requestId) params.set('requestId', filters.requestId);
  if (filters.from) params.set('from', filters.from);
  if (filters.to) params.set('to', filters.to);
  if (filters.limit !== DEFAULT_PAGE_SIZE) params.set('limit', String(filters.limit));
  if (filters.order === 'asc') params.set('order', 'asc');
  return params;
}

/** The API's filter parameters (list, export): the same for both, so an export holds what the table shows. */
/** The filters of GET /v1/audit-events and its export (empty ones are not sent). */
export type AuditFilterQuery = Omit<QueryOf<'/v1/audit-events'>, 'limit' | 'cursor' | 'order'>;

export function toApiFilter(filters: AuditFilters): AuditFilterQuery {
  return {
    type: filters.types,
    keyId: filters.keyId,
    actorId: filters.actorId,
    ip: filters.ip,
    requestId: filters.requestId,
    from: filters.from,
    to: filters.to,
  };
}

export function hasFilters(filters: AuditFilters): boolean {
  return Object.values(toApiFilter(filters)).some((v) => (Array.isArray(v) ? v.length > 0 : !!v));
}

/** ISO instant → `datetime-local` value with seconds, in the viewer's zone. */
export function isoToLocalSeconds(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** The filter form as typed: the same fields, with `from`/`to` as `datetime-local` values. */
export type FilterDraft = AuditFilters;

export type DraftErrors = Partial<Record<'keyId' | 'actorId' | 'ip' | 'requestId' | 'from' | 'to', string>>;

export function toDraft(filters: AuditFilters): FilterDraft {
  return { ...filters, types: [...filters.types], from: isoToLocalSeconds(filters.from), to: isoToLocalSeconds(filters.to) };
}

const SECRET_MESSAGE = 'This looks like a key or secret itself: filter by its ID (a UUID) instead. Nothing was sent.';

const IPV4_RE = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6_RE = /^[0-9a-f:.]+$/i;

/** Checks the form before anything is sent: the messages name what to fix. */
export function fromDraft(draft: FilterDraft): { filters: AuditFilters; errors: DraftErrors } {
  const errors: DraftErrors = {};
  const keyId = draft.keyId.trim();
  const actorId = draft.actorId.trim();
  const ip = draft.ip.trim();
  const requestId = draft.requestId.trim();
  if (looksLikeSecret(keyId)) errors.keyId = SECRET_MESSAGE;
  else if (keyId && !UUID_RE.test(keyId)) errors.keyId = 'A key ID is a UUID, such as 8a662044-8aa6-4008-b0af-42dd0ed9eb4f.';
  if (looksLikeSecret(actorId)) errors.actorId = SECRET_MESSAGE;
  else if (actorId.length > 100) errors.actorId = 'At most 100 characters.';
  if (ip && !IPV4_RE.test(ip) && !(ip.includes(':') && IPV6_RE.test(ip))) errors.ip = 'An IPv4 or IPv6 address, such as 203.0.113.7.';
  if (looksLikeSecret(requestId)) errors.requestId = SECRET_MESSAGE;
  else if (requestId && !REQUEST_ID_RE.test(requestId)) errors.requestId = 'Letters, digits and . _ : - only (at most 128).';
  const from = draft.from ? localInputToIso(draft.from) : '';
  const to = draft.to ? localInputToIso(draft.to) : '';
  if (from === null) errors.from = 'Not a date and time.';
  if (to === null) errors.to = 'Not a date and time.';
  if (from && to && Date.parse(from) >= Date.parse(to)) errors.to = 'Must be later than From.';
  return {
    filters: {
      types: EVENT_TYPES.filter((t) => draft.types.includes(t)),
      keyId: keyId.toLowerCase(),
      actorId,
      ip,
      requestId,
      from: from ?? '',
      to: to ?? '',
      limit: draft.limit,
      order: draft.order,
    },
    errors,
  };
}

/** "KeyRevoked events of key 8a662044… from … until …": what the table and an export hold. */
export function describeFilters(filters: AuditFilters): string {
  const parts: string[] = [];
  parts.push(filters.types.length ? `${filters.types.join(', ')} events` : 'Events of every type');
  if (filters.keyId) parts.push(`concerning key ${filters.keyId}`);
  if (filters.actorId) parts.push(`by actor ${filters.actorId}`);
  if (filters.ip) parts.push(`from address ${filters.ip}`);
  if (filters.requestId) parts.push(`of request ${filters.requestId}`);
  if (filters.from) parts.push(`since ${formatInstant(filters.from)}`);
  if (filters.to) parts.push(`before ${formatInstant(filters.to)}`);
  return parts.join(' ');
}

/** `from` for the quick ranges: now minus the span, as a `datetime-local` value. */
export function sinceInput(spanMs: number, now: number = Date.now()): string {
  return isoToLocalSeconds(new Date(now - spanMs).toISOString());
}
