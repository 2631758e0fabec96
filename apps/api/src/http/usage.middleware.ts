import type { ServerResponse } from 'node:http';
import { KeyedRequest, routeOf } from '@keyward/auth';
import { UsageBuffer } from '@keyward/usage';
import { userAgentOf } from '@keyward/observability';

/**
 * One KeyUsed record per authenticated request, taken when the response is sent (so
 * with its status and duration) and buffered in memory: nothing is written on the
 * request path.
 */
export function usageTracker(buffer: UsageBuffer) {
  return (req: KeyedRequest, res: ServerResponse, next: () => void): void => {
    const startedAt = Date.now();
    const started = performance.now();
    // 'close' also fires when the client went away before the response was sent
    res.once('close', () => {
      const principal = req.user;
      if (!principal) return;
      buffer.record({
        type: 'KeyUsed',
        occurredAt: new Date(startedAt).toISOString(),
        companyId: principal.companyId,
        keyId: principal.keyId,
        method: req.method ?? '',
        route: routeOf(req),
        status: res.writableFinished ? res.statusCode : 499,
        ip: req.ip ?? null,
        userAgent: userAgentOf(req),
        requestId: req.id !== undefined ? String(req.id) : null,
        durationMs: Math.round((performance.now() - started) * 100) / 100,
      });
    });
    next();
  };
}
