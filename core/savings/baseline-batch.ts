/**
 * The `fit-baselines` batch (issue 18, "Speed": "for all 6,000 meters of a city, as a batch job"):
 * every metered meter of a scope (the city by default) gets its model fitted on a period (its last
 * 12 months) with its weather station's temperatures, and the fit is stored (`store.baselines`) for
 * the `weather_baseline` detector and the page.
 *
 * The unit is the meter: a model describes one supply's response to the weather, and a building's
 * or institution's use is the sum of its meters'. Virtual meters (sums of others) and manual ones
 * (entries spread over their hours, no measured profile) are not fitted. Consumption is read a
 * group of meters per query: a district's days for daily models, an institution's hours for hourly
 * ones; each station's temperatures once. A scope that cannot be fitted (no station, no weather,
 * too little data, a read that failed) is stored as `failed` with its reason and never stops the
 * others; nothing is retried (the next run tries again).
 */
import type { BaselineModelKind, StoredBaseline } from '../domain/baselines.js';
import { metersInScope } from '../domain/quality.js';
import { type Meter, meterKind, type Registry } from '../domain/registry.js';
import type { Scope } from '../domain/scope.js';
import { bucketStarts, HOUR_MS, nextBucketStart } from '../domain/time.js';
import { effectiveWeatherStationId } from '../domain/weather-station.js';
import { type BaselineStep, type BaselineSubject, failedBaseline, fitBaseline } from '../mv/batch.js';
import { hourlyTemperatures, projectSteps } from '../mv/project-steps.js';
import type { AggregateRow, MeterFilter, Store } from '../storage/store.js';

/** Where progress and failures are logged (a pino logger fits). */
export interface BatchLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/** What the batch reads and writes with. */
export interface BaselineBatchSource {
  readonly store: Pick<Store, 'aggregate' | 'weather' | 'baselines'>;
  readonly registry: Registry;
  readonly timeZone: string;
  /** The fit's time stamp (epoch ms). */
  readonly nowMs: number;
  readonly log?: BatchLog;
}

/** One run: the period (local dates and their midnights, `to` exclusive), the model kind, the scope (all meters when unset). */
export interface BaselineBatchRequest {
  readonly from: string;
  readonly to: string;
  readonly fromMs: number;
  readonly toMs: number;
  readonly model: BaselineModelKind;
  readonly scope?: Scope;
}

