import type { Period } from '../../core/domain/comparison.js';
import type { Energy } from '../../core/domain/energy.js';
import type { Scope } from '../../core/domain/scope.js';
import { localParts } from '../../core/domain/time.js';
import type {
  Normalize,
  NormalizedComparison,
  NormalYearAnswer,
  ScopeNormalizedSum,
} from '../../core/domain/weather-normalized.js';
import { scopeWeatherStation } from '../../core/domain/weather-station.js';
import { badRequest } from '../../core/errors.js';
import { normalizedComparison, stepsOf } from '../../core/mv/normalize.js';
import { StationCache } from '../../core/mv/normalize-institutions.js';
import {
  normalReference,
  presentReference,
  refusedReference,
  underReference,
} from '../../core/mv/normalize-reference.js';
import { normalizeInstitutions, type ScopeReference, sumOutcomes } from '../../core/mv/normalize-scope.js';
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
  readonly normalize: Normalize;
}

/**
 * A normalisation checked, on whole local days: `weather` of one scope with its station (the
 * compared period's model under this period's weather), `normal` of one scope (this period's model
 * under a normal year's weather), or either of a district or the city, per institution (`sum`).
 */
export type NormalizePlan =
  | {
      readonly kind: 'weather';
      readonly energy: Energy;
      readonly stationId: string;
      readonly current: Period;
      readonly compared: Period;
    }
  | { readonly kind: 'normal'; readonly energy: Energy; readonly stationId: string; readonly current: Period }
  | { readonly kind: 'sum'; readonly energy: Energy; readonly current: Period; readonly reference: ScopeReference };

const atMidnight = (ms: number, timeZone: string) => {
  const p = localParts(ms, timeZone);
  return p.hour === 0 && p.minute === 0 && p.second === 0;
};

/**
 * Checks `normalize` against the rest of the query (issue 18, item 4); every refusal is a 400
 * naming `normalize`: `weather` needs `compare`; both need one energy in its native unit (a model
 * is fitted in it), no `per` nor `subItem`, whole local days (the model is daily), and a meter,
 * building or institution with one weather station (`scopeWeatherStation`) — a district or the
 * city is normalised per institution instead.
 */
export function planNormalize(
  q: NormalizeQuery,
  registry: Parameters<typeof scopeWeatherStation>[0],
  timeZone: string,
): NormalizePlan {
  const refuse = (message: string) => badRequest('normalize', message);
  const name = `normalize=${q.normalize}`;
  if (q.normalize === 'weather' && q.compared === undefined)
    throw refuse('normalize=weather needs compare (previous, last_year or a range)');
  if (q.energy === undefined || q.unit !== 'native')
    throw refuse(`${name} needs one energy in its native unit (energy=…, unit=native)`);
  if (q.per !== undefined) throw refuse(`${name} does not combine with per`);
  if (q.subItem !== undefined) throw refuse(`${name} does not combine with subItem`);
  const periods = q.normalize === 'weather' && q.compared !== undefined ? [q.current, q.compared] : [q.current];
  if (!periods.every((p) => atMidnight(p.fromMs, timeZone) && atMidnight(p.toMs, timeZone)))
    throw refuse(`${name} needs whole local days (the model is daily)`);
  const { energy, current, compared } = q;
  if (q.scope.level === 'city' || q.scope.level === 'district')
    return {
      kind: 'sum',
      energy,
      current,
      reference:
        q.normalize === 'normal' || compared === undefined ? { kind: 'normal' } : { kind: 'compared', compared },
    };
  const station = scopeWeatherStation(registry, q.scope);
  if (!station.ok) throw refuse(station.reason);
  const { stationId } = station;
  return q.normalize === 'normal' || compared === undefined
    ? { kind: 'normal', energy, stationId, current }
    : { kind: 'weather', energy, stationId, current, compared };
}

/** What a normalisation adds to the answer: `comparison.normalized`, `comparison.normalizedSum` or `normalYear`. */
export type NormalizeOutcome =
  | { readonly normalized: NormalizedComparison }
  | { readonly normalizedSum: ScopeNormalizedSum }
  | { readonly normalYear: NormalYearAnswer };

/**
 * Reads the data a plan needs and computes it: one scope's hourly consumption (complete hours
 * only, as savings projects read it) and its station's temperatures (for `normal`, its whole
 * history); a district's or the city's institutions by day, one query per period.
 */
export async function normalizedOf(
  source: ConsumptionSource,
  scope: Scope,
  plan: NormalizePlan,
  bucketStartsMs: readonly number[] | undefined,
): Promise<NormalizeOutcome> {
  if (plan.kind === 'sum') {
    const outcomes = await normalizeInstitutions(source, scope, plan.energy, plan.current, plan.reference);
    const sum = sumOutcomes(outcomes, plan.reference);
    return plan.reference.kind === 'compared' ? { normalizedSum: sum } : { normalYear: sum };
  }
  const { stationId } = plan;
  const read = async (p: Period) => {
    const [consumption, temperatures] = await Promise.all([
      scopeConsumptionHours(source, scope, plan.energy, p.fromMs, p.toMs),
      source.store.weather.observations(stationId, p.fromMs, p.toMs),
    ]);
    return { ...p, consumption, temperatures };
  };
  if (plan.kind === 'normal') {
    const [current, normal] = await Promise.all([read(plan.current), new StationCache(source).normal(stationId)]);
    if (!normal.ok)
      return {
        normalYear: refusedReference('JN_NORMALIZE_NO_NORMAL_YEAR', `station ${stationId}: ${normal.reason}`, {
          weatherStationId: stationId,
          label: 'normal',
          years: normal.years,
        }),
      };
    const reference = normalReference(normal.normal);
    const exact = underReference(plan.energy, stepsOf(current, source.timeZone), reference);
    return { normalYear: presentReference(exact, { weatherStationId: stationId, reference }) };
  }
  const [current, compared] = await Promise.all([read(plan.current), read(plan.compared)]);
  return {
    normalized: normalizedComparison({
      energy: plan.energy,
      timeZone: source.timeZone,
      weatherStationId: stationId,
      compared,
      current,
      ...(bucketStartsMs === undefined ? {} : { bucketStartsMs }),
    }),
  };
}
