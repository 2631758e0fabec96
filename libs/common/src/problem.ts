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
