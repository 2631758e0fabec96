import { Client } from 'pg';
import { TestDatabase, createTestDatabase, testConfig } from '@keyward/testing';
import { RunningProcess, processEnv, redactKeys, runCliJson, startProcess } from './support/processes';

/**
 * Two API processes (A and B) and one worker on one database and one Redis prefix, all built
 * from dist/. Every change that takes rights away must hold on the *other* instance as soon as the
 * call that made it returns, with warm caches on both: no sleeps, no polling, one request each.
 *
 * Keys are secrets even here: assertions compare statuses and codes, and failure messages go
 * through redactKeys(); a key value never reaches the test output.
 */

interface Reply {
  status: number;
  body: any;
}

let db: TestDatabase;
let worker: RunningProcess;
let A: RunningProcess;
let B: RunningProcess;
let adminKey: string;
let sql: Client;

beforeAll(async () => {
  db = await createTestDatabase();
  const env = processEnv(testConfig({ DATABASE_URL: db.url }));
  const boot = await runCliJson<{ created: boolean; key: string }>(['bootstrap', '--json'], env);
  if (boot.created !== true || typeof boot.key !== 'string') throw new Error('bootstrap --json did not create a company');
  adminKey = boot.key;
  [worker, A, B] = await Promise.all([startProcess('worker', env), startProcess('api', env), startProcess('api', env)]);
  sql = new Client({ connectionString: db.url });
  await sql.connect();
}, 180_000);

afterAll(async () => {
  await sql?.end();
  await Promise.all([A?.stop(), B?.stop(), worker?.stop()]);
  await db?.drop();
}, 60_000);

async function send(instance: RunningProcess, method: string, path: string, key: string, body?: unknown): Promise<Reply> {
  const headers: Record<string, string> = { 'x-api-key': key };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(instance.url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed };
}

/** Fails with the request, the status and the (redacted) body, and the process logs on a 5xx. */
function expectStatus(reply: Reply, expected: number, what: string): void {
  if (reply.status === expected) return;
  const logs = reply.status >= 500 ? `\nA:\n${A.output().slice(-3000)}\nB:\n${B.output().slice(-3000)}` : '';
  throw new Error(`${what}: expected ${expected}, got ${reply.status} ${redactKeys(JSON.stringify(reply.body))}${logs}`);
}

const me = (instance: RunningProcess, key: string) => send(instance, 'GET', '/v1/me', key);

async function expectAccepted(instance: RunningProcess, key: string, what: string): Promise<void> {
  expectStatus(await me(instance, key), 200, `${what}: GET /v1/me on ${name(instance)}`);
}

async function expectRefused(instance: RunningProcess, key: string, what: string): Promise<void> {
  const reply = await me(instance, key);
  expectStatus(reply, 401, `${what}: GET /v1/me on ${name(instance)}`);
  expect(reply.body?.code).toBe('INVALID_API_KEY');
}

const name = (instance: RunningProcess) => (instance === A ? 'A' : 'B');

let seq = 0;
async function createKey(via: RunningProcess, extra: Record<string, unknown> = {}): Promise<{ id: string; key: string }> {
  seq += 1;
  const reply = await send(via, 'POST', '/v1/keys', adminKey, { name: `two-instances ${seq}`, role: 'READONLY', ...extra });
  expectStatus(reply, 201, `POST /v1/keys on ${name(via)}`);
  return { id: reply.body.id, key: reply.body.key };
}

/** Several authenticated calls on each instance, so both hold the key in their caches. */
async function warm(key: string): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await expectAccepted(A, key, 'warming');
    await expectAccepted(B, key, 'warming');
  }
}

