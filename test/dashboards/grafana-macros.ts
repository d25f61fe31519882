/**
 * What Grafana does to a raw InfluxQL query before sending it, reproduced for the tests (Grafana
 * itself cannot run here):
 *
 * - dashboard variables (`$name`, `${name}`): the frontend's template service with the InfluxDB
 *   datasource's formatter: values of multi-value / include-all variables are regex-escaped and
 *   several values become `(a|b)`; others are inserted as they are;
 * - `$__interval`, `$__interval_ms`, `$interval`: the panel's interval (e.g. `1h`);
 * - `$timeFilter`: `time >= <from>ms and time <= <to>ms`, as Grafana's InfluxQL backend renders it
 *   (pkg/tsdb/influxdb/models/query.go), also in alert rules.
 *
 * A `$word` left unknown throws, so a query naming a variable its dashboard lacks fails the test.
 */

/** A variable's chosen value(s) and whether Grafana would regex-escape them. */
export interface VariableValue {
  readonly value: string | readonly string[];
  readonly regexFormatted: boolean;
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

function format(v: VariableValue): string {
  const values = typeof v.value === 'string' ? [v.value] : [...v.value];
  if (!v.regexFormatted) return values.join(',');
  const escaped = values.map(escapeRegex);
  return escaped.length === 1 ? (escaped[0] ?? '') : `(${escaped.join('|')})`;
}

const UNITS_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function intervalMs(interval: string): number {
  const m = /^(\d+)([smhd])$/.exec(interval);
  if (m === null) throw new Error(`unsupported interval ${interval}`);
  return Number(m[1]) * (UNITS_MS[m[2] ?? 's'] ?? 1000);
}

/** The query as InfluxDB receives it. */
export function interpolate(query: string, ctx: MacroContext): string {
  const builtins: Record<string, string> = {
    __interval: ctx.interval,
    __interval_ms: String(intervalMs(ctx.interval)),
    interval: ctx.interval,
    timeFilter: `time >= ${ctx.fromMs}ms and time <= ${ctx.toMs}ms`,
  };
  return query.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced?: string, bare?: string) => {
    const name = braced ?? bare ?? '';
    const variable = ctx.variables[name];
    if (variable !== undefined) return format(variable);
    const builtin = builtins[name];
    if (builtin !== undefined) return builtin;
    throw new Error(`unknown variable ${whole} in: ${query}`);
  });
}

/** Names of the `$variables` a text refers to (Grafana's macros excluded). */
export function variablesIn(text: string): string[] {
  const names = [...text.matchAll(/\$\{(\w+)\}|\$(\w+)/g)].map((m) => m[1] ?? m[2] ?? '');
  return [...new Set(names.filter((n) => !['__interval', '__interval_ms', 'interval', 'timeFilter'].includes(n)))];
}
