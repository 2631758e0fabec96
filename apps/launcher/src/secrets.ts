import { randomBytes } from 'node:crypto';
import { chmod, open, readFile, rename } from 'node:fs/promises';

/** Generated secrets the launcher keeps between runs, in `<data>/secrets.json` (mode 0600). */
export interface Secrets {
  /** KEYWARD_PEPPER, when not given in the environment. Losing it invalidates every key. */
  pepper?: string;
  /** Password of the embedded Postgres cluster, fixed when the cluster is created. */
  postgresPassword?: string;
  /** SECRETS_ENCRYPTION_KEY (64 hex), when not given in the environment. Losing it loses the shared secrets and the central link. */
  secretsKey?: string;
  /** AUDIT_SIGNING_KEY (base64 of a 32-byte Ed25519 seed), when not given in the environment. Signs audit checkpoints. */
  auditSigningKey?: string;
  /** The example invoices service's keys:verify key (`--with-example`), made at its first start. */
  exampleServiceKey?: string;
}

/**
 * Reads the secrets file and adds what `need` asks for and the file lacks. A value once written
 * is never replaced: keys are hashed with the pepper, and the cluster keeps its password.
 */
export async function loadSecrets(
  file: string,
  need: { pepper: boolean; postgresPassword: boolean; secretsKey: boolean; auditSigningKey?: boolean },
): Promise<{ secrets: Secrets; added: Array<keyof Secrets> }> {
  const secrets = await readSecrets(file);
  const added: Array<keyof Secrets> = [];
  if (need.pepper && !secrets.pepper) {
    secrets.pepper = randomBytes(32).toString('hex');
    added.push('pepper');
  }
  if (need.postgresPassword && !secrets.postgresPassword) {
    secrets.postgresPassword = randomBytes(24).toString('hex');
    added.push('postgresPassword');
  }
  if (need.secretsKey && !secrets.secretsKey) {
    secrets.secretsKey = randomBytes(32).toString('hex');
    added.push('secretsKey');
  }
  if (need.auditSigningKey && !secrets.auditSigningKey) {
    secrets.auditSigningKey = randomBytes(32).toString('base64');
    added.push('auditSigningKey');
  }
  if (added.length > 0) await writeSecrets(file, secrets);
  else await chmod(file, 0o600).catch(() => undefined);
  return { secrets, added };
}

async function readSecrets(file: string): Promise<Secrets> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const valid =
    typeof parsed === 'object' &&
    parsed !== null &&
    Object.values(parsed).every((value) => typeof value === 'string');
  if (!valid) {
    throw new Error(
      `${file} is not a JSON object of strings. Repair it rather than delete it: ` +
        'keys issued with its pepper stop working without it.',
    );
  }
  return parsed as Secrets;
}

/** Adds one value to the secrets file (kept 0600), leaving the others as they are. */
export async function addSecret(file: string, name: keyof Secrets, value: string): Promise<void> {
  const secrets = await readSecrets(file);
  secrets[name] = value;
  await writeSecrets(file, secrets);
}

/** Written to a temporary file, flushed, then renamed: a crash never leaves half a pepper. */
async function writeSecrets(file: string, secrets: Secrets): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  const handle = await open(temporary, 'w', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(secrets, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, file);
}
