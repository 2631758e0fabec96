import { INestApplicationContext } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { Command, InvalidArgumentError } from 'commander';
import {
  ActivateCentralCommand,
  CentralCheckResult,
  CentralView,
  CheckCentralCommand,
  DeactivateCentralCommand,
  GetSystemStatusQuery,
  HeartbeatResult,
  InstallationOperator,
  SendHeartbeatCommand,
  SetTelemetryCommand,
  SystemStatus,
  TelemetryView,
} from '@keyward/system';
import { operator, withApp } from './cli-app';
import { jsonOption } from './cli-options';
import { printJson, printLine, printTable } from './output';

/** The same rule as the API's ActivateCentralDto. */
function centralKey(value: string): string {
  if (value === '-') return value;
  if (value.length < 1 || value.length > 512 || !/^[\x21-\x7e]+$/.test(value)) {
    throw new InvalidArgumentError('must be 1 to 512 printable ASCII characters without spaces (or - to read it from stdin).');
  }
  return value;
}

async function readKeyFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const key = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0].trim();
  return centralKey(key === '-' ? '' : key);
}

/**
 * `keyward api …`: the installation's central link and telemetry, as the operator (the
 * database and Redis directly, through the same commands as /v1/system/*), acting for the
 * operator company (the first company, created by `keyward bootstrap`).
 */
export function registerApiCommands(program: Command): void {
  const api = program
    .command('api')
    .description("[operator] the installation's central link (CENTRAL_URL) and telemetry")
    .addHelpText(
      'after',
      '\n`api check` and `api heartbeat` print the outcome and exit 1 when the central service did not accept the request.',
    );

  api
    .command('status')
    .description('[operator] version, central link, telemetry, queue depths and projection lag')
    .addOption(jsonOption())
    .action(async (o) => {
      const status: SystemStatus = await asOperator((app, companyId) => app.get(QueryBus).execute(new GetSystemStatusQuery(companyId)));
      if (o.json) return printJson(status);
      printStatus(status);
    });

  api
    .command('activate')
    .description('[operator] validate a central API key against CENTRAL_URL and store it encrypted (needs SECRETS_ENCRYPTION_KEY)')
    .requiredOption('--key <key>', 'the central API key; - reads it from stdin (keeps it out of the shell history)', centralKey)
    .addOption(jsonOption())
    .action(async (o) => {
      const key: string = o.key === '-' ? await readKeyFromStdin() : o.key;
      const central: CentralView = await asOperator((app, companyId) =>
        app.get(CommandBus).execute(new ActivateCentralCommand(operator(companyId), key)),
      );
      if (o.json) return printJson(central);
      printLine(`activated: the central service at ${central.url} accepted the key; it is stored encrypted`);
      printCentral(central);
    });

  api
    .command('deactivate')
    .description('[operator] end the central link (telemetry keeps its switch, and pauses)')
    .addOption(jsonOption())
    .action(async (o) => {
      const central: CentralView = await asOperator((app, companyId) =>
        app.get(CommandBus).execute(new DeactivateCentralCommand(operator(companyId))),
      );
      if (o.json) return printJson(central);
      printLine('deactivated: no request goes to the central service any more');
    });

  api
    .command('check')
    .description('[operator] check the connection to the central service now (recorded as CentralChecked)')
    .addOption(jsonOption())
    .action(async (o) => {
      const result: CentralCheckResult = await asOperator((app, companyId) =>
        app.get(CommandBus).execute(new CheckCentralCommand(operator(companyId))),
      );
      if (o.json) printJson(result);
      else {
        printLine(`check: ${result.outcome} in ${result.latencyMs} ms${result.httpStatus ? ` (HTTP ${result.httpStatus})` : ''}`);
        if (result.reason) printLine(`  ${result.reason}`);
      }
      if (result.outcome !== 'ok') fail(`the central service did not accept the check (${result.outcome})`);
    });

  api
    .command('heartbeat')
    .description('[operator] send one heartbeat now (recorded as HeartbeatSent or HeartbeatFailed)')
    .addOption(jsonOption())
    .action(async (o) => {
      const result: HeartbeatResult = await asOperator((app, companyId) =>
        app.get(CommandBus).execute(SendHeartbeatCommand.now(operator(companyId))),
      );
      if (o.json) printJson(result);
      else if (result.outcome === 'sent') printLine(`heartbeat ${result.heartbeatId} sent in ${result.latencyMs} ms`);
      else if (result.outcome === 'failed') printLine(`heartbeat ${result.heartbeatId} failed (${result.failure}): ${result.reason}`);
      if (result.outcome !== 'sent') fail('the heartbeat was not accepted');
    });

  api
    .command('telemetry')
    .description('[operator] turn telemetry (a heartbeat every TELEMETRY_INTERVAL_MS) on or off; nothing else changes')
    .argument('<on|off>', 'on or off', (value: string) => {
      if (value !== 'on' && value !== 'off') throw new InvalidArgumentError('must be on or off.');
      return value;
    })
    .addOption(jsonOption())
    .action(async (value: 'on' | 'off', o) => {
      const telemetry: TelemetryView = await asOperator((app, companyId) =>
        app.get(CommandBus).execute(new SetTelemetryCommand(operator(companyId), value === 'on')),
      );
      if (o.json) return printJson(telemetry);
      printTelemetry(telemetry);
    });
}

/** Runs `fn` for the installation's operator company; fails clearly before the first bootstrap. */
function asOperator<T>(fn: (app: INestApplicationContext, companyId: string) => Promise<T>): Promise<T> {
  return withApp(async (app) => {
    const companyId = await app.get(InstallationOperator).companyId();
    if (!companyId) throw new Error('no company exists yet: run `keyward bootstrap` first');
    return fn(app, companyId);
  });
}

function fail(message: string): void {
  process.stderr.write(`keyward: ${message}\n`);
  process.exitCode = 1;
}

const at = (iso: string | null) => iso ?? 'never';

function printCentral(c: CentralView): void {
  printLine(`central     ${c.status}${c.url ? `  ${c.url}` : ''}`);
  if (c.installationId) printLine(`  installation    ${c.installationId}`);
  if (c.activatedAt) printLine(`  activated       ${c.activatedAt}`);
  printLine(`  last check      ${at(c.lastCheckAt)}${c.lastCheckOutcome ? ` (${c.lastCheckOutcome})` : ''}`);
  printLine(`  last heartbeat  ${at(c.lastHeartbeatAt)}`);
}

function printTelemetry(t: TelemetryView): void {
  const state =
    t.state === 'on' ? `on, every ${t.intervalMs / 1000} s` : t.state === 'paused' ? `paused (${t.pausedReason})` : 'off';
  printLine(`telemetry   ${state}`);
  if (t.lastFailureAt) printLine(`  last failure    ${t.lastFailureAt}: ${t.lastFailureReason}`);
}

function printStatus(s: SystemStatus): void {
  printLine(`Keyward ${s.version}`);
  printCentral(s.central);
  printTelemetry(s.telemetry);
  printLine(`projection lag  ${s.projectionLag.events} events, ${s.projectionLag.seconds} s`);
  printLine();
  printTable(
    Object.entries(s.queues).map(([queue, c]) => ({ queue, ...(c ?? { waiting: '?', active: '?', failed: '?', delayed: '?' }) })),
    ['queue', 'waiting', 'active', 'failed', 'delayed'],
  );
}
