import type { NextFunction, Request, Response } from 'express';
import { Principal, routeOf } from '@keyward/auth';
import { UsageBuffer } from '@keyward/usage';
import { userAgentOf } from '@keyward/observability';

/**
 * One KeyUsed record per authenticated request, taken when the response is sent (so
 * with its status and duration) and buffered in memory: nothing is written on the
 * request path.
 */
export function usageTracker(buffer: UsageBuffer) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const startedAt = Date.now();
    const started = performance.now();
    // 'close' also fires when the client went away before the response was sent
    res.once('close', () => {
      const principal = (req as Request & { user?: Principal }).user;
      if (!principal) return;
      buffer.record({
        type: 'KeyUsed',
        occurredAt: new Date(startedAt).toISOString(),
        companyId: principal.companyId,
        keyId: principal.keyId,
        method: req.method,
        route: routeOf(req),
        status: res.writableFinished ? res.statusCode : 499,
        ip: req.ip ?? null,
        userAgent: userAgentOf(req),
        requestId: (req as Request & { id?: string }).id ?? null,
        durationMs: Math.round((performance.now() - started) * 100) / 100,
      });
    });
    next();
  };
}
