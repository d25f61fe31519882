/**
 * The notice's weather-normalised year-on-year change (issue 18, item 4): each institution's year
 * put under the year before's weather, energy by energy, each with its own CalTRACK daily model of
 * the year and its own station, so that a cold winter does not read as waste. The adjustment
 * (use under last year's weather − use, on the days that could be modelled) is added in kgce to
 * the institution's exact kgce; an energy that cannot be normalised counts raw and is listed.
 * Water is not normalised (its indicator is per person and not weather-driven).
 */
import { type CoefficientTable, ENERGY_INFO, type Energy } from '../domain/energy.js';
import { metersInScope } from '../domain/quality.js';
import { meterKind } from '../domain/registry.js';
import type { Scope } from '../domain/scope.js';
import { localToEpochMs } from '../domain/time.js';
import type { NotNormalized } from '../domain/weather-normalized.js';
import { type InstitutionsSource, StationCache } from '../mv/normalize-institutions.js';
import { normalizeInstitutions } from '../mv/normalize-scope.js';

/** How the notice's normalised change is obtained, as it says. */
export const NOTICE_NORMALIZE_METHOD =
  "each institution's year under the year before's weather, energy by energy (CalTRACK daily model of the year, the institution's station); energies not normalised count raw; water not normalised";

/** The weather normalisation of a notice's year. */
export interface NoticeNormalization {
  /** The year whose weather the year is put under (the year before). */
  readonly referenceYear: number;
  /** Σ over the institution's normalised energies of the adjustment, kgce micro-units; absent: none normalised. */
  readonly adjustmentKgceMicro: ReadonlyMap<string, number>;
  readonly notNormalized: readonly (NotNormalized & { readonly energy: Energy })[];
}

/** The energies counted in kgce that meters of the scope measure. */
function energiesOf(source: InstitutionsSource, scope: Scope): Energy[] {
  const energies = metersInScope(source.registry, scope)
    .filter((m) => meterKind(m) !== 'virtual' && ENERGY_INFO[m.energy].countsAsEnergy)
    .map((m) => m.energy);
  return [...new Set(energies)].sort();
}

/**
 * Normalises the year of each institution of the scope (a district or the city) to the year
 * before's weather: one daily query per energy, one model per institution and energy (staged
 * balance-point search), one weather read per station.
 */
export async function noticeNormalization(
  source: InstitutionsSource & { readonly coefficients: CoefficientTable },
  scope: Scope,
  year: number,
): Promise<NoticeNormalization> {
  const period = {
    fromMs: localToEpochMs(source.timeZone, year, 1),
    toMs: localToEpochMs(source.timeZone, year + 1, 1),
  };
  const cache = new StationCache(source);
  const adjustment = new Map<string, number>();
  const notNormalized: (NotNormalized & { energy: Energy })[] = [];
  for (const energy of energiesOf(source, scope)) {
    const outcomes = await normalizeInstitutions(
      source,
      scope,
      energy,
      period,
      { kind: 'year', year: year - 1 },
      { cache },
    );
    const kgcePerUnit = source.coefficients.kgcePerUnit[energy];
    for (const o of outcomes) {
      if (!o.ok) {
        const { ok: _, ...rest } = o;
        notNormalized.push({ energy, ...rest });
        continue;
      }
      const micro = (o.totalExact - o.currentExact) * kgcePerUnit * 1e6;
      adjustment.set(o.institutionId, (adjustment.get(o.institutionId) ?? 0) + micro);
    }
  }
  return { referenceYear: year - 1, adjustmentKgceMicro: adjustment, notNormalized };
}
