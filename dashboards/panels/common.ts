/**
 * Panel and variable helpers shared by the Jieneng dashboards: the few Grafana panel types they
 * use, with the options each needs and nothing else.
 */
import { DATASOURCE, type FieldOverride, type PanelQuery, type PanelSpec, type Variable } from '../grafana.js';
import { id } from '../influxql.js';

/** Custom Grafana unit for standard coal. */
export const KGCE_UNIT = 'suffix: kgce';

interface Common {
  readonly description?: string;
  readonly w?: number;
  readonly h?: number;
  readonly unit?: string;
  readonly decimals?: number;
  readonly interval?: string;
  readonly overrides?: readonly FieldOverride[];
}

const defaults = (o: Common, extra: Readonly<Record<string, unknown>> = {}) => ({
  ...(o.unit === undefined ? {} : { unit: o.unit }),
  ...(o.decimals === undefined ? {} : { decimals: o.decimals }),
  ...extra,
});

const base = (o: Common) => ({
  ...(o.description === undefined ? {} : { description: o.description }),
  ...(o.interval === undefined ? {} : { interval: o.interval }),
  ...(o.overrides === undefined ? {} : { overrides: o.overrides }),
});

/**
 * One number: the query's values reduced by `calc` (sum over buckets, last value, …). Counts set
 * `noValue: '0'`: an InfluxQL count over nothing returns no row rather than 0.
 */
export function stat(
  title: string,
  query: PanelQuery,
  o: Common & { readonly calc?: string; readonly noValue?: string } = {},
): PanelSpec {
  return {
    type: 'stat',
    title,
    w: o.w ?? 6,
    h: o.h ?? 4,
    ...base(o),
    queries: [query],
    defaults: defaults(o, o.noValue === undefined ? {} : { noValue: o.noValue }),
    options: {
      reduceOptions: { calcs: [o.calc ?? 'sum'], fields: '', values: false },
      colorMode: 'value',
      graphMode: 'none',
      justifyMode: 'auto',
      textMode: 'auto',
      orientation: 'auto',
    },
  };
}

/** A time series panel; `bars` draws buckets as bars, `stacked` stacks series. */
export function timeseries(
  title: string,
  queries: readonly PanelQuery[],
  o: Common & { readonly bars?: boolean; readonly stacked?: boolean; readonly thresholdLine?: number } = {},
): PanelSpec {
  const thresholds =
    o.thresholdLine === undefined
      ? {}
      : {
          thresholds: {
            mode: 'absolute',
            steps: [
              { color: 'red', value: null },
              { color: 'green', value: o.thresholdLine },
            ],
          },
        };
  return {
    type: 'timeseries',
    title,
    w: o.w ?? 12,
    h: o.h ?? 8,
    ...base(o),
    queries,
    defaults: defaults(o, {
      ...thresholds,
      custom: {
        drawStyle: o.bars === true ? 'bars' : 'line',
        fillOpacity: o.bars === true || o.stacked === true ? 70 : 10,
        lineWidth: 1,
        showPoints: 'never',
        spanNulls: false,
        stacking: { mode: o.stacked === true ? 'normal' : 'none', group: 'A' },
        ...(o.thresholdLine === undefined ? {} : { thresholdsStyle: { mode: 'dashed' } }),
      },
    }),
    options: {
      legend: { displayMode: 'table', placement: 'bottom', showLegend: true, calcs: ['sum'] },
      tooltip: { mode: 'multi', sort: 'desc' },
    },
  };
}

/** A table, sorted by one column; the `Time` column of aggregates is hidden. */
export function table(
  title: string,
  query: PanelQuery,
  o: Common & { readonly sortBy?: string; readonly ascending?: boolean; readonly keepTime?: boolean } = {},
): PanelSpec {
  return {
    type: 'table',
    title,
    w: o.w ?? 12,
    h: o.h ?? 10,
    ...base(o),
    queries: [query],
    defaults: defaults(o),
    options: {
      showHeader: true,
      cellHeight: 'sm',
      footer: { show: false, reducer: ['sum'], countRows: false, fields: '' },
      ...(o.sortBy === undefined ? {} : { sortBy: [{ displayName: o.sortBy, desc: o.ascending !== true }] }),
    },
    ...(o.keepTime === true ? {} : { transformations: [hideTime] }),
  };
}

/** Bars per category (a tag of a table-format query). */
export function barchart(title: string, query: PanelQuery, xField: string, o: Common = {}): PanelSpec {
  return {
    type: 'barchart',
    title,
    w: o.w ?? 12,
    h: o.h ?? 8,
    ...base(o),
    queries: [query],
    defaults: defaults(o),
    options: {
      xField,
      orientation: 'horizontal',
      showValue: 'auto',
      stacking: 'none',
      barWidth: 0.8,
      groupWidth: 0.7,
      xTickLabelRotation: 0,
      legend: { displayMode: 'list', placement: 'bottom', showLegend: false, calcs: [] },
      tooltip: { mode: 'single', sort: 'none' },
    },
    transformations: [hideTime],
  };
}

/** Markdown text. */
export function text(title: string, content: string, o: { readonly w?: number; readonly h?: number } = {}): PanelSpec {
  return { type: 'text', title, w: o.w ?? 24, h: o.h ?? 4, options: { mode: 'markdown', content } };
}

/** A row header. */
export function row(title: string): PanelSpec {
  return { type: 'row', title, w: 24, h: 1 };
}

/** The InfluxQL table format names the time column `Time`; aggregates over the range do not need it. */
const hideTime = { id: 'organize', options: { excludeByName: { Time: true }, renameByName: {} } };

/** Shows a column as a local date-time (epoch milliseconds). */
export function asDateTime(column: string): FieldOverride {
  return { matcher: { id: 'byName', options: column }, properties: [{ id: 'unit', value: 'dateTimeAsLocal' }] };
}

/** A query variable listing a tag's values in a measurement. */
export function tagVariable(
  name: string,
  label: string,
  measurement: string,
  tag: string,
  o: { readonly where?: string; readonly multi?: boolean; readonly description?: string } = {},
): Variable {
  const query = `SHOW TAG VALUES FROM ${id(measurement)} WITH KEY = ${id(tag)}${o.where === undefined ? '' : ` WHERE ${o.where}`}`;
  return {
    type: 'query',
    name,
    label,
    ...(o.description === undefined ? {} : { description: o.description }),
    datasource: DATASOURCE,
    query,
    definition: query,
    hide: 0,
    refresh: 1,
    multi: o.multi === true,
    includeAll: o.multi === true,
    ...(o.multi === true ? { allValue: '.*' } : {}),
    sort: 1,
    current: {},
    options: [],
  };
}

/** A fixed list of choices; the first is the default. */
export function customVariable(name: string, label: string, values: readonly string[], description: string): Variable {
  const first = values[0] ?? '';
  return {
    type: 'custom',
    name,
    label,
    description,
    query: values.join(','),
    hide: 0,
    multi: false,
    includeAll: false,
    current: { text: first, value: first },
    options: values.map((v) => ({ text: v, value: v, selected: v === first })),
  };
}

/** A hidden constant, set in the dashboard settings (Variables). */
export function constantVariable(name: string, value: string, description: string): Variable {
  return {
    type: 'constant',
    name,
    description,
    query: value,
    hide: 2,
    current: { text: value, value },
    options: [{ text: value, value, selected: true }],
  };
}
