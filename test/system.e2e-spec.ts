import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import { CommandBus } from '@nestjs/cqrs';
import { Projector } from '@keyward/event-store';
import { BootstrapCommand, BootstrapResult } from '@keyward/keys';
import { QueueName, TELEMETRY_HEARTBEAT_SCHEDULER, openQueue } from '@keyward/queue';
import { SHARED_SECRET_PATTERN, SIGNATURE_HEADER, verifySignature } from '@keyward/system';
import { CliResult, processEnv, runCli } from './support/processes';
import { Reply, Stack, call, startStack } from './support/stack';

/**
 * Shared secret, central link and telemetry against a real local HTTP server playing the
 * central service: valid key, invalid key, down (closed), slow (answers after the timeout),
 * failing (500). Secrets and keys are only ever compared as booleans, so no assertion that
 * fails can print one.
 */

type Mode = 'valid' | 'invalid' | 'down' | 'slow' | 'error';

interface Received {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  receivedAt: number;
}

const CENTRAL_TIMEOUT_MS = 400;
const SLOW_MS = 1_500;
const RETRY_ATTEMPTS = 3;
const VERSION = (JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;

/** The central service: 'valid' accepts one key (401 for others), 'invalid' refuses all (403). */
class FakeCentral {
  mode: Mode = 'valid';
  readonly received: Received[] = [];
  private server?: http.Server;
  private port = 0;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly validKey: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** 'down' closes the server (connections are refused); any other mode listens again on the same port. */
  async set(mode: Mode): Promise<void> {
    if (mode === 'down') await this.stop();
    else if (!this.server) await this.start();
    this.mode = mode;
  }

  /** Requests received after `since` (an index into `received`). */
  since(index: number): Received[] {
    return this.received.slice(index);
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    res.on('error', () => undefined); // the client may have given up (slow mode)
    req.on('end', () => {
      this.received.push({ method: req.method!, path: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), receivedAt: Date.now() });
      const send = (status: number) => {
        if (res.destroyed) return;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status }));
      };
      switch (this.mode) {
        case 'valid':
          return send(req.headers.authorization === `Bearer ${this.validKey}` ? 200 : 401);
        case 'invalid':
          return send(403);
        case 'error':
          return send(500);
        case 'slow': {
          const t = setTimeout(() => {
            this.timers.delete(t);
            send(200);
          }, SLOW_MS);
          this.timers.add(t);
          return;
        }
        default:
          return send(500);
      }
    });
  }
}

/** Polls `probe` until it returns something truthy; fails after `timeoutMs` naming `what`. */
async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface EventRow {
  position: string;
  type: string;
  company_id: string | null;
  actor: { type: string; id: string };
  data: Record<string, any>;
}

/** Fails without printing `secret`: only the label is shown. */
function expectAbsent(haystack: string, secret: string, where: string): void {
  if (haystack.includes(secret)) throw new Error(`a secret value appears in ${where}`);
}

