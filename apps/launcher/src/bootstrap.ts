import { runNodeApp } from './node-app';

export type BootstrapResult =
  | { created: true; companyId: string; userId: string; keyId: string; key: string }
  | { created: false };

/**
 * `keyward bootstrap --if-needed --json`: creates the first company, its admin and an admin key,
 * unless a company exists. Its stdout is one JSON line, holding the key on the first run:
 * it is parsed here and never echoed.
 */
export async function bootstrapIfNeeded(cliEntry: string, env: NodeJS.ProcessEnv): Promise<BootstrapResult> {
  const stdout = await runNodeApp('cli', cliEntry, ['bootstrap', '--if-needed', '--json'], env);
  const line = stdout
    .split('\n')
    .map((l) => l.trim())
    .reverse()
    .find((l) => l.startsWith('{'));
  const result = parse(line);
  if (result?.created === false) return { created: false };
  if (
    result?.created === true &&
    ['companyId', 'userId', 'keyId', 'key'].every((field) => typeof result[field] === 'string')
  ) {
    return result as BootstrapResult;
  }
  throw new Error('`keyward bootstrap --if-needed --json` printed no result the launcher understands.');
}

function parse(line: string | undefined): Record<string, unknown> | undefined {
  if (!line) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
