import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findFreePort } from '@keyward/embedded';
import {
  cli,
  CliRun,
  descendantsOf,
  filesContain,
  getMe,
  installationOf,
  KEY_PATTERN,
  LAUNCHER,
  LauncherRun,
  redact,
  START_TIMEOUT_MS,
  waitUntilGone,
} from './support/launcher';

/**
 * `npm start` on a machine with only Node.js: the launcher starts its own Postgres and Redis,
 * bootstraps, prints the admin key once, and keeps everything on a restart; the command line
 * beside it acts on it without any configuration. Runs the build in dist/ (npm test builds
 * first). The key is never printed by this test: failures show redacted output.
 */

/** The command succeeded, named the installation it acted on (on stderr) and printed its one JSON line. */
function jsonOf(run: CliRun, dataDir: string): Record<string, unknown> {
  if (run.code !== 0) throw new Error(`the command line exited with ${run.code}:\n${redact(run.stderr)}`);
  expect(run.stderr).toContain(`acting on the Keyward that \`npm start\` runs from ${dataDir}`);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

describe('npm start (the launcher)', () => {
  /** Where a user runs `npm start`: the launcher keeps its data in `.keyward` there. */
  let home: string;
  let dataDir: string;
  let port: number;
  let env: NodeJS.ProcessEnv;
  let key: string | undefined;
  const runs: LauncherRun[] = [];

  beforeAll(async () => {
    if (!existsSync(LAUNCHER)) throw new Error(`${LAUNCHER} is missing: run \`npm run build\` first.`);
    home = await mkdtemp(path.join(tmpdir(), 'keyward-launcher-e2e-'));
    dataDir = path.join(home, '.keyward');
    await mkdir(dataDir);
    port = await findFreePort();
    env = { ...process.env, KEYWARD_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1' };
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'KEYWARD_PEPPER', 'NODE_ENV']) delete env[name];
  });

  afterAll(async () => {
    for (const run of runs) run.killAll();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('first run: starts Postgres and Redis, bootstraps, prints a working admin key once, stops everything on Ctrl-C', async () => {
    const run = new LauncherRun(env);
    runs.push(run);
    await run.waitUntilRunning();

    const keys = run.stdout.match(new RegExp(KEY_PATTERN.source, 'g')) ?? [];
    if (keys.length !== 1) throw new Error(`expected the admin key printed exactly once, found ${keys.length}:\n${run.output()}`);
    key = keys[0];
    expect(run.stdout).toContain(`http://127.0.0.1:${port}/docs`);
    expect(run.stdout).toContain(`http://127.0.0.1:${port}/console`);
    expect(run.stdout).toContain(dataDir);
    expect(run.stdout).toMatch(/worker health\/metrics: http:\/\/127\.0\.0\.1:\d+\/metrics/);

    const both: Array<Record<string, string>> = [{ 'x-api-key': key }, { authorization: `Bearer ${key}` }];
    for (const headers of both) {
      const me = await getMe(port, headers);
      expect(me.status).toBe(200);
      expect(me.body).toEqual(expect.objectContaining({ keyId: expect.any(String), companyId: expect.any(String) }));
    }
    const consolePage = await fetch(`http://127.0.0.1:${port}/console/keys`);
    expect(consolePage.status).toBe(200);
    expect(await consolePage.text()).toContain('<div id="root">');

    const children = descendantsOf(run.child.pid as number);
    const commands = children.map((c) => c.args).join('\n');
    for (const expected of ['apps/api/src/main.js', 'apps/worker/src/main.js', 'redis-server', 'postgres-host', 'bin/postgres']) {
      expect(commands).toContain(expected);
    }

    // Beside it, the command line with no configuration at all, from the folder that holds .keyward
    const installation = await installationOf(dataDir);
    expect((await stat(path.join(dataDir, 'installation.json'))).mode & 0o777).toBe(0o600);
    expect(installation).toMatchObject({ apiUrl: `http://127.0.0.1:${port}`, pids: { launcher: run.child.pid } });
    for (const name of ['api', 'worker', 'postgres', 'redis'] as const) {
      expect(children.map((c) => c.pid)).toContain(installation?.pids[name]);
    }
    const status = await cli(['api', 'status', '--json'], { cwd: home });
    expect(jsonOf(status, dataDir)).toMatchObject({ version: expect.any(String), central: { status: 'not_configured' } });
    const created = await cli(['companies', 'create', '--name', 'B', '--json'], { cwd: home });
    expect(jsonOf(created, dataDir)).toMatchObject({ created: true, companyId: expect.any(String), key: expect.stringMatching(KEY_PATTERN) });
    const recorded = installation?.env ?? {};
    const secrets = [recorded.KEYWARD_PEPPER, recorded.SECRETS_ENCRYPTION_KEY, recorded.AUDIT_SIGNING_KEY, new URL(recorded.DATABASE_URL).password];
    expect(secrets.every((secret) => typeof secret === 'string' && secret.length >= 16)).toBe(true);
    for (const said of [status.stderr, created.stderr, run.stdout, run.stderr]) {
      for (const secret of secrets) expect(said.includes(secret as string)).toBe(false);
    }
    const explicit = await cli(['api', 'status'], { cwd: home, env: { REDIS_URL: 'redis://127.0.0.1:1' } });
    expect(explicit).toMatchObject({ code: 1, stderr: expect.stringMatching(/DATABASE_URL: is required/) });

    expect(await run.interrupt()).toEqual({ code: 0, signal: null });
    const leftOver = await waitUntilGone(children.map((c) => c.pid));
    expect(leftOver.map((pid) => children.find((c) => c.pid === pid)?.args)).toEqual([]);

    // A clean stop takes the record away: the command line says nothing runs, and what to do.
    expect(await installationOf(dataDir)).toBeUndefined();
    const after = await cli(['api', 'status'], { cwd: home });
    expect(after.code).toBe(1);
    expect(after.stderr).toMatch(/no `npm start` runs here[\s\S]*Start Keyward with `npm start`/);

    // The key was shown, not kept: nothing in the data folder holds it.
    expect(await filesContain(dataDir, key)).toEqual([]);
  }, 4 * START_TIMEOUT_MS);

  it('second run on the same data: the old key still works and no new key is printed', async () => {
    if (!key) throw new Error('the first run did not yield a key');
    const run = new LauncherRun(env);
    runs.push(run);
    await run.waitUntilRunning();

    expect(KEY_PATTERN.test(run.stdout)).toBe(false);
    expect(run.stdout).toContain('Already bootstrapped');
    const me = await getMe(port, { 'x-api-key': key });
    expect(me.status).toBe(200);
    expect(me.body).toEqual(expect.objectContaining({ keyId: expect.any(String), companyId: expect.any(String) }));

    const children = descendantsOf(run.child.pid as number);
    expect(await run.interrupt()).toEqual({ code: 0, signal: null });
    expect(await waitUntilGone(children.map((c) => c.pid))).toEqual([]);
  }, 4 * START_TIMEOUT_MS);

  it('leaves no process behind when it is killed outright', async () => {
    const run = new LauncherRun(env);
    runs.push(run);
    await run.waitUntilRunning();

    const children = descendantsOf(run.child.pid as number);
    run.child.kill('SIGKILL');
    await run.exited;
    const leftOver = await waitUntilGone(children.map((c) => c.pid), 45_000);
    expect(leftOver.map((pid) => children.find((c) => c.pid === pid)?.args)).toEqual([]);

    // Its record stays behind; the command line sees that nothing runs it any more.
    expect(await installationOf(dataDir)).toMatchObject({ pids: { launcher: run.child.pid } });
    const after = await cli(['api', 'status'], { cwd: home });
    expect(after.code).toBe(1);
    expect(after.stderr).toContain(`(launcher pid ${run.child.pid}) no longer runs`);
  }, 4 * START_TIMEOUT_MS);
});
