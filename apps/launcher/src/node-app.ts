import { createInterface } from 'node:readline';
import { Readable, Writable } from 'node:stream';
import { GuardedProcess, spawnGuarded } from '@keyward/embedded';

/**
 * Runs one of the built apps (`dist/apps/<name>/src/main.js`) with Node, its stderr lines
 * prefixed with `[name]`, and its stdout too unless `captureStdout` keeps it for the caller.
 * Guarded (see spawnGuarded): a Ctrl-C in the terminal reaches only the launcher, which stops
 * the apps before the servers they use, and an app never outlives the launcher.
 */
export function spawnNodeApp(
  name: string,
  entry: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  options: { captureStdout?: boolean } = {},
): GuardedProcess {
  const app = spawnGuarded(process.execPath, [entry, ...args], env);
  if (!options.captureStdout) prefixLines(app.guard.stdout, `[${name}] `, process.stdout);
  prefixLines(app.guard.stderr, `[${name}] `, process.stderr);
  return app;
}

function prefixLines(input: Readable | null, prefix: string, output: Writable): void {
  if (!input) return;
  createInterface({ input, crlfDelay: Infinity }).on('line', (line) => output.write(`${prefix}${line}\n`));
}

/** Runs an app to completion; resolves with its stdout, rejects when it fails. */
export function runNodeApp(name: string, entry: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const child = spawnNodeApp(name, entry, args, env, { captureStdout: true }).guard;
  const stdout: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) =>
      code === 0
        ? resolve(Buffer.concat(stdout).toString('utf8'))
        : reject(new Error(`\`${name} ${args.join(' ')}\` failed (${code ?? signal}); its messages are above, marked [${name}].`)),
    );
  });
}