describe('two API instances and a worker', () => {
  it('(a) a key created through A works on B as soon as the create returns', async () => {
    const created = await createKey(A);
    const reply = await me(B, created.key);
    expectStatus(reply, 200, 'GET /v1/me on B right after POST /v1/keys on A');
    expect(reply.body.keyId).toBe(created.id);
    await expectAccepted(A, created.key, 'after create');
  });

  it.each([
    ['A', 'B'],
    ['B', 'A'],
  ])('(b, c) revoke through %s: refused on %s and on the revoking instance at once', async (via) => {
    const [writer, reader] = via === 'A' ? [A, B] : [B, A];
    const created = await createKey(writer);
    await warm(created.key);

    const revoked = await send(writer, 'POST', `/v1/keys/${created.id}/revoke`, adminKey, { reason: 'two-instances' });
    expectStatus(revoked, 200, `POST /v1/keys/:id/revoke on ${via}`);
    expect(revoked.body.status).toBe('revoked');

    await expectRefused(reader, created.key, `after revoke on ${via}`);
    await expectRefused(writer, created.key, `after revoke on ${via}`);
  });

  it.each([
    ['A', 'B'],
    ['B', 'A'],
  ])('(d) delete through %s: refused on %s at once', async (via) => {
    const [writer, reader] = via === 'A' ? [A, B] : [B, A];
    const created = await createKey(writer);
    await warm(created.key);

    expectStatus(await send(writer, 'DELETE', `/v1/keys/${created.id}`, adminKey), 204, `DELETE /v1/keys/:id on ${via}`);

    await expectRefused(reader, created.key, `after delete on ${via}`);
    await expectRefused(writer, created.key, `after delete on ${via}`);
  });

  it('(e) rotate through A with no grace: the old key is refused on B at once, the new one works there', async () => {
    const created = await createKey(A);
    await warm(created.key);

    const rotated = await send(A, 'POST', `/v1/keys/${created.id}/rotate`, adminKey, { gracePeriodSeconds: 0 });
    expectStatus(rotated, 201, 'POST /v1/keys/:id/rotate on A');
    const newKey: string = rotated.body.key;
    expect(rotated.body.id).not.toBe(created.id);

    await expectRefused(B, created.key, 'old key after rotate on A');
    const reply = await me(B, newKey);
    expectStatus(reply, 200, 'new key on B after rotate on A');
    expect(reply.body.keyId).toBe(rotated.body.id);
    await expectRefused(A, created.key, 'old key after rotate on A');
    await expectAccepted(A, newKey, 'new key after rotate on A');
  });

  it("(f) disabling a key's owner through B: the key is refused on A at once", async () => {
    const user = await send(A, 'POST', '/v1/users', adminKey, { email: 'reader@two-instances.test', name: 'Reader', role: 'READONLY' });
    expectStatus(user, 201, 'POST /v1/users on A');
    const created = await createKey(A, { ownerId: user.body.id });
    await warm(created.key);

    const disabled = await send(B, 'PATCH', `/v1/users/${user.body.id}`, adminKey, { disabled: true });
    expectStatus(disabled, 200, 'PATCH /v1/users/:id {disabled:true} on B');
    expect(disabled.body.disabled).toBe(true);

    await expectRefused(A, created.key, 'after the owner was disabled on B');
    await expectRefused(B, created.key, 'after the owner was disabled on B');
  });

  /**
   * A revoke and a rename of one key, sent at the same moment to different instances. Both read the
   * key's stream version before appending, so either one of them loses the race (409
   * VERSION_CONFLICT), or they ran one after the other: revoke first makes the rename a 409
   * KEY_NOT_ACTIVE; rename first lets both succeed. Never may a rename land after the revoke.
   */
  it('(g) a concurrent revoke and rename on different instances never both apply in the wrong order', async () => {
    const outcomes: string[] = [];
    for (let i = 0; i < 5; i++) {
      const [revoker, renamer] = i % 2 === 0 ? [A, B] : [B, A];
      const created = await createKey(A);
      const newName = `renamed ${i}`;
      const [revoke, rename] = await Promise.all([
        send(revoker, 'POST', `/v1/keys/${created.id}/revoke`, adminKey, {}),
        send(renamer, 'PATCH', `/v1/keys/${created.id}`, adminKey, { name: newName }),
      ]);
      const what = `pair ${i}: revoke on ${name(revoker)} → ${revoke.status} ${revoke.body?.code ?? ''}, rename on ${name(renamer)} → ${rename.status} ${rename.body?.code ?? ''}`;
      const ok = (r: Reply) => r.status >= 200 && r.status < 300;

      const events = await sql.query<{ type: string; stream_version: number }>(
        'SELECT type, stream_version FROM events WHERE stream_id = $1 ORDER BY stream_version',
        [`key-${created.id}`],
      );
      const types = events.rows.map((e) => e.type);
      const stored = await send(A, 'GET', `/v1/keys/${created.id}`, adminKey);
      expectStatus(stored, 200, `${what}; GET /v1/keys/:id`);

      if (ok(revoke) && ok(rename)) {
        // serialised, rename first: the revoke saw the new name and the log has the rename before the revoke
        outcomes.push('both 2xx (rename, then revoke)');
        expect({ what, types }).toEqual({ what, types: ['KeyCreated', 'KeyUpdated', 'KeyRevoked'] });
        // (the rename's response may already show the revoke: it reads the key after its own change applied)
        expect({ what, revokedName: revoke.body.name }).toEqual({ what, revokedName: newName });
      } else if (ok(revoke)) {
        expect({ what, status: rename.status, code: rename.body?.code }).toEqual({
          what,
          status: 409,
          code: expect.stringMatching(/^(VERSION_CONFLICT|KEY_NOT_ACTIVE)$/),
        });
        outcomes.push(`revoke 2xx, rename 409 ${rename.body.code}`);
        expect({ what, types }).toEqual({ what, types: ['KeyCreated', 'KeyRevoked'] });
      } else if (ok(rename)) {
        expect({ what, status: revoke.status, code: revoke.body?.code }).toEqual({ what, status: 409, code: 'VERSION_CONFLICT' });
        outcomes.push('rename 2xx, revoke 409 VERSION_CONFLICT');
        expect({ what, types }).toEqual({ what, types: ['KeyCreated', 'KeyUpdated'] });
      } else {
        throw new Error(`neither succeeded: ${redactKeys(what)}`);
      }
      expect({ what, status: stored.body.status, name: stored.body.name }).toEqual({
        what,
        status: ok(revoke) ? 'revoked' : 'active',
        name: ok(rename) ? newName : `two-instances ${seq}`,
      });
    }
    if (process.env.KEYWARD_E2E_REPORT) console.info(`(g) outcomes:\n  ${outcomes.join('\n  ')}`);
  });
});