describe('shared secret, central link and telemetry (one API and one worker, a fake central service)', () => {
  const centralKey = `ck_live_${randomBytes(24).toString('hex')}`;
  const wrongKey = `ck_live_${randomBytes(24).toString('hex')}`;
  const central = new FakeCentral(centralKey);
  let s: Stack;
  /** Every shared secret handed out (operator company first); checked against storage and responses. */
  const secrets: string[] = [];
  /** Every response except rotate and reveal, which alone may hold the secret. */
  const responses: { label: string; text: string }[] = [];
  let operatorSecret = '';

  const api = async <T = any>(method: string, route: string, options: Parameters<typeof call>[3] = {}): Promise<Reply<T>> => {
    const reply = await call<T>(s.url, method, route, { key: s.admin.key, ...options });
    if (!/\/v1\/shared-secret\/(rotate|reveal)$/.test(route) || reply.status >= 400) {
      responses.push({ label: `${method} ${route} → ${reply.status}`, text: JSON.stringify(reply.body ?? '') });
    }
    return reply;
  };
  const eventsOf = async (type: string, after = 0): Promise<EventRow[]> =>
    s.sql.query('SELECT position, type, company_id, actor, data FROM events WHERE type = $1 AND position > $2 ORDER BY position', [type, after]);
  const head = async (): Promise<number> => Number((await s.sql.query('SELECT COALESCE(max(position), 0) AS p FROM events'))[0].p);
  /** Events other than usage, heartbeats and audit exports: what a refused or neutral request must not add. */
  const settledEvents = async (): Promise<number> =>
    Number(
      (
        await s.sql.query(
          `SELECT count(*) AS n FROM events WHERE type NOT IN ('KeyUsed', 'AuthenticationFailed', 'HeartbeatSent', 'HeartbeatFailed')`,
        )
      )[0].n,
    );
  const status = async () => {
    const r = await api('GET', '/v1/system/status');
    expect(r.status).toBe(200);
    return r.body;
  };
  const telemetryQueue = () =>
    openQueue(s.config, QueueName.Telemetry);

  beforeAll(async () => {
    await central.start();
    s = await startStack({
      CENTRAL_URL: central.url,
      CENTRAL_TIMEOUT_MS: String(CENTRAL_TIMEOUT_MS),
      TELEMETRY_INTERVAL_MS: '1000',
      TELEMETRY_RETRY_ATTEMPTS: String(RETRY_ATTEMPTS),
      TELEMETRY_RETRY_DELAY_MS: '50',
    });
  });
  afterAll(async () => {
    await s?.close();
    await central.stop();
  });
  // each test starts with the central service up and accepting `centralKey`
  beforeEach(() => central.set('valid'));

  describe('the shared secret', () => {
    it('does not exist at first: GET says so, reveal is 404, and activation needs one (409 SHARED_SECRET_REQUIRED)', async () => {
      expect((await api('GET', '/v1/shared-secret')).body).toEqual({ exists: false, fingerprint: null, createdAt: null, rotatedAt: null });
      const reveal = await api('POST', '/v1/shared-secret/reveal');
      expect(reveal.status).toBe(404);
      const before = central.received.length;
      const activate = await api('PUT', '/v1/system/central', { body: { apiKey: centralKey } });
      expect(activate.status).toBe(409);
      expect(activate.body.code).toBe('SHARED_SECRET_REQUIRED');
      expect(central.received.length).toBe(before); // nothing unsigned ever leaves
    });

    it('is created by rotate and shown once; GET shows metadata only; reveal returns it and is audited', async () => {
      const created = await api('POST', '/v1/shared-secret/rotate');
      expect(created.status).toBe(201);
      expect(created.headers.get('cache-control')).toBe('no-store');
      const { secret, ...meta } = created.body;
      secrets.push(secret);
      expect(SHARED_SECRET_PATTERN.test(secret)).toBe(true);
      expect(meta).toMatchObject({ fingerprint: expect.stringMatching(/^sha256:[0-9a-f]{16}$/), rotatedAt: null });
      expect(Date.parse(meta.createdAt)).not.toBeNaN();

      const got = await api('GET', '/v1/shared-secret');
      expect(got.body).toEqual({ exists: true, fingerprint: meta.fingerprint, createdAt: meta.createdAt, rotatedAt: null });

      const before = await head();
      const revealed = await api('POST', '/v1/shared-secret/reveal');
      expect(revealed.status).toBe(200);
      expect(revealed.headers.get('cache-control')).toBe('no-store');
      expect(revealed.body.secret === secret).toBe(true);
      expect(revealed.body.fingerprint).toBe(meta.fingerprint);
      const audit = await eventsOf('SharedSecretRevealed', before);
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({
        company_id: s.admin.companyId,
        actor: { type: 'key', id: s.admin.keyId },
        data: { fingerprint: meta.fingerprint },
      });
    });

    it('rotates to a new secret: the old one is gone, the creation date stays, the event names both fingerprints', async () => {
      const before = await head();
      const old = (await api('GET', '/v1/shared-secret')).body;
      const rotated = await api('POST', '/v1/shared-secret/rotate');
      expect(rotated.status).toBe(201);
      expect(rotated.headers.get('cache-control')).toBe('no-store');
      const { secret, ...meta } = rotated.body;
      secrets.push(secret);
      expect(secret === secrets[0]).toBe(false);
      expect(meta.fingerprint).not.toBe(old.fingerprint);
      expect(meta.createdAt).toBe(old.createdAt);
      expect(Date.parse(meta.rotatedAt)).toBeGreaterThanOrEqual(Date.parse(old.createdAt));
      const [event] = await eventsOf('SharedSecretRotated', before);
      expect(event.data).toMatchObject({ fingerprint: meta.fingerprint, previousFingerprint: old.fingerprint, sealed: { alg: 'A256GCM' } });
      expect(Object.keys(event.data).sort()).toEqual(['fingerprint', 'previousFingerprint', 'previousValidUntil', 'sealed']);
      // by default the replaced secret keeps signing webhook deliveries for a day, beside the new one
      expect(Date.parse(event.data.previousValidUntil) - Date.parse(meta.rotatedAt)).toBe(86_400_000);
      expect(meta.previousValidUntil).toBe(event.data.previousValidUntil);
      expect(Object.keys(event.data.sealed).sort()).toEqual(['alg', 'ciphertext', 'iv', 'keyId', 'tag']);
      const revealed = await api('POST', '/v1/shared-secret/reveal');
      expect(revealed.body.secret === secret).toBe(true);
      operatorSecret = secret;
    });
  });

  describe('access and input', () => {
    it('refuses a key without admin.system.api with 403 on every route, and writes nothing', async () => {
      const created = await api('POST', '/v1/keys', {
        body: { name: 'no-system', permissions: ['keys:read', 'keys:write', 'keys:verify', 'users:read', 'users:write', 'audit:read'] },
      });
      expect(created.status).toBe(201);
      const before = await settledEvents();
      const routes: [string, string, unknown?][] = [
        ['GET', '/v1/shared-secret'],
        ['POST', '/v1/shared-secret/rotate'],
        ['POST', '/v1/shared-secret/reveal'],
        ['GET', '/v1/system/status'],
        ['PUT', '/v1/system/central', { apiKey: centralKey }],
        ['DELETE', '/v1/system/central'],
        ['POST', '/v1/system/central/check'],
        ['PUT', '/v1/system/telemetry', { enabled: true }],
        ['POST', '/v1/system/heartbeat'],
      ];
      for (const [method, route, body] of routes) {
        const r = await api(method, route, { key: created.body.key, body });
        expect({ route: `${method} ${route}`, status: r.status, code: r.body.code }).toEqual({
          route: `${method} ${route}`,
          status: 403,
          code: 'INSUFFICIENT_PERMISSIONS',
        });
      }
      expect(await settledEvents()).toBe(before);
    });

    it.each<[string, string, string, unknown, string]>([
      ['apiKey missing', 'PUT', '/v1/system/central', {}, 'apiKey'],
      ['apiKey too long', 'PUT', '/v1/system/central', { apiKey: 'k'.repeat(513) }, 'apiKey'],
      ['apiKey empty', 'PUT', '/v1/system/central', { apiKey: '' }, 'apiKey'],
      ['apiKey not a string', 'PUT', '/v1/system/central', { apiKey: 42 }, 'apiKey'],
      ['apiKey with a line break', 'PUT', '/v1/system/central', { apiKey: 'abc\r\nX-Injected: 1' }, 'apiKey'],
      ['an unknown field', 'PUT', '/v1/system/central', { apiKey: 'abc', url: 'http://elsewhere' }, 'url'],
      ['enabled missing', 'PUT', '/v1/system/telemetry', {}, 'enabled'],
      ['enabled a string', 'PUT', '/v1/system/telemetry', { enabled: 'true' }, 'enabled'],
      ['enabled a number', 'PUT', '/v1/system/telemetry', { enabled: 1 }, 'enabled'],
      ['enabled null', 'PUT', '/v1/system/telemetry', { enabled: null }, 'enabled'],
    ])('refuses %s with 400 naming the field, and changes nothing', async (_name, method, route, body, field) => {
      const before = await settledEvents();
      const sent = central.received.length;
      const r = await api(method, route, { body });
      expect(r.status).toBe(400);
      expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(r.body.code).toBe('VALIDATION_FAILED');
      expect(r.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      expect(await settledEvents()).toBe(before);
      expect(central.received.length).toBe(sent);
    });
  });

  describe('the central link', () => {
    it('starts inactive, with telemetry off; the status has the version, every queue and the projection lag', async () => {
      const st = await status();
      expect(st.version).toBe(VERSION);
      expect(st.central).toEqual({
        status: 'inactive',
        url: central.url,
        installationId: null,
        activatedAt: null,
        lastCheckAt: null,
        lastCheckOutcome: null,
        lastHeartbeatAt: null,
      });
      expect(st.telemetry).toMatchObject({ enabled: false, state: 'off', pausedReason: null, intervalMs: 1000 });
      expect(Object.keys(st.queues).sort()).toEqual(Object.values(QueueName).sort());
      for (const counts of Object.values(st.queues)) {
        expect(counts).toEqual({ waiting: expect.any(Number), active: expect.any(Number), failed: expect.any(Number), delayed: expect.any(Number) });
      }
      expect(st.projectionLag).toEqual({ events: expect.any(Number), seconds: expect.any(Number) });
      expect(st.projectionLag.events).toBeGreaterThanOrEqual(0);
    });

    it('refuses check, heartbeat and deactivate while inactive (409 CENTRAL_NOT_ACTIVE)', async () => {
      for (const [method, route] of [['POST', '/v1/system/central/check'], ['POST', '/v1/system/heartbeat'], ['DELETE', '/v1/system/central']]) {
        const r = await api(method, route);
        expect({ route, status: r.status, code: r.body.code }).toEqual({ route, status: 409, code: 'CENTRAL_NOT_ACTIVE' });
      }
    });

    it('answers 422 CENTRAL_KEY_REJECTED when the central service refuses the key (401 or 403), and changes nothing', async () => {
      const before = await settledEvents();
      const sent = central.received.length;
      await central.set('valid');
      const unknown = await api('PUT', '/v1/system/central', { body: { apiKey: wrongKey } });
      expect(unknown.status).toBe(422);
      expect(unknown.body).toMatchObject({ code: 'CENTRAL_KEY_REJECTED', errors: [{ field: 'apiKey' }] });
      await central.set('invalid');
      const refused = await api('PUT', '/v1/system/central', { body: { apiKey: centralKey } });
      expect(refused.status).toBe(422);
      expect(refused.body.code).toBe('CENTRAL_KEY_REJECTED');
      expect(central.since(sent).map((r) => `${r.method} ${r.path}`)).toEqual(['POST /v1/activate', 'POST /v1/activate']);
      expect(await settledEvents()).toBe(before);
      expect((await status()).central.status).toBe('inactive');
    });

    it('answers 502 CENTRAL_UNREACHABLE when it is down or failing, 504 CENTRAL_TIMEOUT when it is too slow; nothing changes', async () => {
      const before = await settledEvents();
      await central.set('down');
      const down = await api('PUT', '/v1/system/central', { body: { apiKey: centralKey } });
      expect(down.status).toBe(502);
      expect(down.body).toMatchObject({ code: 'CENTRAL_UNREACHABLE', title: 'Bad Gateway' });
      expect(down.body.detail).toMatch(/nothing was changed/);

      await central.set('error');
      const failing = await api('PUT', '/v1/system/central', { body: { apiKey: centralKey } });
      expect(failing.status).toBe(502);
      expect(failing.body.detail).toMatch(/HTTP 500/);

      await central.set('slow');
      const started = Date.now();
      const slow = await api('PUT', '/v1/system/central', { body: { apiKey: centralKey } });
      const took = Date.now() - started;
      expect(slow.status).toBe(504);
      expect(slow.body).toMatchObject({ code: 'CENTRAL_TIMEOUT', title: 'Gateway Timeout' });
      expect(slow.body.detail).toMatch(/CENTRAL_TIMEOUT_MS/);
      expect(took).toBeGreaterThanOrEqual(CENTRAL_TIMEOUT_MS - 50);
      expect(took).toBeLessThan(SLOW_MS);

      expect(await settledEvents()).toBe(before);
      expect((await status()).central.status).toBe('inactive');
      await central.set('valid');
    });

    it('activates with a valid key: signed request, key stored only encrypted (CentralActivated), status active', async () => {
      const before = await head();
      const sent = central.received.length;
      const r = await api('PUT', '/v1/system/central', { body: { apiKey: centralKey } });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ status: 'active', url: central.url, installationId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
      expect(Date.parse(r.body.activatedAt)).not.toBeNaN();

      const [request] = central.since(sent);
      expect(`${request.method} ${request.path}`).toBe('POST /v1/activate');
      expect(request.headers.authorization === `Bearer ${centralKey}`).toBe(true);
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['user-agent']).toBe(`keyward/${VERSION}`);
      expect(verifySignature(operatorSecret, request.body, request.headers[SIGNATURE_HEADER.toLowerCase()] as string)).toMatchObject({ valid: true });
      expect(JSON.parse(request.body)).toEqual({ installationId: r.body.installationId, version: VERSION, sentAt: expect.any(String) });

      const [event] = await eventsOf('CentralActivated', before);
      expect(event).toMatchObject({ company_id: s.admin.companyId, actor: { type: 'key', id: s.admin.keyId } });
      expect(event.data).toMatchObject({ installationId: r.body.installationId, url: central.url, sealedKey: { alg: 'A256GCM' } });
      expectAbsent(JSON.stringify(event), centralKey, 'CentralActivated');

      const st = await status();
      expect(st.central).toMatchObject({ status: 'active', installationId: r.body.installationId });
      expect(st.telemetry).toMatchObject({ enabled: false, state: 'off' });
    });

    it('checks the connection and records every outcome with its latency (CentralChecked); the status follows', async () => {
      const before = await head();
      const outcomes: [Mode, string, string][] = [
        ['valid', 'ok', 'active'],
        ['error', 'unreachable', 'unreachable'],
        ['down', 'unreachable', 'unreachable'],
        ['slow', 'timeout', 'unreachable'],
        ['invalid', 'rejected', 'rejected'],
        ['valid', 'ok', 'active'],
      ];
      for (const [mode, outcome, centralStatus] of outcomes) {
        await central.set(mode);
        const r = await api('POST', '/v1/system/central/check');
        expect({ mode, status: r.status, outcome: r.body.outcome, central: r.body.central?.status }).toEqual({
          mode,
          status: 200,
          outcome,
          central: centralStatus,
        });
        expect(r.body.latencyMs).toEqual(expect.any(Number));
        if (mode === 'slow') expect(r.body.latencyMs).toBeLessThan(SLOW_MS);
        expect(r.body.central.lastCheckOutcome).toBe(outcome);
        expect(r.body.central.lastCheckAt).toBe(r.body.checkedAt);
      }
      const checked = await eventsOf('CentralChecked', before);
      expect(checked.map((e) => e.data.outcome)).toEqual(outcomes.map(([, o]) => o));
      expect(checked[1].data).toMatchObject({ httpStatus: 500, reason: expect.stringMatching(/HTTP 500/) });
      expect(checked[2].data).toMatchObject({ httpStatus: null, reason: expect.stringMatching(/could not reach/) });
      expect(checked[4].data).toMatchObject({ httpStatus: 403 });
      for (const e of checked) {
        expect(e.actor).toEqual({ type: 'key', id: s.admin.keyId });
        expect(typeof e.data.latencyMs).toBe('number');
      }
    });

    it('sends a heartbeat now: signed, anonymous counts, recorded as HeartbeatSent; a failed one as HeartbeatFailed', async () => {
      const before = await head();
      const sent = central.received.length;
      const r = await api('POST', '/v1/system/heartbeat');
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ outcome: 'sent', attempt: 1, httpStatus: 200 });

      const [request] = central.since(sent);
      expect(`${request.method} ${request.path}`).toBe('POST /v1/heartbeat');
      const body = JSON.parse(request.body);
      expect(body).toEqual({
        heartbeatId: r.body.heartbeatId,
        installationId: (await status()).central.installationId,
        instanceId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        version: VERSION,
        uptimeSeconds: expect.any(Number),
        sentAt: expect.any(String),
        counts: { companies: 1, users: 1, activeKeys: expect.any(Number), events: expect.any(Number) },
      });
      expect(body.counts.activeKeys).toBeGreaterThanOrEqual(2);
      expect(body.counts.events).toBeGreaterThan(5);

      const [event] = await eventsOf('HeartbeatSent', before);
      expect(event).toMatchObject({ actor: { type: 'key', id: s.admin.keyId }, company_id: s.admin.companyId });
      expect(event.data).toMatchObject({ heartbeatId: r.body.heartbeatId, trigger: 'manual', attempt: 1, payload: body });
      expect(Date.parse((await status()).central.lastHeartbeatAt)).not.toBeNaN();

      await central.set('down');
      const failed = await api('POST', '/v1/system/heartbeat');
      expect(failed.status).toBe(200);
      expect(failed.body).toMatchObject({ outcome: 'failed', failure: 'unreachable', final: true });
      const [recorded] = await eventsOf('HeartbeatFailed', before);
      expect(recorded.data).toMatchObject({ trigger: 'manual', attempts: 1, outcome: 'unreachable' });
      const st = await status();
      expect(st.central.status).toBe('unreachable');
      expect(st.telemetry.lastFailureAt).toEqual(expect.any(String));
      await central.set('valid');
    });
  });

  describe('telemetry', () => {
    it('when turned on, the job scheduler sends heartbeats as the system actor, signed (TelemetryEnabled, HeartbeatSent)', async () => {
      const before = await head();
      const r = await api('PUT', '/v1/system/telemetry', { body: { enabled: true } });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ enabled: true, state: 'on', pausedReason: null, intervalMs: 1000 });
      const [enabled] = await eventsOf('TelemetryEnabled', before);
      expect(enabled).toMatchObject({ actor: { type: 'key', id: s.admin.keyId }, data: { intervalMs: 1000 } });

      const queue = telemetryQueue();
      try {
        expect(await queue.getJobScheduler(TELEMETRY_HEARTBEAT_SCHEDULER)).toMatchObject({ every: 1000 });
      } finally {
        await queue.close();
      }
      const beats = await waitFor('two scheduled HeartbeatSent events', async () => {
        const found = (await eventsOf('HeartbeatSent', before)).filter((e) => e.data.trigger === 'scheduled');
        return found.length >= 2 && found;
      });
      expect(beats[0]).toMatchObject({ actor: { type: 'system', id: 'telemetry' }, company_id: s.admin.companyId });
      expect(beats[0].data).toMatchObject({ attempt: 1, httpStatus: 200, payload: { counts: { companies: 1 } } });
      expect(beats[0].data.heartbeatId).not.toBe(beats[1].data.heartbeatId);
      const st = await status();
      expect(st.central.status).toBe('active');
      expect(Date.parse(st.central.lastHeartbeatAt)).toBeGreaterThanOrEqual(Date.parse(beats[0].data.payload.sentAt) - 1000);
    });

    it('retries a failing scheduled heartbeat with backoff, then records HeartbeatFailed with the attempts', async () => {
      const before = await head();
      await central.set('down');
      const [failed] = await waitFor('a scheduled HeartbeatFailed', async () => {
        const found = (await eventsOf('HeartbeatFailed', before)).filter((e) => e.data.trigger === 'scheduled');
        return found.length > 0 && found;
      });
      expect(failed).toMatchObject({ actor: { type: 'system', id: 'telemetry' } });
      expect(failed.data).toMatchObject({ attempts: RETRY_ATTEMPTS, outcome: 'unreachable', reason: expect.stringMatching(/could not reach/) });
      // the attempts before the last one were retried, not recorded
      const earlier = (await eventsOf('HeartbeatFailed', before)).filter((e) => e.data.heartbeatId === failed.data.heartbeatId);
      expect(earlier).toHaveLength(1);
      // the worker appended it and woke the projector: the status follows within a moment
      const st = await waitFor('the status to show the link unreachable', async () => {
        const now = await status();
        return now.central.status === 'unreachable' && now.telemetry.lastFailureAt !== null && now;
      });
      expect(st.telemetry).toMatchObject({ state: 'on', lastFailureReason: expect.stringMatching(/could not reach/) });

      const queue = telemetryQueue();
      try {
        await waitFor('the failed job in the telemetry queue', async () => (await queue.getJobCounts('failed')).failed > 0);
      } finally {
        await queue.close();
      }

      const back = await head();
      await central.set('valid');
      await waitFor('a scheduled HeartbeatSent once the central service is back', async () =>
        (await eventsOf('HeartbeatSent', back)).some((e) => e.data.trigger === 'scheduled'),
      );
      await waitFor('the status to show the link active again', async () => (await status()).central.status === 'active');
    });

    it('when turned off, stops the scheduler and changes nothing else (keys, users, link, shared secret)', async () => {
      const snapshot = async () => ({
        companies: await s.sql.query('SELECT * FROM companies ORDER BY id'),
        users: await s.sql.query('SELECT * FROM users ORDER BY id'),
        keys: await s.sql.query('SELECT id, status, permissions, expires_at, revoked_at, deleted_at, version FROM api_keys ORDER BY id'),
        secrets: await s.sql.query('SELECT * FROM shared_secrets ORDER BY company_id'),
        link: (await s.sql.query('SELECT installation_id, central_active, central_url, central_activated_at FROM installation_status'))[0],
      });
      const before = await snapshot();
      const settled = await settledEvents();
      const fingerprint = (await api('GET', '/v1/shared-secret')).body.fingerprint;

      const r = await api('PUT', '/v1/system/telemetry', { body: { enabled: false } });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ enabled: false, state: 'off' });
      expect(await settledEvents()).toBe(settled + 1);
      const again = await api('PUT', '/v1/system/telemetry', { body: { enabled: false } });
      expect(again.status).toBe(200);
      expect(await settledEvents()).toBe(settled + 1); // already off: nothing recorded

      const queue = telemetryQueue();
      try {
        expect(await queue.getJobScheduler(TELEMETRY_HEARTBEAT_SCHEDULER)).toBeUndefined();
        await waitFor('the telemetry queue to be idle', async () => {
          const c = await queue.getJobCounts('wait', 'active', 'delayed', 'prioritized');
          return Object.values(c).every((n) => n === 0);
        });
      } finally {
        await queue.close();
      }
      expect(await snapshot()).toEqual(before);
      const st = await status();
      expect(st.central.status).toBe('active');
      expect(st.telemetry).toMatchObject({ enabled: false, state: 'off' });
      expect((await api('GET', '/v1/shared-secret')).body.fingerprint).toBe(fingerprint);
      expect((await api('GET', '/v1/me')).status).toBe(200);
      // the link still works on demand
      expect((await api('POST', '/v1/system/central/check')).body.outcome).toBe('ok');
    });
  });

  describe('deactivation, tenancy, and what is stored', () => {
    it('deactivates (CentralDeactivated); then check and heartbeat are 409, and telemetry turned on is paused', async () => {
      const before = await head();
      const r = await api('DELETE', '/v1/system/central');
      expect(r.status).toBe(204);
      const [event] = await eventsOf('CentralDeactivated', before);
      expect(event).toMatchObject({ actor: { type: 'key', id: s.admin.keyId } });
      expect((await status()).central).toMatchObject({ status: 'inactive', activatedAt: null });
      for (const [method, route] of [['POST', '/v1/system/central/check'], ['POST', '/v1/system/heartbeat'], ['DELETE', '/v1/system/central']]) {
        const refused = await api(method, route);
        expect({ route, status: refused.status, code: refused.body.code }).toEqual({ route, status: 409, code: 'CENTRAL_NOT_ACTIVE' });
      }
      const sent = central.received.length;
      const beats = async () => (await eventsOf('HeartbeatSent', before)).length + (await eventsOf('HeartbeatFailed', before)).length;
      const on = await api('PUT', '/v1/system/telemetry', { body: { enabled: true } });
      expect(on.body).toMatchObject({ enabled: true, state: 'paused', pausedReason: 'CENTRAL_NOT_ACTIVE' });
      const queue = telemetryQueue();
      try {
        // the scheduler's first job waits to run at once; once it ran, the next one is scheduled (delayed)
        await waitFor('the first scheduled job to have run', async () => {
          const c = await queue.getJobCounts('wait', 'active', 'prioritized', 'delayed');
          return c.wait + c.active + c.prioritized === 0 && c.delayed > 0;
        });
      } finally {
        await queue.close();
      }
      // it was skipped: nothing sent, nothing recorded
      expect(central.received.length).toBe(sent);
      expect(await beats()).toBe(0);
      expect((await status()).telemetry).toMatchObject({ state: 'paused', pausedReason: 'CENTRAL_NOT_ACTIVE' });
      expect((await api('PUT', '/v1/system/telemetry', { body: { enabled: false } })).body.state).toBe('off');
    });

    it("keeps /v1/system/* to the operator company (403 NOT_INSTALLATION_OPERATOR); another company has its own shared secret", async () => {
      const other: BootstrapResult = (await s.api
        .get(CommandBus)
        .execute(new BootstrapCommand({ companyName: 'Other', adminEmail: 'admin@other.test', adminName: 'Other', firstOnly: false })))!;
      for (const [method, route, body] of [
        ['GET', '/v1/system/status'],
        ['PUT', '/v1/system/central', { apiKey: centralKey }],
        ['PUT', '/v1/system/telemetry', { enabled: true }],
        ['POST', '/v1/system/heartbeat'],
      ] as [string, string, unknown?][]) {
        const r = await api(method, route, { key: other.key, body });
        expect({ route, status: r.status, code: r.body.code }).toEqual({ route, status: 403, code: 'NOT_INSTALLATION_OPERATOR' });
      }
      expect((await api('GET', '/v1/shared-secret', { key: other.key })).body.exists).toBe(false);
      const mine = await api('POST', '/v1/shared-secret/rotate', { key: other.key });
      expect(mine.status).toBe(201);
      secrets.push(mine.body.secret);
      expect(mine.body.fingerprint).not.toBe((await api('GET', '/v1/shared-secret')).body.fingerprint);
      const revealed = await api('POST', '/v1/shared-secret/reveal', { key: other.key });
      expect(revealed.body.secret === mine.body.secret).toBe(true);
      expect(revealed.body.secret === operatorSecret).toBe(false);
    });

    it('signed every request the central service received with the shared secret, within the tolerance', async () => {
      expect(central.received.length).toBeGreaterThan(10);
      for (const [i, r] of central.received.entries()) {
        const check = verifySignature(operatorSecret, r.body, r.headers[SIGNATURE_HEADER.toLowerCase()] as string | undefined, {
          now: r.receivedAt,
        });
        expect({ request: i, path: r.path, check }).toEqual({ request: i, path: r.path, check: { valid: true, timestamp: expect.any(Number) } });
        expect(typeof r.headers.authorization === 'string' && r.headers.authorization.startsWith('Bearer ')).toBe(true);
        // a signature does not verify under another secret, or over another body
        expect(verifySignature(secrets[0], r.body, r.headers[SIGNATURE_HEADER.toLowerCase()] as string, { now: r.receivedAt }).valid).toBe(false);
        expect(verifySignature(operatorSecret, `${r.body} `, r.headers[SIGNATURE_HEADER.toLowerCase()] as string, { now: r.receivedAt }).valid).toBe(false);
      }
    });

    it('rebuilds the shared_secrets and installation_status read models to exactly the same rows', async () => {
      await s.settleUsage();
      const rows = async () => ({
        secrets: await s.sql.query('SELECT * FROM shared_secrets ORDER BY company_id'),
        installation: await s.sql.query('SELECT * FROM installation_status'),
      });
      const before = await rows();
      expect(before.secrets).toHaveLength(2);
      expect(before.installation).toHaveLength(1);
      await s.worker.get(Projector).rebuild();
      expect(await rows()).toEqual(before);
    });

    it('never stores a secret or the central key in clear, nor answers one except rotate and reveal', async () => {
      await s.settleUsage();
      const stored = JSON.stringify([
        await s.sql.query('SELECT * FROM events ORDER BY position'),
        await s.sql.query('SELECT * FROM shared_secrets'),
        await s.sql.query('SELECT * FROM installation_status'),
      ]);
      expect(secrets.length).toBe(3);
      for (const [i, value] of [...secrets, centralKey, wrongKey].entries()) {
        expectAbsent(stored, value, `the database (value ${i})`);
        expectAbsent(stored, value.slice(5, 30), `the database (part of value ${i})`);
        for (const r of responses) expectAbsent(r.text, value, `the response to ${r.label}`);
      }
      expect(responses.length).toBeGreaterThan(20);
    });
  });

  describe('the command line (keyward api …), built: npm run build', () => {
    let env: NodeJS.ProcessEnv;
    const outputs: CliResult[] = [];
    const cli = async (...args: string[]): Promise<CliResult> => {
      const r = await runCli(['api', ...args], env);
      outputs.push(r);
      return r;
    };
    const cliJson = async (...args: string[]) => {
      const r = await cli(...args, '--json');
      if (r.code !== 0) throw new Error(`keyward api ${args.join(' ')} exited with ${r.code}: ${r.stderr.replace(/(kw|kwss|ck)_\S+/g, '[redacted]')}`);
      return JSON.parse(r.stdout.trim().split('\n').pop()!);
    };

    beforeAll(() => {
      env = processEnv(s.config, { CENTRAL_URL: central.url, CENTRAL_TIMEOUT_MS: String(CENTRAL_TIMEOUT_MS) });
    });

    it('shows the status, readable and as JSON', async () => {
      const st = await cliJson('status');
      expect(st).toMatchObject({ version: VERSION, central: { status: 'inactive' }, telemetry: { enabled: false } });
      expect(Object.keys(st.queues).sort()).toEqual(Object.values(QueueName).sort());
      const text = await cli('status');
      expect(text.code).toBe(0);
      expect(text.stdout).toContain(`Keyward ${VERSION}`);
      expect(text.stdout).toMatch(/^central\s+inactive/m);
      expect(text.stdout).toMatch(/^telemetry\s+off/m);
      expect(text.stdout).toMatch(/^QUEUE\s+WAITING\s+ACTIVE\s+FAILED\s+DELAYED/m);
    });

    it('activates, checks, sends a heartbeat and deactivates, as the system actor cli', async () => {
      const before = await head();
      const refused = await cli('activate', '--key', wrongKey);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/refused the API key/);
      expect((await eventsOf('CentralActivated', before))).toHaveLength(0);

      const activated = await cliJson('activate', '--key', centralKey);
      expect(activated.status).toBe('active');
      const check = await cli('check');
      expect(check.code).toBe(0);
      expect(check.stdout).toMatch(/^check: ok in \d+ ms \(HTTP 200\)/m);
      const beat = await cliJson('heartbeat');
      expect(beat).toMatchObject({ outcome: 'sent', attempt: 1 });

      await central.set('down');
      const unreachable = await cli('check');
      expect(unreachable.code).toBe(1);
      expect(unreachable.stdout).toMatch(/^check: unreachable/m);
      expect(unreachable.stderr).toMatch(/did not accept/);
      const lost = await cli('heartbeat');
      expect(lost.code).toBe(1);
      await central.set('valid');

      // CENTRAL_URL changed under an active link: the stored key goes nowhere else
      const elsewhere = new FakeCentral(centralKey);
      await elsewhere.start();
      try {
        const moved = { ...env, CENTRAL_URL: elsewhere.url };
        for (const command of ['check', 'heartbeat']) {
          const r = await runCli(['api', command], moved);
          outputs.push(r);
          expect({ command, code: r.code }).toEqual({ command, code: 1 });
          expect(r.stderr).toMatch(/CENTRAL_URL has changed since the link was activated/);
        }
        const st = await runCli(['api', 'status', '--json'], moved);
        outputs.push(st);
        expect(JSON.parse(st.stdout).central).toMatchObject({ status: 'url_changed', url: elsewhere.url });
        expect(elsewhere.received).toHaveLength(0);
      } finally {
        await elsewhere.stop();
      }

      const on = await cliJson('telemetry', 'on');
      expect(on).toMatchObject({ enabled: true, state: 'on' });
      expect(await cliJson('telemetry', 'off')).toMatchObject({ enabled: false, state: 'off' });

      const off = await cli('deactivate');
      expect(off.code).toBe(0);
      expect(off.stdout).toMatch(/deactivated/);
      const again = await cli('deactivate');
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/not active/);

      const mine = [
        ...(await eventsOf('CentralActivated', before)),
        ...(await eventsOf('CentralChecked', before)),
        ...(await eventsOf('HeartbeatSent', before)).filter((e) => e.data.trigger === 'manual'),
        ...(await eventsOf('CentralDeactivated', before)),
      ];
      expect(mine.length).toBeGreaterThanOrEqual(5);
      for (const e of mine) expect(e).toMatchObject({ actor: { type: 'system', id: 'cli' }, company_id: s.admin.companyId });
    });

    it('names what is missing: CENTRAL_URL not set', async () => {
      const without = processEnv(s.config);
      const st = await runCli(['api', 'status', '--json'], without);
      outputs.push(st);
      expect(st.code).toBe(0);
      expect(JSON.parse(st.stdout).central.status).toBe('not_configured');
      const activate = await runCli(['api', 'activate', '--key', centralKey], without);
      outputs.push(activate);
      expect(activate.code).toBe(1);
      expect(activate.stderr).toMatch(/CENTRAL_URL is not set/);
    });

    it('never prints the shared secret or the central key', () => {
      for (const [i, value] of [...secrets, centralKey, wrongKey].entries()) {
        for (const o of outputs) expectAbsent(o.stdout + o.stderr, value, `command-line output (value ${i})`);
      }
    });
  });
});

