/**
 * Grafana dashboard JSON (schemaVersion 39) typed by `@grafana/schema`: the dashboard, panel,
 * variable and datasource shapes, and each panel type's own options (a stat's `reduceOptions`, a
 * table's `sortBy`, …), so that a malformed panel fails `tsc`. Builders lay panels out on the
 * 24-column grid, number them and give each query its datasource (InfluxDB, PostgreSQL, or
 * Grafana's "-- Mixed --" when a panel reads both).
 */
import {
  DashboardCursorSync,
  type DataSourceRef,
  type DataTransformerConfig,
  type FieldConfig,
  type FieldConfigSource,
  type GridPos,
  type Dashboard as SchemaDashboard,
  type Panel as SchemaPanel,
  type VariableModel,
} from '@grafana/schema';
import type { Options as BarChartOptions } from '@grafana/schema/dist/esm/raw/composable/barchart/panelcfg/x/BarChartPanelCfg_types.gen';
import type { Options as StatOptions } from '@grafana/schema/dist/esm/raw/composable/stat/panelcfg/x/StatPanelCfg_types.gen';
import type { Options as TableOptions } from '@grafana/schema/dist/esm/raw/composable/table/panelcfg/x/TablePanelCfg_types.gen';
import type { Options as TextOptions } from '@grafana/schema/dist/esm/raw/composable/text/panelcfg/x/TextPanelCfg_types.gen';
import type { Options as TimeSeriesOptions } from '@grafana/schema/dist/esm/raw/composable/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen';
import type { QuerySpec } from './influxql.js';
import { DATASOURCE_UID, POSTGRES_UID, ZONE } from './schema.js';
import type { SqlSpec } from './sql.js';

export type { BarChartOptions, StatOptions, TableOptions, TextOptions, TimeSeriesOptions, VariableModel };

export const SCHEMA_VERSION = 39;
const GRID_COLUMNS = 24;

/** The InfluxDB datasource (InfluxQL). */
export const DATASOURCE = { type: 'influxdb', uid: DATASOURCE_UID } as const satisfies DataSourceRef;
/** The PostgreSQL datasource (Grafana's built-in plugin, id `grafana-postgresql-datasource` since Grafana 10.2). */
export const POSTGRES = { type: 'grafana-postgresql-datasource', uid: POSTGRES_UID } as const satisfies DataSourceRef;
/** Grafana's mixed datasource: each query of the panel names its own. */
export const MIXED = { type: 'datasource', uid: '-- Mixed --' } as const satisfies DataSourceRef;

export type ResultFormat = 'time_series' | 'table';

/** A raw InfluxQL query of a panel. */
export interface InfluxTarget {
  readonly refId: string;
  readonly datasource: typeof DATASOURCE;
  readonly query: string;
  readonly rawQuery: true;
  readonly resultFormat: ResultFormat;
  /** Series name pattern, e.g. `$tag_district`. */
  readonly alias?: string;
}

/** A raw SQL query of a panel (the PostgreSQL datasource's code editor). */
export interface SqlTarget {
  readonly refId: string;
  readonly datasource: typeof POSTGRES;
  readonly rawSql: string;
  readonly rawQuery: true;
  readonly editorMode: 'code';
  readonly format: ResultFormat;
}

export type Target = InfluxTarget | SqlTarget;

/** A panel type and its options, as `@grafana/schema` defines them. */
export type Viz =
  | { readonly type: 'stat'; readonly options: StatOptions }
  | { readonly type: 'timeseries'; readonly options: TimeSeriesOptions }
  | { readonly type: 'table'; readonly options: TableOptions }
  | { readonly type: 'barchart'; readonly options: BarChartOptions }
  | { readonly type: 'text'; readonly options: TextOptions };

/** A placed panel: the schema's panel with a known type, its options and our targets. */
export type Panel = Omit<SchemaPanel, 'type' | 'options' | 'targets' | 'id' | 'gridPos' | 'title'> & {
  readonly id: number;
  readonly title: string;
  readonly gridPos: GridPos;
  readonly targets?: readonly Target[];
} & Viz;

/** A row header (not collapsed: its panels follow it on the grid). */
export interface RowPanel {
  readonly id: number;
  readonly type: 'row';
  readonly title: string;
  readonly gridPos: GridPos;
  readonly collapsed: false;
  readonly panels: readonly [];
}

export type Variable = VariableModel;

/** A provisioned dashboard: the schema's dashboard with what every Jieneng dashboard sets. */
export type Dashboard = Omit<SchemaDashboard, 'panels' | 'templating' | 'uid' | 'title' | 'timezone'> & {
  readonly uid: string;
  readonly title: string;
  readonly timezone: string;
  readonly templating: { readonly list: readonly Variable[] };
  readonly panels: readonly (Panel | RowPanel)[];
};

/** A panel's query before refIds are given: the spec and how Grafana should shape the result. */
export interface PanelQuery {
  readonly spec: QuerySpec | SqlSpec;
  readonly format: ResultFormat;
  readonly alias?: string;
}

/** A panel before layout: size instead of position, queries as specs. */
export type PanelSpec =
  | { readonly type: 'row'; readonly title: string }
  | ({
      readonly title: string;
      readonly description?: string;
      readonly w: number;
      readonly h: number;
      readonly queries?: readonly PanelQuery[];
      readonly interval?: string;
      /** Relative time of the panel instead of the dashboard's, e.g. `now/M` (this month so far). */
      readonly timeFrom?: string;
      readonly defaults?: FieldConfig;
      readonly overrides?: FieldConfigSource['overrides'];
      readonly transformations?: DataTransformerConfig[];
    } & Viz);

