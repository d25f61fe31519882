/**
 * A real InfluxDB loaded with simulator data, and Grafana's side of running a dashboard query:
 * resolving the dashboard's variables (running their own queries) and filling in the macros.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dashboardPath, ROOT } from '../../dashboards/build.js';
import type { Dashboard, Panel } from '../../dashboards/grafana.js';
import { type Influxd, type InfluxSeries, startInfluxd } from '../helpers/influxd.js';
import { buildFixture, type Fixture } from './fixture.js';
import { interpolate, type MacroContext, type VariableValue } from './grafana-macros.js';

const DAY_MS = 86_400_000;

export interface Lab {
  readonly influx: Influxd;
  readonly fixture: Fixture;
  /** The time range every query runs over: the loaded data, with a day of margin. */
  readonly fromMs: number;
  readonly toMs: number;
  /** Variables of a dashboard as the test selects them (resolved once, then cached). */
  variables(dashboard: Dashboard): Promise<Record<string, VariableValue>>;
  /** Runs a query after Grafana's substitutions; the series of its (single) statement. */
  run(query: string, variables: Record<string, VariableValue>, interval?: string): Promise<readonly InfluxSeries[]>;
  /** Runs a panel's target (by refId) of a dashboard on disk. */
  runPanel(uid: string, title: string, refId?: string): Promise<readonly InfluxSeries[]>;
  close(): Promise<void>;
}

/** A dashboard as provisioned: the JSON file on disk. */
export function loadDashboard(uid: string): Dashboard {
  return JSON.parse(readFileSync(join(ROOT, dashboardPath(uid)), 'utf8')) as Dashboard;
}

/** Every panel, rows' nested panels included. */
export function panelsOf(d: Dashboard): Panel[] {
  return d.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
}

/** Starts InfluxDB, writes the fixture and returns the lab. */
export async function startLab(): Promise<Lab> {
  const influx = await startInfluxd();
  const fixture = buildFixture(Date.now());
  let db = '';
  try {
    db = await influx.createDatabase('jieneng');
    for (let i = 0; i < fixture.lines.length; i += 5000) await influx.write(db, fixture.lines.slice(i, i + 5000));
  } catch (err) {
    await influx.stop();
    throw err;
  }
  const fromMs = fixture.startMs - DAY_MS;
  const toMs = fixture.nowMs + 60_000;
  const cache = new Map<string, Record<string, VariableValue>>();

  async function run(query: string, variables: Record<string, VariableValue>, interval = '1h') {
    const ctx: MacroContext = { fromMs, toMs, interval, variables };
    const results = await influx.statements(db, interpolate(query, ctx));
    if (results.length !== 1) throw new Error(`expected one statement, got ${results.length}: ${query}`);
    return results[0]?.series ?? [];
  }

  async function variables(d: Dashboard) {
    const cached = cache.get(d.uid);
    if (cached !== undefined) return cached;
    const resolved: Record<string, VariableValue> = {};
    for (const v of d.templating.list) {
      if (v.type === 'query') {
        const series = await run(v.query, resolved);
        const values = (series[0]?.values ?? []).map((row) => String(row[1]));
        if (values.length === 0) throw new Error(`variable ${v.name} of ${d.uid} has no values: ${v.query}`);
        const preferred = { institution: fixture.focusInstitution, energy: 'electricity' }[v.name];
        const chosen = preferred !== undefined && values.includes(preferred) ? preferred : (values[0] ?? '');
        const multi = v.multi === true || v.includeAll === true;
        // Multi-value variables: every value selected, as `(a|b|…)`.
        resolved[v.name] = { value: multi ? values : chosen, regexFormatted: multi };
      } else if (v.type === 'constant' && v.name === 'floor_area_m2') {
        resolved[v.name] = { value: String(fixture.floorAreaM2.get(fixture.focusInstitution)), regexFormatted: false };
      } else {
        resolved[v.name] = { value: 'value' in v.current ? v.current.value : v.query, regexFormatted: false };
      }
    }
    cache.set(d.uid, resolved);
    return resolved;
  }

  return {
    influx,
    fixture,
    fromMs,
    toMs,
    variables,
    run,
    async runPanel(uid, title, refId = 'A') {
      const d = loadDashboard(uid);
      const panel = panelsOf(d).find((p) => p.title === title);
      const target = panel?.targets?.find((t) => t.refId === refId);
      if (panel === undefined || target === undefined) throw new Error(`no panel "${title}" ${refId} in ${uid}`);
      return run(target.query, await variables(d), panel.interval);
    },
    close: () => influx.stop(),
  };
}

/** The values of one column across all series. */
export function column(series: readonly InfluxSeries[], name: string): unknown[] {
  return series.flatMap((s) => {
    const i = s.columns.indexOf(name);
    if (i < 0) throw new Error(`no column ${name} in ${s.columns.join(', ')}`);
    return s.values.map((row) => row[i]);
  });
}

/** Series value of a column by a tag's value (single-row series). */
export function byTag(series: readonly InfluxSeries[], tag: string, name: string): Map<string, number> {
  return new Map(series.map((s) => [s.tags?.[tag] ?? '', Number(column([s], name)[0])]));
}
