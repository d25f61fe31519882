/**
 * Plain typed Grafana dashboard JSON (schemaVersion 39): the subset the Jieneng dashboards use,
 * and builders that lay panels out on the 24-column grid and number them.
 */
import type { QuerySpec } from './influxql.js';
import { DATASOURCE_UID, TIME_ZONE } from './schema.js';

export const SCHEMA_VERSION = 39;
const GRID_COLUMNS = 24;

export interface DatasourceRef {
  readonly type: 'influxdb';
  readonly uid: string;
}

export const DATASOURCE: DatasourceRef = { type: 'influxdb', uid: DATASOURCE_UID };

export type ResultFormat = 'time_series' | 'table';

/** A raw InfluxQL query of a panel. */
export interface Target {
  readonly refId: string;
  readonly datasource: DatasourceRef;
  readonly query: string;
  readonly rawQuery: true;
  readonly resultFormat: ResultFormat;
  /** Series name pattern, e.g. `$tag_district`. */
  readonly alias?: string;
}

export interface GridPos {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

export type PanelType = 'stat' | 'timeseries' | 'table' | 'barchart' | 'text' | 'row';

export interface FieldOverride {
  readonly matcher: { readonly id: 'byName'; readonly options: string };
  readonly properties: readonly { readonly id: string; readonly value: unknown }[];
}

export interface Transformation {
  readonly id: string;
  readonly options: Readonly<Record<string, unknown>>;
}

export interface Panel {
  readonly id: number;
  readonly type: PanelType;
  readonly title: string;
  readonly description?: string;
  readonly gridPos: GridPos;
  readonly datasource?: DatasourceRef;
  /** Minimum `$__interval` of the panel's queries. */
  readonly interval?: string;
  readonly targets?: readonly Target[];
  readonly fieldConfig?: {
    readonly defaults: Readonly<Record<string, unknown>>;
    readonly overrides: readonly FieldOverride[];
  };
  readonly options?: Readonly<Record<string, unknown>>;
  readonly transformations?: readonly Transformation[];
  readonly collapsed?: boolean;
  readonly panels?: readonly Panel[];
}

/** A dashboard variable (query, custom or constant). */
export interface Variable {
  readonly type: 'query' | 'custom' | 'constant';
  readonly name: string;
  readonly label?: string;
  readonly description?: string;
  readonly query: string;
  readonly datasource?: DatasourceRef;
  readonly definition?: string;
  /** 0 shown, 2 hidden. */
  readonly hide: 0 | 1 | 2;
  /** Query variables: 1 on load, 2 on time range change. */
  readonly refresh?: 1 | 2;
  readonly multi?: boolean;
  readonly includeAll?: boolean;
  readonly allValue?: string;
  readonly sort?: number;
  readonly current: { readonly text: string; readonly value: string } | Record<string, never>;
  readonly options: readonly { readonly text: string; readonly value: string; readonly selected: boolean }[];
}

export interface Dashboard {
  readonly id: null;
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly timezone: string;
  readonly editable: boolean;
  readonly graphTooltip: 1;
  readonly schemaVersion: number;
  readonly version: 1;
  readonly refresh: string;
  readonly time: { readonly from: string; readonly to: string };
  readonly weekStart: 'monday';
  readonly fiscalYearStartMonth: 0;
  readonly liveNow: false;
  readonly annotations: { readonly list: readonly Readonly<Record<string, unknown>>[] };
  readonly links: readonly Readonly<Record<string, unknown>>[];
  readonly templating: { readonly list: readonly Variable[] };
  readonly panels: readonly Panel[];
}

/** A panel's query before refIds are given: the spec and how Grafana should shape the result. */
export interface PanelQuery {
  readonly spec: QuerySpec;
  readonly format: ResultFormat;
  readonly alias?: string;
}

/** A panel before layout: size instead of position, queries as specs. */
export interface PanelSpec {
  readonly type: PanelType;
  readonly title: string;
  readonly description?: string;
  readonly w: number;
  readonly h: number;
  readonly queries?: readonly PanelQuery[];
  readonly interval?: string;
  readonly defaults?: Readonly<Record<string, unknown>>;
  readonly overrides?: readonly FieldOverride[];
  readonly options?: Readonly<Record<string, unknown>>;
  readonly transformations?: readonly Transformation[];
}

/** A query as placed in a dashboard, for the test to run. */
export interface PlacedQuery {
  readonly dashboardUid: string;
  readonly panelTitle: string;
  readonly refId: string;
  readonly format: ResultFormat;
  readonly spec: QuerySpec;
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

function place(spec: PanelSpec, id: number, gridPos: GridPos): Panel {
  if (spec.type === 'row') return { id, type: 'row', title: spec.title, gridPos, collapsed: false, panels: [] };
  const targets = (spec.queries ?? []).map((q, i) => ({
    refId: refIdOf(i),
    datasource: DATASOURCE,
    query: q.spec.text,
    rawQuery: true as const,
    resultFormat: q.format,
    ...(q.alias === undefined ? {} : { alias: q.alias }),
  }));
  return {
    id,
    type: spec.type,
    title: spec.title,
    ...(spec.description === undefined ? {} : { description: spec.description }),
    gridPos,
    ...(spec.type === 'text' ? {} : { datasource: DATASOURCE, targets }),
    ...(spec.interval === undefined ? {} : { interval: spec.interval }),
    fieldConfig: { defaults: spec.defaults ?? {}, overrides: spec.overrides ?? [] },
    options: spec.options ?? {},
    ...(spec.transformations === undefined ? {} : { transformations: spec.transformations }),
  };
}

/** Lays panels out left to right, wrapping at 24 columns; rows take a line of their own. */
export function layout(specs: readonly PanelSpec[]): Panel[] {
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

/** The dashboard JSON and its queries. */
export function dashboard(spec: DashboardSpec): { readonly json: Dashboard; readonly queries: PlacedQuery[] } {
  const json: Dashboard = {
    id: null,
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: ['jieneng'],
    timezone: TIME_ZONE,
    editable: true,
    graphTooltip: 1,
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
    links: [{ type: 'dashboards', tags: ['jieneng'], asDropdown: true, title: 'Jieneng', includeVars: false }],
    templating: { list: spec.variables },
    panels: layout(spec.panels),
  };
  const queries = spec.panels.flatMap((p) =>
    (p.queries ?? []).map((q, i) => ({
      dashboardUid: spec.uid,
      panelTitle: p.title,
      refId: refIdOf(i),
      format: q.format,
      spec: q.spec,
    })),
  );
  return { json, queries };
}