/** A query as placed in a dashboard, for the test to run. */
export interface PlacedQuery {
  readonly dashboardUid: string;
  readonly panelTitle: string;
  readonly refId: string;
  readonly format: ResultFormat;
  readonly spec: QuerySpec | SqlSpec;
}

/** A dashboard's definition. */
export interface DashboardSpec {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly time?: { readonly from: string; readonly to: string };
  readonly variables: readonly Variable[];
  readonly panels: readonly PanelSpec[];
}

const refIdOf = (i: number) => String.fromCharCode(65 + i);

/** The target of a query: InfluxQL or SQL. */
export function targetOf(q: PanelQuery, refId: string): Target {
  if (q.spec.lang === 'sql')
    return { refId, datasource: POSTGRES, rawSql: q.spec.text, rawQuery: true, editorMode: 'code', format: q.format };
  return {
    refId,
    datasource: DATASOURCE,
    query: q.spec.text,
    rawQuery: true,
    resultFormat: q.format,
    ...(q.alias === undefined ? {} : { alias: q.alias }),
  };
}

/** The panel's datasource: the one all its queries use, or "-- Mixed --". */
function panelDatasource(targets: readonly Target[]): DataSourceRef {
  const uids = new Set(targets.map((t) => t.datasource.uid));
  if (uids.size > 1) return MIXED;
  return targets[0]?.datasource ?? DATASOURCE;
}

function place(spec: PanelSpec, id: number, gridPos: GridPos): Panel | RowPanel {
  if (spec.type === 'row') return { id, type: 'row', title: spec.title, gridPos, collapsed: false, panels: [] };
  const targets = (spec.queries ?? []).map((q, i) => targetOf(q, refIdOf(i)));
  return {
    id,
    title: spec.title,
    ...(spec.description === undefined ? {} : { description: spec.description }),
    gridPos,
    ...(spec.type === 'text' ? {} : { datasource: panelDatasource(targets), targets }),
    ...(spec.interval === undefined ? {} : { interval: spec.interval }),
    ...(spec.timeFrom === undefined ? {} : { timeFrom: spec.timeFrom }),
    fieldConfig: { defaults: spec.defaults ?? {}, overrides: spec.overrides ?? [] },
    ...(spec.transformations === undefined ? {} : { transformations: spec.transformations }),
    ...vizOf(spec),
  };
}

/** The panel type and its options, and nothing else of the spec. */
function vizOf(v: Viz): Viz {
  switch (v.type) {
    case 'stat':
      return { type: v.type, options: v.options };
    case 'timeseries':
      return { type: v.type, options: v.options };
    case 'table':
      return { type: v.type, options: v.options };
    case 'barchart':
      return { type: v.type, options: v.options };
    case 'text':
      return { type: v.type, options: v.options };
  }
}

/** Lays panels out left to right, wrapping at 24 columns; rows take a line of their own. */
export function layout(specs: readonly PanelSpec[]): (Panel | RowPanel)[] {
  let x = 0;
  let y = 0;
  let lineHeight = 0;
  return specs.map((spec, i) => {
    const w = spec.type === 'row' ? GRID_COLUMNS : spec.w;
    const h = spec.type === 'row' ? 1 : spec.h;
    if (x + w > GRID_COLUMNS || spec.type === 'row') {
      y += lineHeight;
      x = 0;
      lineHeight = 0;
    }
    const panel = place(spec, i + 1, { x, y, w, h });
    x += w;
    lineHeight = Math.max(lineHeight, h);
    if (spec.type === 'row') {
      y += h;
      x = 0;
      lineHeight = 0;
    }
    return panel;
  });
}

/**
 * The dashboard JSON and its queries, with the zone placeholder left in: `build.ts` binds the
 * deployment's zone (`bindZone`).
 */
export function dashboard(spec: DashboardSpec): { readonly json: Dashboard; readonly queries: PlacedQuery[] } {
  const json: Dashboard = {
    id: null,
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: ['jieneng'],
    timezone: ZONE,
    editable: true,
    graphTooltip: DashboardCursorSync.Crosshair,
    schemaVersion: SCHEMA_VERSION,
    version: 1,
    refresh: '15m',
    time: spec.time ?? { from: 'now-7d', to: 'now' },
    weekStart: 'monday',
    fiscalYearStartMonth: 0,
    liveNow: false,
    annotations: {
      list: [
        {
          builtIn: 1,
          datasource: { type: 'grafana', uid: '-- Grafana --' },
          enable: true,
          hide: true,
          iconColor: 'rgba(0, 211, 255, 1)',
          name: 'Annotations & Alerts',
          type: 'dashboard',
        },
      ],
    },
    links: [
      {
        type: 'dashboards',
        tags: ['jieneng'],
        asDropdown: true,
        title: 'Jieneng',
        includeVars: false,
        icon: 'external link',
        keepTime: false,
        targetBlank: false,
        tooltip: '',
        url: '',
      },
    ],
    templating: { list: spec.variables },
    panels: layout(spec.panels),
  };
  const queries = spec.panels.flatMap((p) =>
    p.type === 'row'
      ? []
      : (p.queries ?? []).map((q, i) => ({
          dashboardUid: spec.uid,
          panelTitle: p.title,
          refId: refIdOf(i),
          format: q.format,
          spec: q.spec,
        })),
  );
  return { json, queries };
}
