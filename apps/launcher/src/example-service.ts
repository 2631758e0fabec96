import { Client } from 'pg';
import { runNodeApp } from './node-app';

/**
 * The `keys:verify` key of the example invoices service (`npm start -- --with-example`): made
 * once with `keyward keys create` for the first company's first enabled user who may verify keys,
 * then kept in the data directory's secrets.json (mode 0600) beside the other secrets. Its value
 * is parsed from the command's JSON and never printed.
 */
export async function createExampleServiceKey(cliEntry: string, env: NodeJS.ProcessEnv, databaseUrl: string): Promise<string> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  let owner: { id: string; company_id: string } | undefined;
  try {
    const { rows } = await client.query<{ id: string; company_id: string }>(
      `SELECT u.id, u.company_id FROM users u JOIN companies c ON c.id = u.company_id
        WHERE NOT u.disabled AND 'keys:verify' = ANY(u.permissions)
        ORDER BY c.created_at, u.created_at LIMIT 1`,
    );
    owner = rows[0];
  } finally {
    await client.end();
  }
  if (!owner) throw new Error('No user may verify keys (keys:verify), so the example service cannot get its key.');
  const stdout = await runNodeApp(
    'cli',
    cliEntry,
    ['keys', 'create', '--company', owner.company_id, '--owner', owner.id, '--name', 'example-invoices service', '--permissions', 'keys:verify', '--json'],
    env,
  );
  const line = stdout.split('\n').reverse().find((l) => l.trim().startsWith('{'));
  const key = line ? (JSON.parse(line) as { key?: unknown }).key : undefined;
  if (typeof key !== 'string') throw new Error('`keyward keys create --json` printed no key for the example service.');
  return key;
}
