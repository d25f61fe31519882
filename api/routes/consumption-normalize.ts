import type { Period } from '../../core/domain/comparison.js';
import type { Energy } from '../../core/domain/energy.js';
import type { Scope } from '../../core/domain/scope.js';
import { localParts } from '../../core/domain/time.js';
import type { NormalizedComparison } from '../../core/domain/weather-normalized.js';
import { scopeWeatherStation } from '../../core/domain/weather-station.js';
import { badRequest } from '../../core/errors.js';
import { normalizedComparison } from '../../core/mv/normalize.js';
import { type ConsumptionSource, scopeConsumptionHours } from '../../core/savings/load.js';

/** What `normalize=weather` is asked with, from the query of `GET /api/v1/consumption`. */
export interface NormalizeQuery {
  readonly scope: Scope;
  readonly energy: Energy | undefined;
  readonly unit: string;
  readonly per?: string | undefined;
  readonly subItem?: string | undefined;
  readonly interval: 'hour' | 'day' | 'month' | 'year';
  readonly current: Period;
  readonly compared: Period | undefined;
}

/** A normalisation checked: the energy, the station and both periods on whole local days. */
export interface NormalizePlan {
  readonly energy: Energy;
  readonly stationId: string;
  readonly current: Period;
  readonly compared: Period;
}

const atMidnight = (ms: number, timeZone: string) => {
  const p = localParts(ms, timeZone);
  return p.hour === 0 && p.minute === 0 && p.second === 0;
};

/**
 * Checks `normalize=weather` against the rest of the query (issue 18, item 4); every refusal is a
 * 400 naming `normalize`: it needs `compare`, one energy in its native unit (a model is fitted in
 * it), no `per` nor `subItem`, whole local days on both sides (the model is daily), and a scope
 * with one weather station (a meter, building or institution; `scopeWeatherStation`).
 */
export function planNormalize(
  q: NormalizeQuery,
  registry: Parameters<typeof scopeWeatherStation>[0],
  timeZone: string,
): NormalizePlan {
  const refuse = (message: string) => badRequest('normalize', message);
  if (q.compared === undefined) throw refuse('normalize=weather needs compare (previous, last_year or a range)');
  if (q.energy === undefined || q.unit !== 'native')
    throw refuse('normalize=weather needs one energy in its native unit (energy=…, unit=native)');
  if (q.per !== undefined) throw refuse('normalize=weather does not combine with per');
  if (q.subItem !== undefined) throw refuse('normalize=weather does not combine with subItem');
  const periods = [q.current, q.compared];
  if (!periods.every((p) => atMidnight(p.fromMs, timeZone) && atMidnight(p.toMs, timeZone)))
    throw refuse('normalize=weather needs whole local days in both periods (the model is daily)');
  const station = scopeWeatherStation(registry, q.scope);
  if (!station.ok) throw refuse(station.reason);
  return { energy: q.energy, stationId: station.stationId, current: q.current, compared: q.compared };
}

/**
 * Reads both periods' hourly consumption (complete hours only, as savings projects read it) and
 * the station's temperatures, and computes `comparison.normalized`.
 */
export async function normalizedOf(
  source: ConsumptionSource,
  scope: Scope,
  plan: NormalizePlan,
  bucketStartsMs: readonly number[] | undefined,
): Promise<NormalizedComparison> {
  const read = async (p: Period) => {
    const [consumption, temperatures] = await Promise.all([
      scopeConsumptionHours(source, scope, plan.energy, p.fromMs, p.toMs),
      source.store.weather.observations(plan.stationId, p.fromMs, p.toMs),
    ]);
    return { ...p, consumption, temperatures };
  };
  const [current, compared] = await Promise.all([read(plan.current), read(plan.compared)]);
  return normalizedComparison({
    energy: plan.energy,
    timeZone: source.timeZone,
    weatherStationId: plan.stationId,
    compared,
    current,
    ...(bucketStartsMs === undefined ? {} : { bucketStartsMs }),
  });
}
