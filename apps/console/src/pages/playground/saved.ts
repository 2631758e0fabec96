/**
 * Saved playground requests, kept in localStorage for reuse: name, method, path, parameter
 * values and body — never a key. Anything that looks like a Keyward key or shared secret
 * (or sits in a field named like one) is removed before a request is written.
 */

export const SAVED_REQUESTS_STORAGE = 'keyward.console.playground.requests';
export const MAX_SAVED_REQUESTS = 100;

export interface SavedRequest {
  id: string;
  name: string;
  method: string;
  /** The path template of the operation, `/v1/keys/{id}`. */
  path: string;
  /** Parameter values by `path:id` / `query:limit`. */
  params: Record<string, string>;
  body: string;
  savedAt: string;
}

/** What stands in for a removed secret; it holds no `kw_` so nothing key-like is ever stored. */
export const REMOVED = '<removed: keys are never saved>';

/** Keyward keys (`kw_` + 49) and shared secrets (`kwss_…`), and anything shaped like them. */
const SECRET_PATTERN = /\bkw(?:ss)?_[0-9A-Za-z_-]{8,}/g;
/** JSON fields whose string value is a credential, whatever it looks like (the central API key). */
const SECRET_FIELD = /^(?:key|apikey|api_key|secret|sharedsecret|password|token|accesstoken|authorization)$/i;

/** A text with every key-like string replaced; `removed` counts them. */
export function redactText(text: string): { text: string; removed: number } {
  let removed = 0;
  const out = text.replace(SECRET_PATTERN, () => {
    removed++;
    return REMOVED;
  });
  return { text: out, removed };
}

function redactValue(value: unknown, counter: { n: number }): unknown {
  if (Array.isArray(value)) return value.map((v) => redactValue(v, counter));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (SECRET_FIELD.test(k) && typeof v === 'string' && v !== '' && v !== REMOVED) {
        counter.n++;
        out[k] = REMOVED;
      } else out[k] = redactValue(v, counter);
    }
    return out;
  }
  return value;
}

/**
 * A body without secrets: key-like strings anywhere, and the values of fields named `key`,
 * `apiKey`, `secret`, `password`, `token`… when the body is JSON (kept pretty-printed then).
 */
export function redactBody(body: string): { body: string; removed: number } {
  const first = redactText(body);
  let parsed: unknown;
  try {
    parsed = JSON.parse(first.text);
  } catch {
    return { body: first.text, removed: first.removed };
  }
  const counter = { n: 0 };
  const cleaned = redactValue(parsed, counter);
  if (counter.n === 0) return { body: first.text, removed: first.removed };
  return { body: JSON.stringify(cleaned, null, 2), removed: first.removed + counter.n };
}

/** The request as it may be stored, and how many secrets were taken out of it. */
export function sanitizeForSaving(request: SavedRequest): { request: SavedRequest; removed: number } {
  let removed = 0;
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(request.params)) {
    const r = redactText(v);
    removed += r.removed;
    params[k] = r.text;
  }
  const body = redactBody(request.body);
  const name = redactText(request.name);
  return { request: { ...request, name: name.text, params, body: body.body }, removed: removed + body.removed + name.removed };
}

function isSavedRequest(value: unknown): value is SavedRequest {
  if (!value || typeof value !== 'object') return false;
  const r = value as Record<string, unknown>;
  return (
    typeof r.id === 'string' &&
    typeof r.name === 'string' &&
    typeof r.method === 'string' &&
    typeof r.path === 'string' &&
    typeof r.body === 'string' &&
    typeof r.savedAt === 'string' &&
    !!r.params &&
    typeof r.params === 'object' &&
    Object.values(r.params as object).every((v) => typeof v === 'string')
  );
}

/** The saved requests in a stored text; whatever is not a saved request is skipped. */
export function parseSaved(text: string | null): SavedRequest[] {
  if (!text) return [];
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed.filter(isSavedRequest) : [];
  } catch {
    return [];
  }
}

/**
 * The list after saving one: a request of the same name is replaced (and moves to the
 * top), the newest come first, at most MAX_SAVED_REQUESTS are kept.
 */
export function withSaved(list: SavedRequest[], request: SavedRequest): { list: SavedRequest[]; replaced: boolean } {
  const replaced = list.some((r) => r.name === request.name);
  const rest = list.filter((r) => r.name !== request.name);
  return { list: [request, ...rest].slice(0, MAX_SAVED_REQUESTS), replaced };
}

export function withoutSaved(list: SavedRequest[], id: string): SavedRequest[] {
  return list.filter((r) => r.id !== id);
}

/** Reads the saved requests; an unreadable store (private mode, disabled storage) is an empty list. */
export function readSaved(storage: Pick<Storage, 'getItem'>): SavedRequest[] {
  try {
    return parseSaved(storage.getItem(SAVED_REQUESTS_STORAGE));
  } catch {
    return [];
  }
}

/** Writes the list, each request sanitized once more on the way (a key never reaches storage). */
export function writeSaved(storage: Pick<Storage, 'setItem'>, list: SavedRequest[]): void {
  storage.setItem(SAVED_REQUESTS_STORAGE, JSON.stringify(list.map((r) => sanitizeForSaving(r).request)));
}
