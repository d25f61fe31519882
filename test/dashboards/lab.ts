/**
 * The dashboards' lab: what Jieneng itself writes, and Grafana's side of running a query.
 *
 * A real InfluxDB (influxd 1.x) and a real PostgreSQL; the platform on them (`STORE=influx`,
 * `METADATA_URL`); a small simulated city published through the platform's broker for 3 days up to
 * now by the simulator's gateways, with gaps and malformed messages planted by a scenario; one
 * gateway silent for the last 3 hours; a few readings corrected invalid; monthly and annual targets
 * set through the API; the detection jobs run, so that anomalies exist. Queries then run as Grafana
 * would send them: variables resolved by running their own queries, macros expanded
 * (grafana-macros.ts), InfluxQL to influxd and SQL to PostgreSQL.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { formatLocalIso, localParts, localToEpochMs } from '../../core/domain/time.js';
import { readingsTopic } from '../../core/domain/topics.js';
import { dashboardPath, ROOT } from '../../dashboards/build.js';
import type { Dashboard, Panel, RowPanel, Target } from '../../dashboards/grafana.js';
import { DEFAULT_TIME_ZONE } from '../../dashboards/schema.js';
import { buildFleet } from '../../simulator/fleet.js';
import type { Fleet } from '../../simulator/model.js';
import { planScenario } from '../../simulator/planner.js';
import { FleetPublisher } from '../../simulator/publisher.js';
import { type Influxd, type InfluxSeries, startInfluxd } from '../helpers/influxd.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { interpolate, interpolateSql, type MacroContext, type VariableValue } from './grafana-macros.js';

const HOUR_MS = 3_600_000;
const INTERVAL_S = 900;
const DAYS = 3;
export const ZONE = DEFAULT_TIME_ZONE;

/** A SQL result: column names in order and rows. */
export interface SqlResult {
  readonly columns: readonly string[];
  readonly rows: readonly Record<string, unknown>[];
}

/** What the lab planted, for the tests' expectations. */
export interface Planted {
  readonly fleet: Fleet;
  /** The institution with the most energy types: the one the single-institution dashboard shows. */
  readonly focusInstitution: string;
  readonly offlineGateway: string;
  readonly offlineMeters: readonly string[];
  /** Readings corrected invalid through the API. */
  readonly invalidReadings: number;
  /** The local month (`YYYY-MM`) and year of now, and the monthly kgce targets set for it by institution. */
  readonly month: string;
  readonly year: string;
  readonly monthlyKgceTargets: ReadonlyMap<string, number>;
}

export interface Lab {
  readonly influx: Influxd;
  readonly platform: TestPlatform;
  readonly planted: Planted;
  /** The dashboards' time range: the data written, with margins, in whole hours. */
  readonly fromMs: number;
  readonly toMs: number;
  /** Variables of a dashboard as the test selects them (resolved once, then cached). */
  variables(dashboard: Dashboard): Promise<Record<string, VariableValue>>;
  /** Runs InfluxQL after Grafana's substitutions; the series of its (single) statement. */
  run(query: string, variables: Record<string, VariableValue>, o?: RangeOptions): Promise<readonly InfluxSeries[]>;
  /** Runs SQL after Grafana's substitutions on the platform's PostgreSQL database. */
  runSql(query: string, variables: Record<string, VariableValue>, o?: RangeOptions): Promise<SqlResult>;
  /** Runs a panel's target (by refId) of a dashboard on disk, over the panel's time range. */
  runPanel(uid: string, title: string, refId?: string): Promise<PanelResult>;
  close(): Promise<void>;
}

export interface RangeOptions {
  readonly interval?: string;
  readonly fromMs?: number;
  readonly toMs?: number;
}

export type PanelResult =
  | { readonly lang: 'influxql'; readonly series: readonly InfluxSeries[] }
  | { readonly lang: 'sql'; readonly result: SqlResult };

/** A dashboard as provisioned: the JSON file on disk. */
export function loadDashboard(uid: string): Dashboard {
  return JSON.parse(readFileSync(join(ROOT, dashboardPath(uid)), 'utf8')) as Dashboard;
}

