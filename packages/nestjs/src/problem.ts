import { HttpException } from '@nestjs/common';

/** A problem document (RFC 9457), as Keyward itself answers. */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
}

const TITLES: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 429: 'Too Many Requests', 503: 'Service Unavailable' };

export const CHALLENGE = { 'WWW-Authenticate': 'Bearer' };

/**
 * A refusal of the guard: 401/403/429/503 with Keyward's stable `code`, sent as
 * application/problem+json with its headers by `KeywardProblemFilter` (or the Express middleware).
 */
export class KeywardProblem extends HttpException {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    readonly detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super({ code, detail }, statusCode);
  }

  get document(): ProblemDocument {
    return {
      type: `https://keyward.dev/problems/${this.code.toLowerCase().replace(/_/g, '-')}`,
      title: TITLES[this.statusCode] ?? 'Error',
      status: this.statusCode,
      detail: this.detail,
      code: this.code,
    };
  }

  static unauthenticated(code: string, detail: string): KeywardProblem {
    return new KeywardProblem(401, code, detail, CHALLENGE);
  }

  static unavailable(): KeywardProblem {
    return new KeywardProblem(503, 'KEYWARD_UNAVAILABLE', 'the key cannot be checked now: Keyward is unreachable', { 'Retry-After': '1' });
  }
}
