import type { ServerResponse } from 'node:http';
import { AuthOutcomeRequest, routeOf } from '@keyward/auth';
import { Metrics } from '@keyward/observability';

/** Request latency by route, and the guard's verdict, counted when the response is sent. */
export function httpMetrics(metrics: Metrics) {
  return (req: AuthOutcomeRequest, res: ServerResponse, next: () => void): void => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.httpDuration.observe({ method: req.method, route: routeOf(req), status: String(res.statusCode) }, seconds);
      const code = req.authOutcome;
      if (code) metrics.authOutcomes.inc({ code });
    });
    next();
  };
}