/** Every panel but rows (the dashboards' rows are not collapsed: their panels follow them). */
export function panelsOf(d: Dashboard): Panel[] {
  return d.panels.filter((p): p is Panel => p.type !== 'row');
}

/** Every row. */
export const rowsOf = (d: Dashboard): RowPanel[] => d.panels.filter((p): p is RowPanel => p.type === 'row');

/** The query text of a target, InfluxQL or SQL. */
export const queryOf = (t: Target): string => ('rawSql' in t ? t.rawSql : t.query);

/** Local `YYYY-MM-DDTHH:mm` of an instant, as the API's `from` and `to` take it. */
export const localMinute = (ms: number): string => formatLocalIso(ms, ZONE).slice(0, 16);

/** Start of the local month of an instant (Grafana's `now/M` in the dashboard's zone). */
export function monthStartMs(ms: number): number {
  const p = localParts(ms, ZONE);
  return localToEpochMs(ZONE, p.year, p.month);
}

async function publish(t: TestPlatform, fleet: Fleet, startMs: number, offlineFromMs: number): Promise<void> {
  const brokerUrl = `mqtt://127.0.0.1:${t.platform.mqttPort}`;
  // Gaps (estimated hours), unrecorded meter replacements (registers going back: suspect hours)
  // and malformed messages (dead letters) before the silence.
  const scenario = planScenario(fleet, {
    seed: 3,
    fromMs: startMs,
    toMs: offlineFromMs,
    faultRate: 40,
    kinds: ['gap', 'replace', 'malformed'],
    intervalS: INTERVAL_S,
  });
  const all = new FleetPublisher({ fleet, brokerUrl, intervalS: INTERVAL_S, scenario, timeZone: ZONE });
  // Up to the silence, its first instant included: the silent meters' last hour holds one reading
  // and no interval (a missing hour).
  await all.backfill(startMs, offlineFromMs + 1);
  await all.close();
}

