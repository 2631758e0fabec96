import { ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Readable, Writable } from 'node:stream';

/**
 * Runs one of the built apps (`dist/apps/<name>/src/main.js`) with Node, its stderr lines
 * prefixed with `[name]`, and its stdout too unless `captureStdout` keeps it for the caller.
 *
 * Each app gets its own process group: a Ctrl-C in the terminal reaches only the launcher,
 * which then stops the apps before the servers they use.
 */
export function spawnNodeApp(
  name: string,
  entry: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  options: { captureStdout?: boolean } = {},
): ChildProcess {
  const child = spawn(process.execPath, [entry, ...args], {
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (!options.captureStdout) prefixLines(child.stdout, `[${name}] `, process.stdout);
  prefixLines(child.stderr, `[${name}] `, process.stderr);
  return child;
}

function prefixLines(input: Readable | null, prefix: string, output: Writable): void {
  if (!input) return;
  createInterface({ input, crlfDelay: Infinity }).on('line', (line) => output.write(`${prefix}${line}\n`));
}

/** Runs an app to completion; resolves with its stdout, rejects when it fails. */
export function runNodeApp(name: string, entry: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const child = spawnNodeApp(name, entry, args, env, { captureStdout: true });
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
