/**
 * Targets under reference weather (issue 18, item 4): a quota's year to date as it would have been
 * in a normal year's weather (`normal`) or in the year before's (`base`, the year a quota is
 * usually set from), so that a cold winter does not look like failure. Each institution of the
 * target's scope and each energy it counts gets its own model of the year to date (its whole local
 * days), predicted on the same days under the reference weather; the difference (`adjustment`) is
 * added to the raw figure. Institutions that cannot be normalised keep their raw figure (adjustment
 * 0) and are listed, so the normalised figure is exact: raw + Σ adjustments.
 */
import { type CoefficientTable, ENERGY_INFO, type Energy } from './domain/energy.js';
import { metersInScope } from './domain/quality.js';
import { meterKind } from './domain/registry.js';
import { parseScope } from './domain/scope.js';
import { parseTargetUnit, type QuotaTarget } from './domain/targets.js';
import { localParts, localToEpochMs } from './domain/time.js';
import type { NotNormalized } from './domain/weather-normalized.js';
import type { InstitutionsSource, StationCache } from './mv/normalize-institutions.js';
import { normalizeInstitutions, type ScopeReference } from './mv/normalize-scope.js';

/** The `normalize` of target progress: a normal year's weather, or the year before the target's. */
export type TargetNormalize = 'normal' | 'base';

/** A target's year to date under reference weather, in the target's unit, or why it is not given. */
export type TargetNormalized =
  | {
      readonly status: 'normalized';
      readonly reference: string;
      /** Local date (exclusive) up to which whole days were modelled. */
      readonly throughMs: number;
      /** Σ over energies and institutions normalised of (reference − actual), in the target's unit before any division. */
      readonly adjustmentExact: number;
      /** Institution-energies of the scope with a meter. */
      readonly institutions: number;
      readonly normalizedInstitutions: number;
      readonly notNormalized: readonly (NotNormalized & { readonly energy: Energy })[];
    }
  | { readonly status: 'refused'; readonly reference: string; readonly reason: string };

/**
 * The adjustment of a quota target's year to date [fromMs, untilMs) (`untilMs` cut back to a local
 * midnight). Refused (a value) for a carbon unit (factors differ by year and region: not normalised),
 * a meter or building scope (targets are normalised per institution), or no whole day yet.
 */
export async function targetNormalized(
  source: InstitutionsSource & { readonly coefficients: CoefficientTable },
  target: QuotaTarget,
  range: { readonly fromMs: number; readonly untilMs: number },
  normalize: TargetNormalize,
  cache: StationCache,
): Promise<TargetNormalized> {
  const year = Number(target.period.slice(0, 4));
  const reference: ScopeReference = normalize === 'normal' ? { kind: 'normal' } : { kind: 'year', year: year - 1 };
  const label = normalize === 'normal' ? 'normal' : String(year - 1);
  const refused = (reason: string): TargetNormalized => ({ status: 'refused', reference: label, reason });
  const scope = parseScope(target.scope);
  const unit = parseTargetUnit(target.energy, target.unit);
  if (scope === undefined || unit === undefined) return refused('unknown scope or unit');
  if (unit.mode !== 'native' && unit.mode !== 'kgce')
    return refused('only native units and kgce are weather-normalised (carbon factors differ by year and region)');
  if (scope.level === 'meter' || scope.level === 'building')
    return refused('targets are weather-normalised per institution: set on an institution, a district or the city');
  const p = localParts(range.untilMs, source.timeZone);
  const throughMs = localToEpochMs(source.timeZone, p.year, p.month, p.day);
  if (throughMs <= range.fromMs) return refused('no whole day of the period has passed yet');
  const energies: Energy[] =
    target.energy === 'all'
      ? [
          ...new Set(
            metersInScope(source.registry, scope)
              .filter((m) => meterKind(m) !== 'virtual' && ENERGY_INFO[m.energy].countsAsEnergy)
              .map((m) => m.energy),
          ),
        ].sort()
      : [target.energy];
  const period = { fromMs: range.fromMs, toMs: throughMs };
  let adjustmentExact = 0;
  let institutions = 0;
  let normalizedInstitutions = 0;
  const notNormalized: (NotNormalized & { energy: Energy })[] = [];
  for (const energy of energies) {
    const outcomes = await normalizeInstitutions(source, scope, energy, period, reference, { cache });
    const perUnit = unit.mode === 'kgce' ? source.coefficients.kgcePerUnit[energy] : 1;
    institutions += outcomes.length;
    for (const o of outcomes) {
      if (!o.ok) {
        const { ok: _, ...rest } = o;
        notNormalized.push({ energy, ...rest });
        continue;
      }
      normalizedInstitutions++;
      adjustmentExact += (o.totalExact - o.currentExact) * perUnit;
    }
  }
  return {
    status: 'normalized',
    reference: label,
    throughMs,
    adjustmentExact,
    institutions,
    normalizedInstitutions,
    notNormalized,
  };
}