describe('shared secret and central link without SECRETS_ENCRYPTION_KEY', () => {
  let s: Stack;
  const central = new FakeCentral('ck_test_unused');

  beforeAll(async () => {
    await central.start();
    s = await startStack({ SECRETS_ENCRYPTION_KEY: undefined, CENTRAL_URL: central.url });
  });
  afterAll(async () => {
    await s?.close();
    await central.stop();
  });

  it('answers 409 SECRETS_KEY_NOT_CONFIGURED (a settled configuration, not an outage), naming the variable, and writes nothing; metadata still answers', async () => {
    const count = async () => Number((await s.sql.query(`SELECT count(*) AS n FROM events WHERE type LIKE 'SharedSecret%' OR type LIKE 'Central%'`))[0].n);
    for (const [method, route, body] of [
      ['POST', '/v1/shared-secret/rotate'],
      ['POST', '/v1/shared-secret/reveal'],
      ['PUT', '/v1/system/central', { apiKey: 'ck_test_unused' }],
    ] as [string, string, unknown?][]) {
      const r = await call(s.url, method, route, { key: s.admin.key, body });
      expect({ route, status: r.status, code: r.body.code }).toEqual({ route, status: 409, code: 'SECRETS_KEY_NOT_CONFIGURED' });
      expect(r.body.detail).toMatch(/SECRETS_ENCRYPTION_KEY/);
      expect(r.headers.get('retry-after')).toBeNull(); // retrying changes nothing
    }
    expect(await count()).toBe(0);
    expect(central.received).toHaveLength(0);
    expect((await call(s.url, 'GET', '/v1/shared-secret', { key: s.admin.key })).body).toMatchObject({ exists: false });
    expect((await call(s.url, 'GET', '/v1/system/status', { key: s.admin.key })).body.central.status).toBe('inactive');
  });
});

