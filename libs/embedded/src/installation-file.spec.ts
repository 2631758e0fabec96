import { ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stopChild } from './child-process';
import {
  configurationVariables,
  InstallationError,
  installationFile,
  readInstallation,
  removeInstallation,
  resolveOperatorEnvironment,
  RunningInstallation,
  writeInstallation,
} from './installation-file';

const PEPPER = 'p'.repeat(40);

describe('the installation file and the operator configuration', () => {
  let root: string;
  let dataDir: string;
  let launcher: ChildProcess;
  const servers: Server[] = [];

  beforeAll(async () => {
    // a process whose command line says "launcher", as `node dist/apps/launcher/src/main.js` does
    launcher = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'launcher'], { stdio: 'ignore' });
    await new Promise((resolve) => launcher.once('spawn', resolve));
  });
  afterAll(async () => {
    await stopChild(launcher, 'SIGKILL');
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  });
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'keyward-installation-spec-'));
    dataDir = path.join(root, '.keyward');
    await mkdir(dataDir);
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  async function listening(): Promise<number> {
    const server = createServer((socket) => socket.destroy());
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as { port: number }).port;
  }

  async function closedPort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    return port;
  }

  function record(ports: { postgres: number; redis: number }, launcherPid = launcher.pid as number): RunningInstallation {
    return {
      version: 1,
      dataDir,
      startedAt: new Date().toISOString(),
      apiUrl: 'http://127.0.0.1:3000',
      pids: { launcher: launcherPid },
      env: {
        DATABASE_URL: `postgres://postgres:secret@127.0.0.1:${ports.postgres}/keyward`,
        REDIS_URL: `redis://127.0.0.1:${ports.redis}`,
        KEYWARD_PEPPER: PEPPER,
        LOG_LEVEL: 'warn',
      },
    };
  }

  const where = () => ({ cwd: root, packageRoot: path.join(root, 'elsewhere') });

  it('is written 0600, read back, and removed only by the launcher that wrote it', async () => {
    const file = installationFile(dataDir);
    const written = record({ postgres: 1, redis: 2 });
    await writeInstallation(file, written);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readInstallation(file)).toEqual(written);
    await removeInstallation(file, 12345);
    expect(await readInstallation(file)).toEqual(written);
    await removeInstallation(file, launcher.pid as number);
    expect(await readInstallation(file)).toBeUndefined();
  });

  it('keeps only the variables the apps know', () => {
    expect(configurationVariables({ PATH: '/bin', DATABASE_URL: 'postgres://x', LOG_LEVEL: '', KEYWARD_PEPPER: PEPPER })).toEqual({
      DATABASE_URL: 'postgres://x',
      KEYWARD_PEPPER: PEPPER,
    });
  });

  it('uses the environment as it is when it names a database, Redis or pepper, even beside a running installation', async () => {
    await writeInstallation(installationFile(dataDir), record({ postgres: await listening(), redis: await listening() }));
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'KEYWARD_PEPPER']) {
      const env = { [name]: 'set' };
      expect(await resolveOperatorEnvironment(env, where())).toEqual({ env });
    }
  });

  it('uses the running installation found in .keyward of the working directory, the environment overriding the rest', async () => {
    const ports = { postgres: await listening(), redis: await listening() };
    await writeInstallation(installationFile(dataDir), record(ports));
    const { env, installation } = await resolveOperatorEnvironment({ LOG_LEVEL: 'error', DATABASE_URL: '' }, where());
    expect(installation?.file).toBe(installationFile(dataDir));
    expect(env).toEqual({
      DATABASE_URL: `postgres://postgres:secret@127.0.0.1:${ports.postgres}/keyward`,
      REDIS_URL: `redis://127.0.0.1:${ports.redis}`,
      KEYWARD_PEPPER: PEPPER,
      LOG_LEVEL: 'error',
    });
  });

  it('looks in KEYWARD_DATA_DIR when it is set', async () => {
    const other = path.join(root, 'other');
    await mkdir(other);
    await writeInstallation(installationFile(other), record({ postgres: await listening(), redis: await listening() }));
    const found = await resolveOperatorEnvironment({ KEYWARD_DATA_DIR: 'other' }, where());
    expect(found.installation?.file).toBe(installationFile(other));
  });

  it('says what to do when nothing runs: no file', async () => {
    const failure = resolveOperatorEnvironment({}, where());
    await expect(failure).rejects.toThrow(InstallationError);
    await expect(failure).rejects.toThrow(/DATABASE_URL, REDIS_URL \(or REDIS_CLUSTER_NODES\) and KEYWARD_PEPPER are not set, and no `npm start` runs here/);
    await expect(failure).rejects.toThrow(/Start Keyward with `npm start`/);
  });

  it('says what to do when the launcher that wrote the file is gone', async () => {
    const gone = spawn(process.execPath, ['-e', '0', 'launcher'], { stdio: 'ignore' });
    await new Promise((resolve) => gone.once('exit', resolve));
    await writeInstallation(installationFile(dataDir), record({ postgres: await listening(), redis: await listening() }, gone.pid));
    await expect(resolveOperatorEnvironment({}, where())).rejects.toThrow(
      new RegExp(`launcher pid ${gone.pid}\\) no longer runs[\\s\\S]*npm start`),
    );
  });

  it('says which server does not answer, without its credentials', async () => {
    await writeInstallation(installationFile(dataDir), record({ postgres: await closedPort(), redis: await listening() }));
    const failure = resolveOperatorEnvironment({}, where());
    await expect(failure).rejects.toThrow(/its Postgres does not answer \(127\.0\.0\.1:\d+: ECONNREFUSED\)/);
    await expect(failure).rejects.not.toThrow(/secret/);
  });

  it('refuses a file it cannot read rather than guessing', async () => {
    await writeFile(installationFile(dataDir), '{"version": 2}');
    await expect(resolveOperatorEnvironment({}, where())).rejects.toThrow(/not an installation file this version understands/);
  });
});
