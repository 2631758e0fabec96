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

/** A one-line progress counter on a terminal; silent when output is piped or --json. */
export function progress(label: string, enabled: boolean): (n: number) => void {
  if (!enabled || !process.stderr.isTTY) return () => undefined;
  return (n) => process.stderr.write(`\r${label}: ${n.toLocaleString('en')}`);
}
