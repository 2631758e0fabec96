import { Format, SingleBar } from 'cli-progress';

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
  /** The work stopped short (a broken chain, an error): the bar keeps where it got to, without a time left. */
  halt(note: string): void;
  /** Ends the line; call it before printing anything else (also on failure). */
  stop(): void;
}

const silent: Progress = { update: () => undefined, halt: () => undefined, stop: () => undefined };

/**
 * A progress bar (cli-progress) on stderr for long work: a bar with percentage and time left
 * when the total is known, else a running count with its rate. Shown only when stderr is a
 * terminal and not with --json, so scripts and pipes never see it.
 */
export function progressBar(label: string, options: { enabled: boolean; total?: number; unit?: string; bytes?: boolean }): Progress {
  if (!options.enabled || !process.stderr.isTTY) return silent;
  const unit = options.unit ?? 'events';
  const known = options.total !== undefined;
  const formats = known
    ? {
        running: `${label} [{bar}] {percentage}% | {value}/{total} ${unit}{note} | {eta_formatted} left`,
        halted: `${label} [{bar}] {percentage}% | {value}/{total} ${unit}{note}`,
      }
    : {
        running: `${label} {value} ${unit}{note} | {rate}/s | {duration_formatted}`,
        halted: `${label} {value} ${unit}{note}`,
      };
  const bar = new SingleBar({
    stream: process.stderr,
    format: (o, params, payload: { halted?: boolean }) =>
      Format.Formatter({ ...o, format: payload.halted ? formats.halted : formats.running }, params, payload),
    formatValue: (v, _o, type) =>
      type === 'value' || type === 'total' ? (options.bytes ? `${(v / 1048576).toFixed(1)}` : v.toLocaleString('en')) : String(v),
    barsize: 30,
    hideCursor: true,
    etaBuffer: 100,
    fps: 10,
  });
  const started = Date.now();
  bar.start(options.total ?? 0, 0, { note: '', rate: '0', halted: false });
  let total = options.total ?? 0;
  let last = 0;
  const update = (value: number, note?: string, halted = false) => {
    if (known && value > total) bar.setTotal((total = value));
    last = value;
    const seconds = Math.max(0.001, (Date.now() - started) / 1000);
    bar.update(value, { note: note ? ` | ${note}` : '', rate: Math.round(value / seconds).toLocaleString('en'), halted });
  };
  return {
    update: (value, note) => update(value, note),
    halt: (note) => update(last, note, true),
    stop: () => bar.stop(),
  };
}
