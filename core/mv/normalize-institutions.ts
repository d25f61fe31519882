/**
 * The days of many institutions at once (issue 18, item 4): what a district's or the city's
 * weather normalisation, the targets and the notice put under each institution's own model. One
 * store query per period and energy (daily, grouped by institution), one weather read per station
 * and period, instead of one hourly query per institution: a city of 760 institutions is read in
 * a few queries. A day is complete when its good meter-hours reach the meter-hours its meters were
 * expected to report (installed, not decommissioned; virtual meters aside) and none is estimated
 * or suspect — the hourly rule of savings projects summed over the day.
 */
import type { Energy } from '../domain/energy.js';
import type { MeterEventInput } from '../domain/meter-events.js';
import { activeSpan, metersInScope } from '../domain/quality.js';
import { meterKind, type Registry } from '../domain/registry.js';
import type { Scope } from '../domain/scope.js';
import { scopeFilter } from '../domain/series.js';
import { HOUR_MS, nextBucketStart } from '../domain/time.js';
import { scopeWeatherStation } from '../domain/weather-station.js';
import type { Store } from '../storage/store.js';
import { type NormalYearResult, normalYear } from './normal-year.js';
import { hourlyTemperatures, type ProjectStep, projectSteps } from './project-steps.js';

/** What reading many institutions' days needs. */
export interface InstitutionsSource {
  readonly store: Store;
  readonly registry: Registry;
  readonly timeZone: string;
  readonly eventsOf: (meterId: string) => readonly MeterEventInput[];
  readonly nowMs: number;
}

/** A period: local midnights. */
export interface DayPeriod {
  readonly fromMs: number;
  readonly toMs: number;
}

/** An institution of the scope with a meter of the energy, and its station (or why it has none). */
export interface InstitutionStation {
  readonly institutionId: string;
  readonly station: { ok: true; stationId: string } | { ok: false; reason: string };
}

/** The institutions of a scope (an institution, a district or the city) that have a non-virtual meter of the energy. */
export function institutionsWithEnergy(registry: Registry, scope: Scope, energy: Energy): InstitutionStation[] {
  const inScope = registry.institutions.filter(
    (i) =>
      scope.level === 'city' ||
      (scope.level === 'district' && i.districtId === scope.id) ||
      (scope.level === 'institution' && i.id === scope.id),
  );
  return inScope
    .filter((i) =>
      metersInScope(registry, { level: 'institution', id: i.id }, { energy }).some((m) => meterKind(m) !== 'virtual'),
    )
    .map((i) => ({
      institutionId: i.id,
      station: scopeWeatherStation(registry, { level: 'institution', id: i.id }),
    }));
}

/** Reads stations' observations once per station and period, and their normal years once per station. */
export class StationCache {
  readonly #temperatures = new Map<string, Promise<ProjectStep[]>>();
  readonly #normals = new Map<string, Promise<NormalYearResult>>();
  constructor(private readonly source: Pick<InstitutionsSource, 'store' | 'timeZone' | 'nowMs'>) {}

  /** The station's local days of the period with their mean temperature (no use: `amount` NaN). */
  days(stationId: string, period: DayPeriod): Promise<ProjectStep[]> {
    const key = `${stationId}|${period.fromMs}|${period.toMs}`;
    let found = this.#temperatures.get(key);
    if (found === undefined) {
      const { store, timeZone } = this.source;
      found = store.weather
        .observations(stationId, period.fromMs, period.toMs)
        .then((obs) => projectSteps('daily', period.fromMs, period.toMs, timeZone, new Map(), hourlyTemperatures(obs)));
      this.#temperatures.set(key, found);
    }
    return found;
  }

  /** The station's normal year from everything it holds up to now. */
  normal(stationId: string): Promise<NormalYearResult> {
    let found = this.#normals.get(stationId);
    if (found === undefined) {
      const { store, timeZone, nowMs } = this.source;
      found = store.weather.observations(stationId, 0, nowMs).then((obs) => normalYear(obs, timeZone));
      this.#normals.set(stationId, found);
    }
    return found;
  }
}

/**
 * Each institution's daily use of the energy over the period (institution id → local day start →
 * amount, NaN when not complete), from one store query.
 */
export async function institutionDailyUse(
  source: InstitutionsSource,
  scope: Scope,
  energy: Energy,
  period: DayPeriod,
  institutionIds: readonly string[],
): Promise<Map<string, Map<number, number>>> {
  const rows = await source.store.aggregate({
    filter: { ...scopeFilter(scope), energy },
    fromMs: period.fromMs,
    toMs: period.toMs,
    interval: 'day',
    timeZone: source.timeZone,
    groupBy: 'institution',
    sums: ['qualityHours'],
  });
  const wanted = new Set(institutionIds);
  const spans = new Map<string, { fromMs: number; toMs: number }[]>();
  for (const id of wanted)
    spans.set(
      id,
      metersInScope(source.registry, { level: 'institution', id }, { energy })
        .filter((m) => meterKind(m) !== 'virtual')
        .map((m) => activeSpan(m, source.eventsOf(m.id), period.fromMs, period.toMs, source.nowMs)),
    );
  const out = new Map<string, Map<number, number>>();
  // A day's end once per day, not per row: time-zone arithmetic is the costly part of this loop.
  const dayEnds = new Map<number, number>();
  for (const r of rows) {
    if (!wanted.has(r.groupId)) continue;
    let end = dayEnds.get(r.bucketStartMs);
    if (end === undefined) {
      end = Math.min(nextBucketStart(r.bucketStartMs, 'day', source.timeZone), period.toMs);
      dayEnds.set(r.bucketStartMs, end);
    }
    const expectedHours = (spans.get(r.groupId) ?? []).reduce(
      (s, span) => s + Math.max(0, Math.min(span.toMs, end) - Math.max(span.fromMs, r.bucketStartMs)) / HOUR_MS,
      0,
    );
    const complete =
      expectedHours > 0 && r.goodHours >= expectedHours && r.estimatedHours === 0 && r.suspectHours === 0;
    const days = out.get(r.groupId) ?? new Map<number, number>();
    days.set(r.bucketStartMs, complete ? r.amount : Number.NaN);
    out.set(r.groupId, days);
  }
  return out;
}

/** An institution's steps: its station's days with its daily use (NaN where none or not complete). */
export function withUse(
  stationDays: readonly ProjectStep[],
  use: ReadonlyMap<number, number> | undefined,
): ProjectStep[] {
  return stationDays.map((d) => ({ ...d, amount: use?.get(d.startMs) ?? Number.NaN }));
}
