import { HttpException } from '@nestjs/common';

export interface FieldError {
  field: string;
  message: string;
}

export interface ProblemBody {
  code: string;
  detail: string;
  errors?: FieldError[];
  headers?: Record<string, string>;
}

/**
 * An error the API answers as application/problem+json with a stable `code`.
 * Libraries throw it; the API's filter renders it.
 */
export class Problem extends HttpException {
  constructor(status: number, code: string, detail: string, errors?: FieldError[], headers?: Record<string, string>) {
    super({ code, detail, errors, headers } satisfies ProblemBody, status);
  }

  static badRequest(code: string, detail: string, errors?: FieldError[]): Problem {
    return new Problem(400, code, detail, errors);
  }
  static notFound(what: string): Problem {
    return new Problem(404, 'NOT_FOUND', `${what} was not found`);
  }
  static conflict(code: string, detail: string): Problem {
    return new Problem(409, code, detail);
  }
  static invalidField(field: string, message: string, status = 400): Problem {
    return new Problem(status, 'VALIDATION_FAILED', `${field}: ${message}`, [{ field, message }]);
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** The body of an application/problem+json answer (RFC 9457), with Keyward's stable `code`. */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: FieldError[];
}

export function problemDocument(status: number, code: string, detail: string, errors?: FieldError[]): ProblemDocument {
  return {
    type: `https://keyward.dev/problems/${code.toLowerCase().replace(/_/g, '-')}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code,
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
}