/** Starts InfluxDB, PostgreSQL and the platform, feeds the city through the broker, runs the jobs. */
export async function startLab(): Promise<Lab> {
  const opened: { close(): Promise<void> }[] = [];
  const closeAll = async () => {
    for (const o of opened.reverse()) await o.close().catch(() => undefined);
  };
  try {
    const influx = await startInfluxd();
    opened.push({ close: () => influx.stop() });
    const postgres: TestPostgres = await startPostgres();
    opened.push({ close: () => postgres.stop() });
    const database = await influx.createDatabase('jieneng');
    const metadataUrl = await postgres.createDatabase();
    const platform = await startTestPlatform({
      STORE: 'influx',
      INFLUX_URL: influx.url,
      INFLUX_DATABASE: database,
      METADATA_URL: metadataUrl,
      TIMEZONE: ZONE,
    });
    opened.push(platform);
    const sqlPool = new pg.Pool({ connectionString: metadataUrl, max: 2 });
    opened.push({ close: () => sqlPool.end() });

    const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
      const res = await platform.api<T>(method, path, body);
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    };

    const fleet = buildFleet({ seed: 7, districts: 2, institutions: 4, intervalS: INTERVAL_S });
    const { registry } = fleet;
    await api('PUT', '/api/v1/registry', registry);
    const buildingOf = new Map(registry.buildings.map((b) => [b.id, b]));
    const energiesOf = (inst: string) =>
      new Set(fleet.meters.filter((m) => buildingOf.get(m.buildingId)?.institutionId === inst).map((m) => m.energy));
    const focusInstitution = [...registry.institutions].sort((a, b) => energiesOf(b.id).size - energiesOf(a.id).size)[0]
      ?.id as string;
    const offlineGateway = fleet.meters.find((m) => buildingOf.get(m.buildingId)?.institutionId === focusInstitution)
      ?.gatewayId as string;
    const offlineMeters = fleet.meters.filter((m) => m.gatewayId === offlineGateway).map((m) => m.id);

    const nowMs = Date.now();
    const grid = INTERVAL_S * 1000;
    const hourEndMs = Math.floor(nowMs / HOUR_MS) * HOUR_MS;
    const startMs = hourEndMs - DAYS * 24 * HOUR_MS;
    const offlineFromMs = hourEndMs - 3 * HOUR_MS;
    const endMs = Math.floor(nowMs / grid) * grid + 1;
    await publish(platform, fleet, startMs, offlineFromMs);
    // The last 3 hours from every gateway but the silent one.
    const others = { ...fleet, meters: fleet.meters.filter((m) => m.gatewayId !== offlineGateway) };
    const rest = new FleetPublisher({
      fleet: others,
      brokerUrl: `mqtt://127.0.0.1:${platform.platform.mqttPort}`,
      intervalS: INTERVAL_S,
      timeZone: ZONE,
    });
    await rest.backfill(offlineFromMs + 1, endMs);
    await rest.close();
    // A message that is not JSON: one more dead letter, whatever the scenario planted.
    const secret = registry.gateways.find((g) => g.id === offlineGateway)?.secret ?? '';
    const gw = await platform.connectGateway(offlineGateway, secret);
    await gw.publishAsync(readingsTopic(offlineGateway), '{"readings": [', { qos: 1 });
    await platform.platform.pipeline.drain();

    // Readings an officer marks invalid.
    const corrected = fleet.meters.filter((m) => m.gatewayId !== offlineGateway).slice(0, 3);
    for (const m of corrected) {
      const window = `from=${localMinute(startMs + 6 * HOUR_MS)}&to=${localMinute(startMs + 12 * HOUR_MS)}`;
      const { readings } = await api<{ readings: { ts: string }[] }>(
        'GET',
        `/api/v1/meters/${m.id}/readings?${window}`,
      );
      const ts = readings[0]?.ts;
      if (ts === undefined) throw new Error(`no reading of ${m.id} to correct`);
      await api('POST', `/api/v1/meters/${m.id}/corrections`, { ts, reason: 'gateway misread' });
    }

    // Targets of this local month (kgce, energy all) and year: two institutions far below what they
    // use (over), the others far above (on track).
    const p = localParts(nowMs, ZONE);
    const month = `${p.year}-${String(p.month).padStart(2, '0')}`;
    const year = String(p.year);
    const monthlyKgceTargets = new Map(registry.institutions.map((inst, i) => [inst.id, i < 2 ? 1 : 1_000_000]));
    await api('PUT', '/api/v1/targets', {
      targets: [
        ...[...monthlyKgceTargets].map(([id, value]) => ({
          scope: `institution:${id}`,
          energy: 'all',
          period: month,
          value,
          unit: 'kgce',
        })),
        { scope: 'city', energy: 'electricity', period: year, value: 5_000_000, unit: 'kWh' },
      ],
    });
    await platform.platform.pipeline.drain();
    for (const job of ['detect-hourly', 'detect-daily', 'detect-targets']) {
      const run = await api<{ lastRun: { outcome: string } }>('POST', `/api/v1/jobs/${job}/run`);
      if (run.lastRun.outcome !== 'ok') throw new Error(`job ${job}: ${JSON.stringify(run)}`);
    }

    const planted: Planted = {
      fleet,
      focusInstitution,
      offlineGateway,
      offlineMeters,
      invalidReadings: corrected.length,
      month,
      year,
      monthlyKgceTargets,
    };
    const fromMs = startMs - 24 * HOUR_MS;
    const toMs = hourEndMs + HOUR_MS;
    return labOf({ influx, database, platform, sqlPool, planted, fromMs, toMs, closeAll });
  } catch (error) {
    await closeAll();
    throw error;
  }
}

interface Parts {
  readonly influx: Influxd;
  readonly database: string;
  readonly platform: TestPlatform;
  readonly sqlPool: pg.Pool;
  readonly planted: Planted;
  readonly fromMs: number;
  readonly toMs: number;
  readonly closeAll: () => Promise<void>;
}

