import { SingleBar } from 'cli-progress';

/** Terminal output of the command line: JSON for scripts, aligned tables for people. */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value) + '\n');
}

export function printLine(text = ''): void {
  process.stdout.write(text + '\n');
}

export function printTable(rows: Record<string, unknown>[], columns: string[]): void {
  if (rows.length === 0) return printLine('(none)');
  const cells = rows.map((r) => columns.map((c) => format(r[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i])).join('  ').trimEnd();
  printLine(line(columns.map((c) => c.toUpperCase())));
  for (const row of cells) printLine(line(row));
}

function format(v: unknown): string {
  if (v === null || v === undefined) return '-';
  if (Array.isArray(v)) return v.join(',') || '-';
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export interface Progress {
  /** `value` so far; `note` is shown after it (e.g. events found while bytes are the measure). */
  update(value: number, note?: string): void;
  /** Ends the line; call it before printing anything else (also on failure). */
  stop(): void;
}

const silent: Progress = { update: () => undefined, stop: () => undefined };

/**
 * A progress bar (cli-progress) on stderr for long work: a bar with percentage and time left
 * when the total is known, else a running count with its rate. Shown only when stderr is a
 * terminal and not with --json, so scripts and pipes never see it.
 */
export function progressBar(label: string, options: { enabled: boolean; total?: number; unit?: string; bytes?: boolean }): Progress {
  if (!options.enabled || !process.stderr.isTTY) return silent;
  const unit = options.unit ?? 'events';
  const known = options.total !== undefined;
  const bar = new SingleBar({
    stream: process.stderr,
    format: known
      ? `${label} [{bar}] {percentage}% | {value}/{total} ${unit}{note} | {eta_formatted} left`
      : `${label} {value} ${unit}{note} | {rate}/s | {duration_formatted}`,
    formatValue: (v, _o, type) =>
      type === 'value' || type === 'total' ? (options.bytes ? `${(v / 1048576).toFixed(1)}` : v.toLocaleString('en')) : String(v),
    barsize: 30,
    hideCursor: true,
    etaBuffer: 100,
    fps: 10,
  });
  const started = Date.now();
  bar.start(options.total ?? 0, 0, { note: '', rate: '0' });
  let total = options.total ?? 0;
  return {
    update(value, note) {
      if (known && value > total) bar.setTotal((total = value));
      const seconds = Math.max(0.001, (Date.now() - started) / 1000);
      bar.update(value, { note: note ? ` | ${note}` : '', rate: Math.round(value / seconds).toLocaleString('en') });
    },
    stop: () => bar.stop(),
  };
}
