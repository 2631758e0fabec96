import { performance } from 'node:perf_hooks';
import { Inject, Injectable } from '@nestjs/common';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import { SIGNATURE_HEADER, signOutbound } from '../crypto/signature';
import { keywardVersion } from '../domain/version';
import { CentralOutcome } from '../events/system-events';

/** The three calls Keyward makes to the central service (README: "The protocol Keyward expects"). */
export type CentralEndpoint = 'activate' | 'check' | 'heartbeat';

export interface CentralCall {
  outcome: CentralOutcome;
  /** The central service's answer, when there was one. */
  httpStatus: number | null;
  latencyMs: number;
  /** Why it did not succeed, in words: never a header, a key or a secret. */
  reason: string | null;
}

/** Whether trying again later may help. */
export function isRetryable(call: Pick<CentralCall, 'outcome'>): boolean {
  return call.outcome === 'unreachable' || call.outcome === 'timeout';
}

/**
 * HTTP client of the central service: `POST {CENTRAL_URL}/v1/<endpoint>` with the central API key
 * as a bearer token and the body signed with the company shared secret (Keyward-Signature).
 * 2xx: ok; 401/403: rejected; any other answer or no connection: unreachable; no answer within
 * CENTRAL_TIMEOUT_MS: timeout. Redirects are not followed (the key must go nowhere else).
 */
@Injectable()
export class CentralClient {
  constructor(@Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig) {}

  get url(): string | null {
    return this.config.central.url;
  }

  async call(endpoint: CentralEndpoint, auth: { apiKey: string; secret: string }, payload: object): Promise<CentralCall> {
    if (!this.config.central.url) throw new Error('CENTRAL_URL is not set');
    const base = this.config.central.url.endsWith('/') ? this.config.central.url : `${this.config.central.url}/`;
    const target = new URL(`v1/${endpoint}`, base);
    const body = JSON.stringify(payload);
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    let response: Response;
    try {
      response = await fetch(target, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(this.config.central.timeoutMs),
        headers: {
          authorization: `Bearer ${auth.apiKey}`,
          'content-type': 'application/json',
          accept: 'application/json',
          'user-agent': `keyward/${keywardVersion()}`,
          [SIGNATURE_HEADER.toLowerCase()]: signOutbound(auth.secret, body),
        },
        body,
      });
      // the answer's body is not used: release the connection without reading it
      await response.body?.cancel().catch(() => undefined);
    } catch (err) {
      return failure(err, elapsed(), this.config.central.timeoutMs);
    }
    const latencyMs = elapsed();
    const status = response.status;
    if (status >= 200 && status < 300) return { outcome: 'ok', httpStatus: status, latencyMs, reason: null };
    if (status === 401 || status === 403) {
      return { outcome: 'rejected', httpStatus: status, latencyMs, reason: `the central service refused the API key (HTTP ${status})` };
    }
    return { outcome: 'unreachable', httpStatus: status, latencyMs, reason: `the central service answered HTTP ${status}` };
  }
}

function failure(err: unknown, latencyMs: number, timeoutMs: number): CentralCall {
  const e = err as { name?: string; cause?: { code?: string; name?: string; message?: string }; message?: string };
  if (e.name === 'TimeoutError' || e.cause?.name === 'TimeoutError' || e.name === 'AbortError') {
    return { outcome: 'timeout', httpStatus: null, latencyMs, reason: `no answer within CENTRAL_TIMEOUT_MS (${timeoutMs} ms)` };
  }
  const code = e.cause?.code ?? e.cause?.name ?? e.name ?? 'error';
  return { outcome: 'unreachable', httpStatus: null, latencyMs, reason: `could not reach the central service (${code})` };
}
