import { Agent as HttpAgent, IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** An HTTP answer, read whole. */
export interface HttpAnswer {
  status: number;
  statusText: string;
  text: string;
}

/**
 * Requests with small JSON answers over Node's http(s) and one keep-alive agent: what the guard
 * sends while serving (usage batches, quota blocks, lease renewals, verifies). Node's `fetch`
 * spent several times the CPU of this per call (web streams, abort signals, a Request object),
 * on the main thread the service's requests need. A request that takes longer than `timeoutMs`
 * (answer read whole) fails with a `TimeoutError`.
 */
export class HttpJson {
  private readonly agent: HttpAgent;
  private readonly send: typeof httpRequest;

  constructor(base: string) {
    const secure = new URL(base).protocol === 'https:';
    this.agent = secure ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
    this.send = secure ? httpsRequest : httpRequest;
  }

  /**
   * One request; sent once more when it failed on a reused keep-alive connection before any
   * answer (the server closed that idle connection as the request went out: Node's documented
   * race). Every request of the guard may be repeated: usage by eventId, acks and verifies
   * change nothing twice, and a quota block granted twice would only leave requests unused.
   */
  async request(url: string, method: string, headers: Record<string, string>, body: string | undefined, timeoutMs: number): Promise<HttpAnswer> {
    try {
      return await this.once(url, method, headers, body, timeoutMs);
    } catch (err) {
      if (!(err as { reusedSocket?: boolean }).reusedSocket) throw err;
      return this.once(url, method, headers, body, timeoutMs);
    }
  }

  private once(url: string, method: string, headers: Record<string, string>, body: string | undefined, timeoutMs: number): Promise<HttpAnswer> {
    return new Promise((resolve, reject) => {
      const outgoing = { ...headers, ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}) };
      const req = this.send(url, { method, headers: outgoing, agent: this.agent });
      const timer = setTimeout(() => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { name: 'TimeoutError' })), timeoutMs);
      let answered = false;
      const fail = (err: Error) => {
        clearTimeout(timer);
        const code = (err as { code?: string }).code;
        // no answer yet on a reused connection that the server had closed: worth one more try
        if (!answered && req.reusedSocket && (code === 'ECONNRESET' || code === 'EPIPE')) Object.assign(err, { reusedSocket: true });
        reject(err);
      };
      req.on('error', fail);
      req.on('response', (res: IncomingMessage) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', fail);
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', text: Buffer.concat(chunks).toString('utf8') });
        });
      });
      req.end(body);
    });
  }

  /** Closes the idle connections; one still in use (a lease given back at stop) ends its request first. */
  close(): void {
    for (const sockets of Object.values(this.agent.freeSockets)) for (const socket of sockets ?? []) socket.destroy();
  }
}
