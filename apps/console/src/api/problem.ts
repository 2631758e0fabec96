import type { components } from './schema.generated';

/**
 * An application/problem+json answer of the Keyward API (the document's Problem), as far as the
 * answer held one: a proxy in front of the API may send anything, and status 0 is no answer at all.
 */
export type Problem = Partial<components['schemas']['Problem']> & Pick<components['schemas']['Problem'], 'status'>;

/** A refusal of the API, or no answer at all (status 0). */
export class ApiError extends Error {
  constructor(
    readonly problem: Problem,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
    this.name = 'ApiError';
  }

  get status(): number {
    return this.problem.status;
  }

  get code(): string | undefined {
    return this.problem.code;
  }

  /** The message for one form field, when the API named it. */
  fieldMessage(field: string): string | undefined {
    return this.problem.errors?.find((e) => e.field === field)?.message;
  }
}

/** Turns any body into a Problem, whatever the server (or a proxy in front of it) sent. */
export function toProblem(status: number, statusText: string, body: unknown): Problem {
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const b = body as Record<string, unknown>;
    const errors = Array.isArray(b.errors)
      ? b.errors
          .filter((e): e is { field: unknown; message: unknown } => !!e && typeof e === 'object')
          .map((e) => ({ field: String(e.field ?? ''), message: String(e.message ?? '') }))
      : undefined;
    return {
      type: typeof b.type === 'string' ? b.type : undefined,
      title: typeof b.title === 'string' ? b.title : statusText || undefined,
      status,
      detail: typeof b.detail === 'string' ? b.detail : undefined,
      code: typeof b.code === 'string' ? b.code : undefined,
      errors,
    };
  }
  return { status, title: statusText || `HTTP ${status}` };
}

const HINTS: Record<string, string> = {
  INSUFFICIENT_PERMISSIONS: 'The signed-in key lacks the permission this action needs.',
  RATE_LIMITED: 'The signed-in key has used up its rate limit for now.',
  AMBIGUOUS_API_KEY: 'The request carried two different keys (x-api-key, api-key or Authorization: Bearer). Send one key, in one header.',
  TOO_MANY_FAILED_AUTHENTICATIONS: 'This key was refused, and too many refused keys came from this address; check the key, then wait before trying again.',
  VERSION_CONFLICT: 'Someone changed this record at the same time. Reload and try again.',
  UNAVAILABLE: 'A dependency of the API (database or Redis) is not answering. Try again shortly.',
  INVALIDATION_UNCONFIRMED: 'Not every API instance confirmed the change yet. Try again shortly.',
  EXPORT_BUSY: 'As many exports as this server allows are running. Try again when one finishes.',
  COMPANY_EXPORT_BUSY: 'Your company already has as many exports running as it may. Try again when one finishes.',
  VERIFY_BUSY: 'A different integrity check of your company is still running. Try again when it has answered.',
};

/**
 * One readable sentence (or a few) for a refusal: what happened, which fields, what to do.
 * Never a stack trace: only the fields of the problem document are used.
 */
export function describeError(error: unknown): string {
  if (!(error instanceof ApiError)) {
    return error instanceof TypeError
      ? 'The API could not be reached. Check that the server is running.'
      : 'Something went wrong in the console. Reload the page and try again.';
  }
  const p = error.problem;
  if (p.status === 0) return 'The API could not be reached. Check that the server is running.';
  const parts: string[] = [];
  const head = p.detail ?? p.title ?? `HTTP ${p.status}`;
  parts.push(head.endsWith('.') ? head : `${head}.`);
  // the field list, unless the detail already says the same
  const fields = (p.errors ?? []).map((e) => (e.field ? `${e.field}: ${e.message}` : e.message)).filter((f) => !head.includes(f));
  if (fields.length) parts.push(`${fields.join('; ')}.`);
  const hint = p.code ? HINTS[p.code] : undefined;
  if (hint) parts.push(hint);
  if (error.retryAfterSeconds !== null && (p.status === 429 || p.status === 503)) {
    parts.push(`Retry after ${error.retryAfterSeconds} s.`);
  }
  const label = p.code ? `${p.status} ${p.code}` : String(p.status);
  return `${parts.join(' ')} (${label})`;
}