/** What a run did: the job's result. Times are wall-clock ms spent reading, fitting and saving. */
export interface BaselineBatchOutcome {
  readonly from: string;
  readonly to: string;
  readonly model: BaselineModelKind;
  readonly scopes: number;
  readonly fitted: number;
  /** Fitted models that meet ASHRAE Guideline 14 for their granularity. */
  readonly acceptable: number;
  readonly failed: number;
  readonly failures: Readonly<Record<string, number>>;
  /** Queries of consumption made (one per group). */
  readonly groups: number;
  readonly readMs: number;
  readonly fitMs: number;
  readonly saveMs: number;
  /** Baselines that could not be stored (the store refused a group's save). */
  readonly unsaved: number;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The meters a run fits: metered (not virtual, not manual), of the scope. */
export function batchMeters(registry: Registry, scope: Scope | undefined): Meter[] {
  const meters = scope === undefined ? registry.meters : metersInScope(registry, scope);
  return meters.filter((m) => meterKind(m) === 'gateway');
}

interface Group {
  readonly key: string;
  readonly filter: MeterFilter;
  readonly meters: Meter[];
}

/** Meters by the query that reads them: one meter or building as asked, else by district (days) or institution (hours). */
function groupsOf(registry: Registry, meters: readonly Meter[], request: BaselineBatchRequest): Group[] {
  const scope = request.scope;
  if (scope?.level === 'meter')
    return [{ key: `meter:${scope.id}`, filter: { meterId: scope.id }, meters: [...meters] }];
  if (scope?.level === 'building')
    return [{ key: `building:${scope.id}`, filter: { buildingId: scope.id }, meters: [...meters] }];
  const institutionOf = new Map(registry.buildings.map((b) => [b.id, b.institutionId]));
  const districtOf = new Map(registry.institutions.map((i) => [i.id, i.districtId]));
  const groups = new Map<string, Group>();
  for (const m of meters) {
    const institutionId = institutionOf.get(m.buildingId) ?? '';
    const byDistrict = request.model === 'daily';
    const id = byDistrict ? (districtOf.get(institutionId) ?? '') : institutionId;
    const key = `${byDistrict ? 'district' : 'institution'}:${id}`;
    let g = groups.get(key);
    if (g === undefined) {
      g = { key, filter: byDistrict ? { districtId: id } : { institutionId: id }, meters: [] };
      groups.set(key, g);
    }
    g.meters.push(m);
  }
  return [...groups.values()];
}

/** A period's steps and how many hours each has. */
export interface StepStart {
  readonly startMs: number;
  readonly hours: number;
}

/** The step starts of [fromMs, toMs) (local midnights): local days, or hours. */
export function stepStarts(model: BaselineModelKind, fromMs: number, toMs: number, timeZone: string): StepStart[] {
  if (model === 'hourly') {
    const out: StepStart[] = [];
    for (let h = fromMs; h < toMs; h += HOUR_MS) out.push({ startMs: h, hours: 1 });
    return out;
  }
  return bucketStarts(fromMs, toMs, 'day', timeZone).map((d) => ({
    startMs: d,
    hours: (Math.min(nextBucketStart(d, 'day', timeZone), toMs) - d) / HOUR_MS,
  }));
}

/**
 * A station's temperature of each step of [fromMs, toMs) by step start: a local day's mean when
 * its hours with a temperature cover 90 % of it (as savings projects count it), or the hour's.
 */
export async function stationTemperatures(
  store: Pick<Store, 'weather'>,
  timeZone: string,
  stationId: string,
  model: BaselineModelKind,
  range: { readonly fromMs: number; readonly toMs: number },
): Promise<Map<number, number>> {
  const hourly = hourlyTemperatures(await store.weather.observations(stationId, range.fromMs, range.toMs));
  if (model === 'hourly') return hourly;
  const days = projectSteps('daily', range.fromMs, range.toMs, timeZone, new Map(), hourly);
  return new Map(days.map((d) => [d.startMs, d.temperatureC]));
}

/** A meter's steps: use where every hour of the step is good (none estimated, suspect or missing), temperature where known. */
export function meterSteps(
  rows: readonly AggregateRow[],
  starts: readonly StepStart[],
  temperatures: ReadonlyMap<number, number>,
): BaselineStep[] {
  const byStart = new Map(rows.map((r) => [r.bucketStartMs, r]));
  return starts.map(({ startMs, hours }) => {
    const r = byStart.get(startMs);
    const complete = r !== undefined && r.goodHours >= hours && r.estimatedHours === 0 && r.suspectHours === 0;
    return {
      startMs,
      amount: complete ? r.amount : Number.NaN,
      temperatureC: temperatures.get(startMs) ?? Number.NaN,
    };
  });
}

/** Runs the batch: fits and stores a baseline for every meter of the request's scope; see the file's comment. */
export async function fitBaselines(
  source: BaselineBatchSource,
  request: BaselineBatchRequest,
): Promise<BaselineBatchOutcome> {
  const { registry, timeZone, nowMs, log } = source;
  const meters = batchMeters(registry, request.scope);
  const starts = stepStarts(request.model, request.fromMs, request.toMs, timeZone);
  const groups = groupsOf(registry, meters, request);
  const stations = new Map<string, Promise<Map<number, number>>>();
  const failures: Record<string, number> = {};
  let fitted = 0;
  let acceptable = 0;
  let unsaved = 0;
  let readMs = 0;
  let fitMs = 0;
  let saveMs = 0;
  let done = 0;
  const subjectOf = (m: Meter): BaselineSubject => ({
    scope: `meter:${m.id}`,
    energy: m.energy,
    weatherStationId: effectiveWeatherStationId(registry, m.buildingId) ?? null,
    from: request.from,
    to: request.to,
    model: request.model,
  });
  log?.info({ meters: meters.length, groups: groups.length, model: request.model }, 'fitting baselines');
  for (const [i, group] of groups.entries()) {
    const records: StoredBaseline[] = [];
    const subjects = group.meters.map(subjectOf);
    const t0 = performance.now();
    let rows: Map<string, AggregateRow[]> | undefined;
    let readError: string | undefined;
    try {
      const found = await source.store.aggregate({
        filter: group.filter,
        fromMs: request.fromMs,
        toMs: request.toMs,
        interval: request.model === 'daily' ? 'day' : 'hour',
        timeZone,
        groupBy: 'meter',
        sums: ['qualityHours'],
      });
      rows = new Map();
      for (const r of found) {
        const list = rows.get(r.groupId) ?? [];
        list.push(r);
        rows.set(r.groupId, list);
      }
    } catch (error) {
      readError = message(error);
      log?.warn({ group: group.key, err: error }, 'reading consumption for baselines failed');
    }
    readMs += performance.now() - t0;
    const temperaturesOf = async (stationId: string) => {
      let t = stations.get(stationId);
      if (t === undefined) {
        t = stationTemperatures(source.store, timeZone, stationId, request.model, request);
        stations.set(stationId, t);
      }
      return t;
    };
    for (const subject of subjects) {
      const stationId = subject.weatherStationId;
      if (stationId === null) {
        records.push(
          failedBaseline(subject, 'no_weather_station', 'its building and institution name no weather station', nowMs),
        );
        continue;
      }
      if (rows === undefined) {
        records.push(failedBaseline(subject, 'read_failed', `consumption: ${readError}`, nowMs));
        continue;
      }
      let temperatures: Map<number, number>;
      const tw = performance.now();
      try {
        temperatures = await temperaturesOf(stationId);
      } catch (error) {
        records.push(failedBaseline(subject, 'read_failed', `weather of ${stationId}: ${message(error)}`, nowMs));
        continue;
      } finally {
        readMs += performance.now() - tw;
      }
      const tf = performance.now();
      const steps = meterSteps(rows.get(subject.scope.slice('meter:'.length)) ?? [], starts, temperatures);
      records.push(fitBaseline(subject, steps, { fittedAtMs: nowMs, timeZone }));
      fitMs += performance.now() - tf;
    }
    const ts = performance.now();
    try {
      await source.store.baselines.save(records);
    } catch (error) {
      unsaved += records.length;
      log?.warn({ group: group.key, baselines: records.length, err: error }, 'storing baselines failed');
    }
    saveMs += performance.now() - ts;
    for (const r of records) {
      if (r.status === 'ok') {
        fitted++;
        if (r.fit?.meetsAshrae14 === true) acceptable++;
      } else {
        const code = r.failure?.code ?? 'fit_failed';
        failures[code] = (failures[code] ?? 0) + 1;
      }
    }
    done += records.length;
    log?.info({ group: group.key, groupsDone: i + 1, groups: groups.length, meters: done }, 'baselines fitted');
  }
  return {
    from: request.from,
    to: request.to,
    model: request.model,
    scopes: meters.length,
    fitted,
    acceptable,
    failed: meters.length - fitted,
    failures,
    groups: groups.length,
    readMs: Math.round(readMs),
    fitMs: Math.round(fitMs),
    saveMs: Math.round(saveMs),
    unsaved,
  };
}
