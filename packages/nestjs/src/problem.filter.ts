import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import { KeywardProblem } from './problem';

type AnyResponse = {
  setHeader?: (n: string, v: string) => void;
  header?: (n: string, v: string) => unknown;
  status?: (code: number) => AnyResponse;
  code?: (code: number) => AnyResponse;
  send: (body: string) => unknown;
};

/** Sends the guard's refusals as Keyward does: application/problem+json with their headers. Other errors pass by. */
@Catch(KeywardProblem)
export class KeywardProblemFilter implements ExceptionFilter {
  catch(problem: KeywardProblem, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<AnyResponse>();
    const headers: Record<string, string> = { ...problem.headers, 'Content-Type': 'application/problem+json; charset=utf-8' };
    for (const [name, value] of Object.entries(headers)) {
      if (typeof res.setHeader === 'function') res.setHeader(name, value);
      else res.header?.(name, value);
    }
    const withStatus = typeof res.status === 'function' ? res.status(problem.statusCode) : res.code!(problem.statusCode);
    withStatus.send(JSON.stringify(problem.document));
  }
}
