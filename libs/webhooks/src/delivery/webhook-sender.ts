import * as http from 'node:http';
import * as https from 'node:https';
import { guardedLookup } from './webhook-target';

/** How one POST to a receiver ended. `error` is in words, never a header or a body. */
export interface AttemptOutcome {
  ok: boolean;
  /** The receiver's HTTP status; null when no answer came (refused, timed out, reset). */
  status: number | null;
  durationMs: number;
  error: string | null;
}

const MAX_ERROR_LENGTH = 300;

/**
 * POSTs signed JSON to receivers over kept-alive connections. A 2xx answer is a delivery; any
 * other answer (3xx included: redirects are not followed), a timeout or a connection error is a
 * failed attempt. Addresses are checked at connection time (see guardedLookup).
 */
export class WebhookSender {
  private readonly agents: { http: http.Agent; https: https.Agent };

  constructor(
    private readonly options: { allowPrivate: boolean; timeoutMs: number; userAgent: string },
  ) {
    const lookup = guardedLookup(options.allowPrivate) as unknown as http.AgentOptions['lookup'];
    this.agents = {
      http: new http.Agent({ keepAlive: true, maxSockets: 4, lookup }),
      https: new https.Agent({ keepAlive: true, maxSockets: 4, lookup }),
    };
  }

  send(url: URL, body: string, headers: Record<string, string>): Promise<AttemptOutcome> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const isHttps = url.protocol === 'https:';
    return new Promise<AttemptOutcome>((resolve) => {
      let settled = false;
      const finish = (outcome: Omit<AttemptOutcome, 'durationMs'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ ...outcome, durationMs: elapsed() });
      };
      const request = (isHttps ? https : http).request(
        url,
        {
          method: 'POST',
          agent: isHttps ? this.agents.https : this.agents.http,
          headers: {
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(body)),
            'user-agent': this.options.userAgent,
            ...headers,
          },
        },
        (res) => {
          const status = res.statusCode ?? 0;
          res.resume(); // the answer's body is not kept: read it so the connection can be reused
          res.on('end', () => finish({ ok: status >= 200 && status < 300, status, error: status >= 200 && status < 300 ? null : `answered ${status}` }));
          res.on('error', (err) => finish({ ok: false, status, error: describe(err) }));
        },
      );
      const timer = setTimeout(() => {
        request.destroy();
        finish({ ok: false, status: null, error: `no answer within ${this.options.timeoutMs} ms` });
      }, this.options.timeoutMs);
      request.on('error', (err) => finish({ ok: false, status: null, error: describe(err) }));
      request.end(body);
    });
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}

function describe(err: Error & { code?: string }): string {
  const text = err.code && !err.message.includes(err.code) ? `${err.code}: ${err.message}` : err.message;
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text;
}
