import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/**
 * The monitoring shipped under docker/: Prometheus alert rules and the Grafana dashboard, parsed
 * (YAML and JSON), with the PromQL expressions they hold and the metric names those name.
 */

const DOCKER = path.join(__dirname, '../../docker');
export const ALERT_RULES_FILE = 'prometheus/keyward-alerts.yml';
export const DASHBOARD_FILE = 'grafana/dashboards/keyward.json';

export function readDockerYaml<T = any>(file: string): T {
  return parse(readFileSync(path.join(DOCKER, file), 'utf8'), { merge: true }) as T;
}

export function readDockerJson<T = any>(file: string): T {
  return JSON.parse(readFileSync(path.join(DOCKER, file), 'utf8')) as T;
}

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface DashboardPanel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: { refId: string; expr: string; datasource?: { type: string; uid: string } }[];
  panels?: DashboardPanel[];
  links?: { url: string }[];
}

export function alertRules(): AlertRule[] {
  const file = readDockerYaml<{ groups: { name: string; rules: AlertRule[] }[] }>(ALERT_RULES_FILE);
  return file.groups.flatMap((g) => g.rules);
}

/** Every panel of the dashboard, those inside collapsed rows included. */
export function dashboardPanels(): DashboardPanel[] {
  const walk = (panels: DashboardPanel[] = []): DashboardPanel[] => panels.flatMap((p) => [p, ...walk(p.panels)]);
  return walk(readDockerJson<{ panels: DashboardPanel[] }>(DASHBOARD_FILE).panels);
}

/** Each PromQL expression of the rules and the dashboard (its panels' queries and its query variables). */
export function shippedExpressions(): { where: string; expr: string }[] {
  const dashboard = readDockerJson<{ templating?: { list: { name: string; type: string; query?: string | { query: string } }[] } }>(DASHBOARD_FILE);
  const variables = (dashboard.templating?.list ?? [])
    .filter((v) => v.type === 'query')
    .map((v) => ({ where: `${DASHBOARD_FILE} variable ${v.name}`, expr: typeof v.query === 'string' ? v.query : (v.query?.query ?? '') }));
  return [
    ...alertRules().map((r) => ({ where: `${ALERT_RULES_FILE} ${r.alert}`, expr: r.expr })),
    ...dashboardPanels().flatMap((p) => (p.targets ?? []).map((t) => ({ where: `${DASHBOARD_FILE} panel "${p.title}" ${t.refId}`, expr: t.expr }))),
    ...variables,
  ];
}

/** PromQL words that are not metric names: keywords, and set and grouping operators. */
const PROMQL_WORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'bool', 'and', 'or', 'unless', 'atan2', 'inf', 'nan']);

/**
 * The metric names a PromQL expression selects: a bare identifier that is not a function call,
 * a keyword or a label, plus `{__name__="…"}` selectors. Strings, label matchers, ranges, grouping
 * label lists, numbers and durations are set aside first. `label_values(metric, label)` (Grafana)
 * names its metric the same way.
 */
export function metricNames(expr: string): string[] {
  const names = new Set<string>();
  for (const m of expr.matchAll(/__name__\s*=\s*"([^"]+)"/g)) names.add(m[1]);
  const bare = expr
    .replace(/#[^\n]*/g, ' ')
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\blabel_values\s*\(\s*([A-Za-z_:][\w:]*)\s*,[^)]*\)/g, ' $1 ');
  for (const m of bare.matchAll(/\d[\w.]*|\$\w+|([A-Za-z_:][\w:]*)(\s*\()?/g)) {
    const [, word, call] = m;
    if (word === undefined || call !== undefined || PROMQL_WORDS.has(word.toLowerCase())) continue;
    names.add(word);
  }
  return [...names].sort();
}

/**
 * The sample names a Prometheus text exposition declares (`# TYPE` lines): a histogram's
 * `_bucket`, `_sum` and `_count`, a summary's `_sum` and `_count`, every other metric's own name.
 * Declared is enough: a labelled counter nothing has counted yet has no sample but is exported.
 */
export function exportedNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const suffixes = type === 'histogram' ? ['_bucket', '_sum', '_count'] : type === 'summary' ? ['', '_sum', '_count'] : [''];
    for (const s of suffixes) names.add(`${name}${s}`);
  }
  return names;
}
