/**
 * Weather normalisation of a district, the city or a list of institutions (issue 18, item 4): one
 * model per institution, with its own station, summed. Their institutions may lie under different
 * skies, so no model is fitted on a district's sum. An institution without a station, without
 * enough days, whose model misses the limits, or whose station has no normal year, is counted and
 * listed as not normalised; the sums cover the normalised ones only (both sides over the same
 * institutions and days), exact, rounded once. Models use the staged balance-point search
 * (`normalize-fit.ts`): about a ninth of the full search's time.
 */
import type { Energy } from '../domain/energy.js';
import type { Scope } from '../domain/scope.js';
import { round6 } from '../domain/series.js';
import { localToEpochMs } from '../domain/time.js';
import type { NotNormalized, ScopeNormalizedSum } from '../domain/weather-normalized.js';
import { change } from '../reports/model.js';
import { normalizedFromSteps } from './normalize.js';
import type { BalancePointSearch } from './normalize-fit.js';
import {
  type DayPeriod,
  type InstitutionsSource,
  institutionDailyUse,
  institutionsWithEnergy,
  StationCache,
  withUse,
} from './normalize-institutions.js';
import { normalReference, type ReferenceWeather, underReference, yearReference } from './normalize-reference.js';

/**
 * What this period is put beside: `compared`, the compared period's models under this period's
 * weather (`normalize=weather`); `normal`, this period's models under a normal year's weather;
 * `year`, this period's models under that local year's weather on the same calendar days.
 */
export type ScopeReference =
  | { readonly kind: 'compared'; readonly compared: DayPeriod }
  | { readonly kind: 'normal' }
  | { readonly kind: 'year'; readonly year: number };

/** One institution's outcome, exact. */
export type InstitutionOutcome =
  | { readonly ok: true; readonly institutionId: string; readonly totalExact: number; readonly currentExact: number }
  | ({ readonly ok: false } & NotNormalized);

/** The label of a reference in an answer. */
export const referenceLabel = (r: ScopeReference): string =>
  r.kind === 'year' ? String(r.year) : r.kind === 'compared' ? 'compared' : 'normal';

/** How a sum is obtained, as the answer says it. */
export const SCOPE_METHOD =
  'each institution with its own weather station and CalTRACK daily model (balance points searched in stages: single slopes on the full grid, HDD+CDD within ±2 °F of them), summed over the institutions normalised; days complete when their good meter-hours reach the expected ones';

/**
 * Normalises each institution of the scope that has a meter of the energy (the scope itself when
 * it is an institution). `source.nowMs` bounds the normal year's history.
 */
export async function normalizeInstitutions(
  source: InstitutionsSource,
  scope: Scope,
  energy: Energy,
  current: DayPeriod,
  reference: ScopeReference,
  options: { readonly cache?: StationCache; readonly search?: BalancePointSearch } = {},
): Promise<InstitutionOutcome[]> {
  const cache = options.cache ?? new StationCache(source);
  const search = options.search ?? 'staged';
  const institutions = institutionsWithEnergy(source.registry, scope, energy);
  const ids = institutions.map((i) => i.institutionId);
  const [use, comparedUse] = await Promise.all([
    institutionDailyUse(source, scope, energy, current, ids),
    reference.kind === 'compared'
      ? institutionDailyUse(source, scope, energy, reference.compared, ids)
      : Promise.resolve(undefined),
  ]);
  const out: InstitutionOutcome[] = [];
  for (const { institutionId, station } of institutions) {
    const notNormalized = (code: NotNormalized['code'], reason: string, stationId: string | null) =>
      out.push({ ok: false, institutionId, weatherStationId: stationId, code, reason });
    if (!station.ok) {
      notNormalized('JN_NORMALIZE_NO_STATION', station.reason, null);
      continue;
    }
    const { stationId } = station;
    const steps = withUse(await cache.days(stationId, current), use.get(institutionId));
    let exact:
      | { status: 'normalized'; totalExact: number; currentExact: number }
      | { status: 'refused'; code: NotNormalized['code']; reason: string };
    if (reference.kind === 'compared') {
      const before = withUse(await cache.days(stationId, reference.compared), comparedUse?.get(institutionId));
      exact = normalizedFromSteps(energy, before, steps, search);
    } else {
      const weather = await referenceWeather(cache, stationId, reference, source.timeZone);
      exact = 'code' in weather ? { status: 'refused', ...weather } : underReference(energy, steps, weather, search);
    }
    if (exact.status === 'refused') notNormalized(exact.code, exact.reason, stationId);
    else out.push({ ok: true, institutionId, totalExact: exact.totalExact, currentExact: exact.currentExact });
  }
  return out;
}

/** A station's reference weather: its normal year, or a local year's days. */
async function referenceWeather(
  cache: StationCache,
  stationId: string,
  reference: Exclude<ScopeReference, { kind: 'compared' }>,
  timeZone: string,
): Promise<ReferenceWeather | { code: NotNormalized['code']; reason: string }> {
  if (reference.kind === 'normal') {
    const normal = await cache.normal(stationId);
    return normal.ok
      ? normalReference(normal.normal)
      : { code: 'JN_NORMALIZE_NO_NORMAL_YEAR', reason: `station ${stationId}: ${normal.reason}` };
  }
  const year = {
    fromMs: localToEpochMs(timeZone, reference.year, 1),
    toMs: localToEpochMs(timeZone, reference.year + 1, 1),
  };
  return yearReference(reference.year, await cache.days(stationId, year));
}

/** The sum of the outcomes as an answer shows it: exact sums rounded once. */
export function sumOutcomes(outcomes: readonly InstitutionOutcome[], reference: ScopeReference): ScopeNormalizedSum {
  let totalExact = 0;
  let currentExact = 0;
  const notNormalized: NotNormalized[] = [];
  for (const o of outcomes) {
    if (o.ok) {
      totalExact += o.totalExact;
      currentExact += o.currentExact;
    } else {
      const { ok: _, ...rest } = o;
      notNormalized.push(rest);
    }
  }
  return {
    status: 'summed',
    method: SCOPE_METHOD,
    reference: referenceLabel(reference),
    total: round6(totalExact),
    current: round6(currentExact),
    change: change(currentExact, totalExact),
    institutions: { count: outcomes.length, normalized: outcomes.length - notNormalized.length, notNormalized },
  };
}