describe('central link without CENTRAL_URL', () => {
  let s: Stack;

  beforeAll(async () => {
    s = await startStack({ CENTRAL_URL: undefined });
  });
  afterAll(async () => s?.close());

  it('answers 409 CENTRAL_NOT_CONFIGURED (a settled configuration, not an outage) on activate, check and heartbeat, and writes nothing', async () => {
    // CENTRAL_URL is checked before anything else (the encryption key, the shared secret, the log)
    const count = async () =>
      Number((await s.sql.query(`SELECT count(*) AS n FROM events WHERE type LIKE 'Central%' OR type LIKE 'Heartbeat%'`))[0].n);
    for (const [method, route, body] of [
      ['PUT', '/v1/system/central', { apiKey: 'ck_test_unused' }],
      ['POST', '/v1/system/central/check'],
      ['POST', '/v1/system/heartbeat'],
    ] as [string, string, unknown?][]) {
      const r = await call(s.url, method, route, { key: s.admin.key, body });
      expect({ route, status: r.status, code: r.body.code }).toEqual({ route, status: 409, code: 'CENTRAL_NOT_CONFIGURED' });
      expect(r.body.detail).toMatch(/CENTRAL_URL is not set/);
      expect(r.headers.get('retry-after')).toBeNull();
    }
    expect(await count()).toBe(0);
    const status = await call(s.url, 'GET', '/v1/system/status', { key: s.admin.key });
    expect(status.body.central.status).toBe('not_configured');
  });
});
