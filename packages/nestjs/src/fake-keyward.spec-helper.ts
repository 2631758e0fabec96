import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { crc32 } from 'node:zlib';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A well-formed Keyward key of the 43-character body (its CRC32 appended). */
export function keyOf(body43: string): string {
  const body = `kw_${body43}`;
  let sum = '';
  for (let v = crc32(body); v > 0; v = Math.floor(v / 62)) sum = ALPHABET[v % 62] + sum;
  return body + sum.padStart(6, '0');
}

/**
 * A small stand-in for Keyward's verifier routes (docs/verifier-protocol.md), for the package's
 * unit specs: it records every request and lets a spec push stream events and choose answers.
 */
export class FakeKeyward {
  readonly requests: { method: string; path: string; body: any }[] = [];
  readonly streams: ServerResponse[] = [];
  ackStatus = 200;
  leaseMs = 10_000;
  verifyAnswer: (body: any) => any = () => ({ valid: false, code: 'NOT_FOUND' });
  quota: (keyId: string, want: number) => any = (_k, want) => ({ granted: want, limit: 1000, windowSeconds: 3600, resetSeconds: 3600 });
  private server!: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const s of this.streams) s.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  /** Sends an event on the newest stream. */
  send(event: string, data: unknown): void {
    this.streams.at(-1)!.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  endStreams(): void {
    for (const s of this.streams.splice(0)) s.end();
  }

  of(path: string) {
    return this.requests.filter((r) => r.path.startsWith(path));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let text = '';
    for await (const chunk of req) text += chunk;
    const body = text ? JSON.parse(text) : undefined;
    const path = req.url ?? '';
    this.requests.push({ method: req.method ?? '', path, body });
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': status < 300 ? 'application/json' : 'application/problem+json' });
      res.end(JSON.stringify(value));
    };
    if (path === '/v1/verifiers/stream') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(': open\n\n');
      this.streams.push(res);
      return;
    }
    let m: RegExpExecArray | null;
    if ((m = /^\/v1\/verifiers\/([^/]+)\/ack$/.exec(path))) {
      if (this.ackStatus === 200) return json(200, { leaseMs: this.leaseMs });
      return json(this.ackStatus, { code: this.ackStatus === 410 ? 'VERIFIER_LEASE_LAPSED' : 'VERIFIER_NOT_FOUND', detail: 'x' });
    }
    if (req.method === 'DELETE' && /^\/v1\/verifiers\/[^/]+$/.test(path)) {
      res.writeHead(204);
      res.end();
      return;
    }
    if (path === '/v1/keys/verify') return json(200, this.verifyAnswer(body));
    if (path === '/v1/usage') return json(202, { appended: body.records.length });
    if ((m = /^\/v1\/keys\/([^/]+)\/quota$/.exec(path))) return json(200, this.quota(m[1], body.want));
    json(404, { code: 'NOT_FOUND', detail: path });
  }
}

/** Waits for a condition of the fake's state (bounded poll; the spec asserts on the state, not on time). */
export async function until(condition: () => boolean, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
