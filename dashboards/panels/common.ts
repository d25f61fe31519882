/**
 * Panel and variable helpers shared by the Jieneng dashboards: the few Grafana panel types they
 * use, with the options each needs and nothing else.
 */
import {
  BigValueColorMode,
  BigValueGraphMode,
  BigValueJustifyMode,
  BigValueTextMode,
  type DataTransformerConfig,
  type FieldConfigSource,
  LegendDisplayMode,
  PercentChangeColorMode,
  SortOrder,
  StackingMode,
  TableCellHeight,
  TooltipDisplayMode,
  VariableHide,
  VariableRefresh,
  VariableSort,
  VisibilityMode,
  VizOrientation,
} from '@grafana/schema';
import { TextMode } from '@grafana/schema/dist/esm/raw/composable/text/panelcfg/x/TextPanelCfg_types.gen';
import { DATASOURCE, type PanelQuery, type PanelSpec, POSTGRES, type Variable } from '../grafana.js';
import { id } from '../influxql.js';

type FieldOverride = FieldConfigSource['overrides'][number];

/** Custom Grafana unit for standard coal. */
export const KGCE_UNIT = 'suffix: kgce';

interface Common {
  readonly description?: string;
  readonly w?: number;
  readonly h?: number;
  readonly unit?: string;
  readonly decimals?: number;
  readonly interval?: string;
  readonly overrides?: FieldOverride[];
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
      colorMode: BigValueColorMode.Value,
      graphMode: BigValueGraphMode.None,
      justifyMode: BigValueJustifyMode.Auto,
      textMode: BigValueTextMode.Auto,
      orientation: VizOrientation.Auto,
      showPercentChange: false,
      percentChangeColorMode: PercentChangeColorMode.Standard,
      wideLayout: true,
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
      legend: { displayMode: LegendDisplayMode.Table, placement: 'bottom', showLegend: true, calcs: ['sum'] },
      tooltip: { mode: TooltipDisplayMode.Multi, sort: SortOrder.Descending },
    },
  };
}

/**
 * A table, sorted by one column; the `Time` column of aggregates is hidden. Several queries (of
 * one or two datasources) are joined on `joinBy` and `transform` runs after that.
 */
export function table(
  title: string,
  query: PanelQuery | readonly PanelQuery[],
  o: Common & {
    readonly sortBy?: string;
    readonly ascending?: boolean;
    readonly keepTime?: boolean;
    readonly joinBy?: string;
    readonly transform?: readonly DataTransformerConfig[];
    readonly timeFrom?: string;
  } = {},
): PanelSpec {
  const join: DataTransformerConfig[] =
    o.joinBy === undefined ? [] : [{ id: 'joinByField', options: { byField: o.joinBy, mode: 'outer' } }];
  const transformations = [...join, ...(o.keepTime === true ? [] : [hideTime]), ...(o.transform ?? [])];
  return {
    type: 'table',
    title,
    w: o.w ?? 12,
    h: o.h ?? 10,
    ...base(o),
    ...(o.timeFrom === undefined ? {} : { timeFrom: o.timeFrom }),
    queries: Array.isArray(query) ? query : [query as PanelQuery],
    defaults: defaults(o),
    options: {
      showHeader: true,
      cellHeight: TableCellHeight.Sm,
      frameIndex: 0,
      ...(o.sortBy === undefined ? {} : { sortBy: [{ displayName: o.sortBy, desc: o.ascending !== true }] }),
    },
    ...(transformations.length === 0 ? {} : { transformations }),
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
      orientation: VizOrientation.Horizontal,
      showValue: VisibilityMode.Auto,
      stacking: StackingMode.None,
      barWidth: 0.8,
      groupWidth: 0.7,
      fullHighlight: false,
      xTickLabelRotation: 0,
      xTickLabelMaxLength: 0,
      legend: { displayMode: LegendDisplayMode.List, placement: 'bottom', showLegend: false, calcs: [] },
      tooltip: { mode: TooltipDisplayMode.Single, sort: SortOrder.None },
    },
    transformations: [hideTime],
  };
}

/** Markdown text. */
export function text(title: string, content: string, o: { readonly w?: number; readonly h?: number } = {}): PanelSpec {
  return { type: 'text', title, w: o.w ?? 24, h: o.h ?? 4, options: { mode: TextMode.Markdown, content } };
}

/** A row header. */
export function row(title: string): PanelSpec {
  return { type: 'row', title };
}

/** The InfluxQL table format names the time column `Time`; aggregates over the range do not need it. */
const hideTime: DataTransformerConfig = {
  id: 'organize',
  options: { excludeByName: { Time: true }, renameByName: {} },
};

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
    hide: VariableHide.dontHide,
    refresh: VariableRefresh.onDashboardLoad,
    multi: o.multi === true,
    includeAll: o.multi === true,
    ...(o.multi === true ? { allValue: '.*' } : {}),
    sort: VariableSort.alphabeticalAsc,
    options: [],
  };
}

/**
 * A query variable listing the first column of a SQL query on the PostgreSQL datasource. Grafana
 * writes a multi-value selection as `'a','b'`: use it as `col IN ($name)`.
 */
export function sqlVariable(
  name: string,
  label: string,
  query: string,
  o: { readonly multi?: boolean; readonly description?: string; readonly hiddenPerTimeRange?: boolean } = {},
): Variable {
  return {
    type: 'query',
    name,
    label,
    ...(o.description === undefined ? {} : { description: o.description }),
    datasource: POSTGRES,
    query,
    // A value of the time range (a weighted floor area) is asked again whenever the range changes.
    hide: o.hiddenPerTimeRange === true ? VariableHide.hideVariable : VariableHide.dontHide,
    refresh: o.hiddenPerTimeRange === true ? VariableRefresh.onTimeRangeChanged : VariableRefresh.onDashboardLoad,
    multi: o.multi === true,
    includeAll: o.multi === true,
    sort: VariableSort.alphabeticalAsc,
    options: [],
  };
}

/**
 * A fixed list of choices; the first is the default, or with `multi` every value ("All", which
 * Grafana expands to every value: `'a','b'` in SQL).
 */
export function customVariable(
  name: string,
  label: string,
  values: readonly string[],
  description: string,
  o: { readonly multi?: boolean } = {},
): Variable {
  const first = values[0] ?? '';
  const all = o.multi === true;
  return {
    type: 'custom',
    name,
    label,
    description,
    query: values.join(','),
    hide: VariableHide.dontHide,
    multi: all,
    includeAll: all,
    current: all ? { text: ['All'], value: ['$__all'] } : { text: first, value: first },
    options: values.map((v) => ({ text: v, value: v, selected: !all && v === first })),
  };
}