function labOf({ influx, database, platform, sqlPool, planted, fromMs, toMs, closeAll }: Parts): Lab {
  const cache = new Map<string, Record<string, VariableValue>>();
  const context = (variables: Record<string, VariableValue>, o: RangeOptions): MacroContext => ({
    fromMs: o.fromMs ?? fromMs,
    toMs: o.toMs ?? toMs,
    interval: o.interval ?? '1h',
    variables,
  });

  const run: Lab['run'] = async (query, variables, o = {}) => {
    const results = await influx.statements(database, interpolate(query, context(variables, o)));
    if (results.length !== 1) throw new Error(`expected one statement, got ${results.length}: ${query}`);
    return results[0]?.series ?? [];
  };

  const runSql: Lab['runSql'] = async (query, variables, o = {}) => {
    const text = interpolateSql(query, context(variables, o));
    try {
      const res = await sqlPool.query(text);
      return { columns: res.fields.map((f) => f.name), rows: res.rows as Record<string, unknown>[] };
    } catch (error) {
      throw new Error(`SQL failed: ${(error as Error).message}\n${text}`);
    }
  };

  async function variables(d: Dashboard) {
    const cached = cache.get(d.uid);
    if (cached !== undefined) return cached;
    const resolved: Record<string, VariableValue> = {};
    for (const v of d.templating.list) {
      const multi = v.multi === true || v.includeAll === true;
      if (v.type === 'query') {
        const query = String(v.query ?? '');
        const values =
          v.datasource?.uid === 'jieneng-postgres'
            ? (await runSql(query, resolved)).rows.map((r) => String(Object.values(r)[0]))
            : ((await run(query, resolved))[0]?.values ?? []).map((row) => String(row[1]));
        if (values.length === 0) throw new Error(`variable ${v.name} of ${d.uid} has no values: ${query}`);
        const preferred = { institution: planted.focusInstitution, energy: 'electricity' }[v.name];
        const chosen = preferred !== undefined && values.includes(preferred) ? preferred : (values[0] ?? '');
        // Multi-value variables: "All", every value selected.
        resolved[v.name] = { value: multi ? values : chosen, multi };
      } else if (v.type === 'custom') {
        const values = String(v.query ?? '').split(',');
        resolved[v.name] = { value: multi ? values : (values[0] ?? ''), multi };
      } else {
        resolved[v.name] = { value: String(v.query ?? ''), multi: false };
      }
    }
    cache.set(d.uid, resolved);
    return resolved;
  }

  return {
    influx,
    platform,
    planted,
    fromMs,
    toMs,
    variables,
    run,
    runSql,
    async runPanel(uid, title, refId = 'A') {
      const d = loadDashboard(uid);
      const panel = panelsOf(d).find((p) => p.title === title);
      const target = panel?.targets?.find((t) => t.refId === refId);
      if (panel === undefined || target === undefined) throw new Error(`no panel "${title}" ${refId} in ${uid}`);
      if (panel.timeFrom !== undefined && panel.timeFrom !== 'now/M') throw new Error(`unsupported ${panel.timeFrom}`);
      // `now/M`: the local month so far (the dashboard's zone), up to the lab's "now" (end of range).
      const o: RangeOptions = {
        ...(panel.interval === undefined ? {} : { interval: panel.interval }),
        ...(panel.timeFrom === undefined ? {} : { fromMs: monthStartMs(Date.now()), toMs: Date.now() }),
      };
      const vars = await variables(d);
      if ('rawSql' in target) return { lang: 'sql', result: await runSql(target.rawSql, vars, o) };
      return { lang: 'influxql', series: await run(target.query, vars, o) };
    },
    close: closeAll,
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

/** The InfluxQL series of a panel result (throws on SQL). */
export function seriesOf(r: PanelResult): readonly InfluxSeries[] {
  if (r.lang !== 'influxql') throw new Error('expected an InfluxQL panel');
  return r.series;
}

/** The SQL result of a panel result (throws on InfluxQL). */
export function sqlOf(r: PanelResult): SqlResult {
  if (r.lang !== 'sql') throw new Error('expected a SQL panel');
  return r.result;
}
