import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo, Socket } from 'node:net';

export interface Received {
  headers: IncomingHttpHeaders;
  raw: string;
  body: any;
}

/**
 * A real HTTP receiver for webhook tests: keeps every request it answered 2xx in `received`,
 * answers `status` (200 by default), and can be stopped and started again on the same port
 * (a receiver that is down refuses connections).
 */
export class WebhookReceiver {
  readonly received: Received[] = [];
  /** Every request that reached it, whatever it answered. */
  readonly attempts: Received[] = [];
  status = 200;
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const entry = { headers: req.headers, raw, body: JSON.parse(raw) };
        this.attempts.push(entry);
        if (this.status >= 200 && this.status < 300) this.received.push(entry);
        res.statusCode = this.status;
        res.end();
      });
    });
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Down: the port refuses connections, kept-alive ones are cut. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The events received (not tests), in the order they arrived. */
  events(): any[] {
    return this.received.map((r) => r.body).filter((b) => b.type !== 'WebhookTest');
  }
}

/** Polls until `done()` is true; fails with `what` after the deadline (a bound on a wait, not a timing assertion). */
export async function eventually(done: () => boolean | Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await done()) return;
    if (Date.now() > deadline) throw new Error(`still not true after ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
