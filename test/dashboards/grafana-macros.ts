/**
 * What Grafana does to a raw query before sending it, reproduced for the tests (Grafana itself
 * cannot run here).
 *
 * InfluxQL (the InfluxDB datasource):
 * - dashboard variables (`$name`, `${name}`): values of multi-value / include-all variables are
 *   regex-escaped and several values become `(a|b)`; others are inserted as they are;
 * - `$__interval`, `$__interval_ms`, `$interval`: the panel's interval (e.g. `1h`);
 * - `$timeFilter`: `time >= <from>ms and time <= <to>ms`, as Grafana's InfluxQL backend renders it
 *   (pkg/tsdb/influxdb/models/query.go), also in alert rules.
 *
 * SQL (the PostgreSQL datasource, pkg/tsdb/grafana-postgresql-datasource/macros.go and the
 * frontend's `interpolateVariable`):
 * - variables: a multi-value / include-all variable becomes `'a','b'` (quotes doubled inside);
 *   a single-value one is inserted as it is, with its quotes doubled;
 * - `$__timeFilter(col)`: `col BETWEEN '<from>' AND '<to>'`; `$__timeFrom()`, `$__timeTo()`: the
 *   quoted RFC 3339 instants (UTC).
 *
 * A `$word` or `$__macro(…)` left unknown throws, so a query naming a variable its dashboard lacks
 * fails the test.
 */

/** A variable's chosen value(s) and whether it is multi-value / include-all. */
export interface VariableValue {
  readonly value: string | readonly string[];
  readonly multi: boolean;
}

export interface MacroContext {
  readonly fromMs: number;
  readonly toMs: number;
  /** `$__interval` as Grafana writes it: `15m`, `1h`, `1d`. */
  readonly interval: string;
  readonly variables: Readonly<Record<string, VariableValue>>;
}

// Grafana's escapeRegex (packages/grafana-data, text utilities).
const escapeRegex = (value: string) => value.replace(/[\\^$*+?.()|[\]{}/]/g, '\\$&');
const valuesOf = (v: VariableValue) => (typeof v.value === 'string' ? [v.value] : [...v.value]);

function formatInflux(v: VariableValue): string {
  const values = valuesOf(v);
  if (!v.multi) return values.join(',');
  const escaped = values.map(escapeRegex);
  return escaped.length === 1 ? (escaped[0] ?? '') : `(${escaped.join('|')})`;
}

const quoteLiteral = (value: string) => `'${value.replaceAll("'", "''")}'`;

function formatSql(v: VariableValue): string {
  const values = valuesOf(v);
  if (v.multi) return values.map(quoteLiteral).join(',');
  return values.join(',').replaceAll("'", "''");
}

const UNITS_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function intervalMs(interval: string): number {
  const m = /^(\d+)([smhd])$/.exec(interval);
  if (m === null) throw new Error(`unsupported interval ${interval}`);
  return Number(m[1]) * (UNITS_MS[m[2] ?? 's'] ?? 1000);
}

function substitute(
  query: string,
  ctx: MacroContext,
  format: (v: VariableValue) => string,
  builtins: Readonly<Record<string, string>>,
): string {
  return query.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced?: string, bare?: string) => {
    const name = braced ?? bare ?? '';
    const variable = ctx.variables[name];
    if (variable !== undefined) return format(variable);
    const builtin = builtins[name];
    if (builtin !== undefined) return builtin;
    throw new Error(`unknown variable ${whole} in: ${query}`);
  });
}

/** The InfluxQL query as InfluxDB receives it. */
export function interpolate(query: string, ctx: MacroContext): string {
  return substitute(query, ctx, formatInflux, {
    __interval: ctx.interval,
    __interval_ms: String(intervalMs(ctx.interval)),
    interval: ctx.interval,
    timeFilter: `time >= ${ctx.fromMs}ms and time <= ${ctx.toMs}ms`,
  });
}

/** The SQL query as PostgreSQL receives it. */
export function interpolateSql(query: string, ctx: MacroContext): string {
  const at = (ms: number) => `'${new Date(ms).toISOString()}'`;
  // Macros first (the backend expands them after the frontend's variables, which never produce `$__`).
  const expanded = query.replace(/\$__(\w+)\(([^)]*)\)/g, (whole, name: string, arg: string) => {
    if (name === 'timeFilter') return `${arg.trim()} BETWEEN ${at(ctx.fromMs)} AND ${at(ctx.toMs)}`;
    if (name === 'timeFrom') return at(ctx.fromMs);
    if (name === 'timeTo') return at(ctx.toMs);
    throw new Error(`unsupported macro ${whole} in: ${query}`);
  });
  return substitute(expanded, ctx, formatSql, {
    __interval: ctx.interval,
    __interval_ms: String(intervalMs(ctx.interval)),
  });
}

const MACROS = ['__interval', '__interval_ms', 'interval', 'timeFilter', '__timeFilter', '__timeFrom', '__timeTo'];

/** Names of the `$variables` a text refers to (Grafana's macros excluded). */
export function variablesIn(text: string): string[] {
  const names = [...text.matchAll(/\$\{(\w+)\}|\$(\w+)/g)].map((m) => m[1] ?? m[2] ?? '');
  return [...new Set(names.filter((n) => !MACROS.includes(n)))];
}
