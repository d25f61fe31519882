/**
 * Small typed builders of the InfluxQL the panels and alert rules run. Each returns the query text
 * with the columns and the series tags its result has, so that the test can run every query
 * against a real InfluxDB and check the result has what the panel uses.
 *
 * Grafana fills in `$timeFilter` and `$__interval` (macros of its InfluxQL datasource) and the
 * dashboard's `$variables` before the query is sent.
 */
import { HOURLY, KGCE_PER_UNIT, ZONE } from './schema.js';

/** What one query returns. */
export interface QuerySpec {
  readonly lang: 'influxql';
  readonly text: string;
  /** Value columns besides `time`, in order. */
  readonly columns: readonly string[];
  /** Tags the series are grouped by (the table format shows them as columns). */
  readonly tags: readonly string[];
}

/** A selected column: its name in the result and the expression (default: the field of that name). */
export interface Column {
  readonly as: string;
  readonly expr?: string;
}

/** Options of `select`. */
export interface SelectOptions {
  readonly columns: readonly Column[];
  /** A measurement name, or subqueries (their union) as built by `select`. */
  readonly from: string | readonly QuerySpec[];
  /** Conditions joined with AND; `$timeFilter` is always added. */
  readonly where?: readonly string[];
  /** Width of time buckets: `$__interval`, `1h`, `1d`; none = one row per series. */
  readonly every?: string;
  readonly groupBy?: readonly string[];
  readonly fill?: 'none' | 'null' | '0' | 'previous';
  readonly newestFirst?: boolean;
  readonly limit?: number;
}

/** Double-quotes an identifier. */
export const id = (name: string): string => `"${name.replaceAll('"', '\\"')}"`;

/** `"tag" =~ /^$variable$/`: the Grafana idiom that works for single, multi-value and "All". */
export const tagMatches = (tag: string, variable: string): string => `${id(tag)} =~ /^$${variable}$/`;

/** `"tag" = 'value'` for a fixed value. */
export const tagIs = (tag: string, value: string): string => `${id(tag)} = '${value.replaceAll("'", "\\'")}'`;

/**
 * Meters without a parent: a sub-meter's consumption is inside its parent's, so totals count these
 * only (issue "The meter model"; the tag is absent on them).
 */
export const ROOTS = tagIs(HOURLY.tags.parent, '');

/** A SELECT statement; calendar buckets are cut in the tenant time zone (bound by `build.ts`). */
export function select(o: SelectOptions): QuerySpec {
  const columns = o.columns.map((c) => (c.expr === undefined ? id(c.as) : `${c.expr} AS ${id(c.as)}`)).join(', ');
  const from = typeof o.from === 'string' ? id(o.from) : o.from.map((s) => `(${s.text})`).join(', ');
  const where = [...(o.where ?? []), '$timeFilter'].join(' AND ');
  const groups = [...(o.every === undefined ? [] : [`time(${o.every})`]), ...(o.groupBy ?? []).map(id)];
  const parts = [`SELECT ${columns} FROM ${from} WHERE ${where}`];
  if (groups.length > 0) parts.push(`GROUP BY ${groups.join(', ')}`);
  if (o.fill !== undefined) parts.push(`fill(${o.fill})`);
  if (o.newestFirst === true) parts.push('ORDER BY time DESC');
  if (o.limit !== undefined) parts.push(`LIMIT ${o.limit}`);
  if (o.every !== undefined) parts.push(`tz('${ZONE}')`);
  return { lang: 'influxql', text: parts.join(' '), columns: o.columns.map((c) => c.as), tags: o.groupBy ?? [] };
}

/**
 * The union of subqueries that each fill every column: InfluxDB (1.6 at least) drops series when
 * an outer aggregate reads a column that only some of the unioned subqueries select, so every
 * subquery selects all columns, with `… * 0` for the ones it does not count.
 */
export function unionEvery(
  columns: readonly string[],
  sources: readonly { readonly own: string; readonly expr: string; readonly where: readonly string[] }[],
  shape: Pick<SelectOptions, 'every' | 'groupBy'>,
  measurement: string,
): QuerySpec[] {
  return sources.map((s) =>
    select({
      columns: columns.map((c) => ({ as: c, expr: c === s.own ? s.expr : `${s.expr} * 0` })),
      from: measurement,
      where: s.where,
      ...shape,
    }),
  );
}

/** Options of `kgce`. */
export interface KgceOptions {
  readonly where: readonly string[];
  readonly every?: string;
  readonly groupBy?: readonly string[];
  /** Outer expression over the summed `kgce` column (default `sum("kgce")`). */
  readonly outer?: string;
  readonly as?: string;
}

/**
 * Standard coal (kgce) of `hourly`: one subquery per energy that counts as energy (water does
 * not), `sum(amount) × coefficient`, summed by the outer query. The subqueries bucket time as the
 * outer query does, so the outer sum adds like with like.
 */
export function kgce(o: KgceOptions): QuerySpec {
  const sources = Object.entries(KGCE_PER_UNIT).map(([energy, kgcePerUnit]) =>
    select({
      columns: [{ as: 'kgce', expr: `sum(${id(HOURLY.fields.amount)}) * ${kgcePerUnit}` }],
      from: HOURLY.measurement,
      where: [tagIs(HOURLY.tags.energy, energy), ROOTS, ...o.where],
      ...(o.every === undefined ? {} : { every: o.every }),
      groupBy: o.groupBy ?? [],
    }),
  );
  return select({
    columns: [{ as: o.as ?? 'kgce', expr: o.outer ?? 'sum("kgce")' }],
    from: sources,
    ...(o.every === undefined ? {} : { every: o.every, fill: 'none' as const }),
    groupBy: o.groupBy ?? [],
  });
}

/**
 * Meters of a sub-item whose parent (if any) has none: by sub-item, each kWh is counted once, under
 * the highest code above it (a chiller under an HVAC meter counts in the HVAC meter's code). The
 * rest of a total (main meters beyond their coded sub-meters) is unmetered; the platform's
 * `subItem=unmetered` answers it, InfluxQL cannot subtract one series from another.
 */
export const TOP_CODED = [`${id(HOURLY.tags.subItem)} != ''`, tagIs(HOURLY.tags.parentSubItem, '')];

/**
 * `sum(amount)` of `hourly` in the native unit, for conditions that fix one energy: of meters
 * without a parent, or by sub-item of the highest coded meters (TOP_CODED).
 */
export function consumption(o: Omit<SelectOptions, 'columns' | 'from'> & { readonly as?: string }): QuerySpec {
  const bySubItem = (o.groupBy ?? []).includes(HOURLY.tags.subItem);
  return select({
    ...o,
    where: [...(bySubItem ? TOP_CODED : [ROOTS]), ...(o.where ?? [])],
    columns: [{ as: o.as ?? 'amount', expr: `sum(${id(HOURLY.fields.amount)})` }],
    from: HOURLY.measurement,
  });
}
