import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findFreePort } from '@keyward/embedded';

/**
 * `npm start` on a machine with only Node.js: the launcher starts its own Postgres and Redis,
 * bootstraps, prints the admin key once, and keeps everything on a restart. Runs the build in
 * dist/ (npm test builds first). The key is never printed by this test: failures show redacted output.
 */

const ROOT = path.resolve(__dirname, '..');
const LAUNCHER = path.join(ROOT, 'dist/apps/launcher/src/main.js');
const KEY_PATTERN = /\bkw_[0-9A-Za-z]{49}\b/;
const START_TIMEOUT_MS = 120_000;

const redact = (text: string) => text.replace(new RegExp(KEY_PATTERN.source, 'g'), 'kw_<redacted>');

class LauncherRun {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, [LAUNCHER], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.on('data', (chunk: Buffer) => (this.stdout += chunk.toString('utf8')));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** What it printed, keys redacted, for failure messages. */
  output(): string {
    const tail = (text: string) => redact(text).split('\n').slice(-60).join('\n');
    return `--- stdout ---\n${tail(this.stdout)}\n--- stderr ---\n${tail(this.stderr)}`;
  }

  async waitUntilRunning(): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!this.stdout.includes('Press Ctrl-C to stop.')) {
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`the launcher exited (${this.child.exitCode ?? this.child.signalCode}) before it was running:\n${this.output()}`);
      }
      if (Date.now() > deadline) throw new Error(`the launcher was not running after ${START_TIMEOUT_MS} ms:\n${this.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** SIGINT, as Ctrl-C; resolves with how it exited. */
  async interrupt(timeoutMs = 60_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.child.kill('SIGINT');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the launcher did not exit within ${timeoutMs} ms of SIGINT:\n${this.output()}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

interface ProcessInfo {
  pid: number;
  ppid: number;
  args: string;
}

function processTable(): ProcessInfo[] {
  return execFileSync('ps', ['-A', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map(([, pid, ppid, args]) => ({ pid: Number(pid), ppid: Number(ppid), args }));
}

function descendantsOf(pid: number): ProcessInfo[] {
  const table = processTable();
  const found: ProcessInfo[] = [];
  for (let queue = [pid]; queue.length > 0; ) {
    const parent = queue.shift();
    for (const row of table.filter((r) => r.ppid === parent)) {
      found.push(row);
      queue.push(row.pid);
    }
  }
  return found;
}

/** Alive and not a zombie. */
function isRunning(pid: number): boolean {
  try {
    return !execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).trim().startsWith('Z');
  } catch {
    return false; // ps exits non-zero when there is no such process
  }
}

async function waitUntilGone(pids: number[], timeoutMs = 15_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let running = pids.filter(isRunning);
  while (running.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    running = running.filter(isRunning);
  }
  return running;
}

async function getMe(port: number, headers: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`http://127.0.0.1:${port}/v1/me`, { headers });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function filesContain(dir: string, needle: string): Promise<string[]> {
  const hits: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    if ((await readFile(file)).includes(needle)) hits.push(path.relative(dir, file));
  }
  return hits;
}

describe('npm start (the launcher)', () => {
  let dataDir: string;
  let port: number;
  let env: NodeJS.ProcessEnv;
  let key: string | undefined;
  const runs: LauncherRun[] = [];

  beforeAll(async () => {
    if (!existsSync(LAUNCHER)) throw new Error(`${LAUNCHER} is missing: run \`npm run build\` first.`);
    dataDir = await mkdtemp(path.join(tmpdir(), 'keyward-launcher-e2e-'));
    port = await findFreePort();
    env = { ...process.env, KEYWARD_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1' };
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'KEYWARD_PEPPER', 'NODE_ENV']) delete env[name];
  });

  afterAll(async () => {
    for (const run of runs) {
      if (run.child.exitCode === null && run.child.signalCode === null) {
        for (const { pid } of descendantsOf(run.child.pid as number)) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
        run.child.kill('SIGKILL');
      }
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
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

    expect(await run.interrupt()).toEqual({ code: 0, signal: null });
    const leftOver = await waitUntilGone(children.map((c) => c.pid));
    expect(leftOver.map((pid) => children.find((c) => c.pid === pid)?.args)).toEqual([]);

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
  }, 4 * START_TIMEOUT_MS);
});
