import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { FieldError, problemDocument } from '@keyward/common';
import { KEYWARD_CONFIG, KeywardConfig } from '@keyward/config';
import { WorkerMetrics } from '@keyward/observability';
import { WorkerReadiness } from './worker-readiness';

/** WORKER_HTTP_PORT when unset; any free port when it is taken. */
export const DEFAULT_WORKER_HTTP_PORT = 3002;

/**
 * The worker's own port: /health/live, /health/ready and /metrics, nothing else (GET or HEAD).
 * A plain Node HTTP server, no framework: the worker serves no API.
 */
@Injectable()
export class WorkerHttpServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WorkerHttpServer.name);
  private readonly server: Server = createServer((req, res) => void this.answer(req, res));
  private port: number | null = null;

  constructor(
    @Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig,
    private readonly readiness: WorkerReadiness,
    private readonly metrics: WorkerMetrics,
  ) {
    this.server.keepAliveTimeout = 65_000; // longer than a scraper's idle connections
  }

  /** `http://host:port` once listening. */
  get url(): string {
    const host = this.config.host === '0.0.0.0' || this.config.host === '::' ? '127.0.0.1' : this.config.host;
    return `http://${host.includes(':') ? `[${host}]` : host}:${this.port}`;
  }

  async onApplicationBootstrap(): Promise<void> {
    const wanted = this.config.workerHttpPort;
    try {
      await this.listen(wanted ?? DEFAULT_WORKER_HTTP_PORT);
    } catch (err) {
      if (wanted !== null || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') {
        throw new Error(`WORKER_HTTP_PORT ${wanted ?? DEFAULT_WORKER_HTTP_PORT} on ${this.config.host}: ${(err as Error).message}`);
      }
      await this.listen(0);
      this.logger.warn(`port ${DEFAULT_WORKER_HTTP_PORT} is taken: health and metrics use port ${this.port} instead (set WORKER_HTTP_PORT to choose one)`);
    }
  }

  beforeApplicationShutdown(): Promise<void> {
    this.readiness.stop();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const failed = (err: Error) => reject(err);
      this.server.once('error', failed);
      this.server.listen(port, this.config.host, () => {
        this.server.off('error', failed);
        this.port = (this.server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('Cache-Control', 'no-store');
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('Allow', 'GET, HEAD');
        return send(res, 405, 'application/problem+json', problem(405, 'METHOD_NOT_ALLOWED', `${req.method} is not served here`));
      }
      switch (new URL(req.url ?? '/', 'http://worker').pathname) {
        case '/health/live':
          return send(res, 200, 'application/json', JSON.stringify({ status: 'ok' }));
        case '/health/ready':
          return await this.ready(res);
        case '/metrics':
          return send(res, 200, this.metrics.registry.contentType, await this.metrics.registry.metrics());
        default:
          return send(res, 404, 'application/problem+json', problem(404, 'NOT_FOUND', 'the worker serves /health/live, /health/ready and /metrics only'));
      }
    } catch (err) {
      this.logger.error(`${req.url} failed: ${(err as Error).message}`);
      if (!res.headersSent) send(res, 503, 'application/problem+json', problem(503, 'UNAVAILABLE', 'could not answer'));
      else res.destroy();
    }
  }

  private async ready(res: ServerResponse): Promise<void> {
    const { ready, checks } = await this.readiness.check();
    if (ready) return send(res, 200, 'application/json', JSON.stringify({ status: 'ok', checks }));
    const failing = Object.entries(checks).filter(([, c]) => c.status !== 'up') as [string, { message: string }][];
    res.setHeader('Retry-After', '5');
    const body = problem(
      503,
      'NOT_READY',
      `not ready: ${failing.map(([name]) => name).join(', ')}`,
      failing.map(([field, c]) => ({ field, message: c.message })),
    );
    send(res, 503, 'application/problem+json', body);
  }
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function problem(status: number, code: string, detail: string, errors?: FieldError[]): string {
  return JSON.stringify(problemDocument(status, code, detail, errors));
}
