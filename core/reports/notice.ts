import type { Energy } from '../domain/energy.js';
import type { MeterEventInput } from '../domain/meter-events.js';
import { type InstitutionType, InstitutionTypeSchema } from '../domain/registry.js';
import { formatScope, type Scope } from '../domain/scope.js';
import { isReductionTarget } from '../domain/targets.js';
import { badRequest } from '../errors.js';
import { type ReductionProgress, reductionProgress } from '../reduction-progress.js';
import { institutionsInScope } from './assemble.js';
import { generateReport, type ReportSource } from './generate.js';
import { change, INTENSITY_DECIMALS, type InstitutionRow, RATIO_DECIMALS, type ReportModel, roundTo } from './model.js';
import { NOTICE_NORMALIZE_METHOD, type NoticeNormalization, noticeNormalization } from './notice-normalize.js';
import { parseReportPeriod, parseReportScope, type ReportPeriod } from './params.js';
import { ranks } from './ranking.js';

/** The headline indicators of the public notice (通报), DOMAIN.md "The statutory year". */
export const NOTICE_METRICS = ['kgce_per_m2', 'kgce_per_person', 'water_m3_per_person'] as const;
/** A headline indicator. */
export type NoticeMetric = (typeof NOTICE_METRICS)[number];

/** The unit of each indicator. */
export const NOTICE_UNITS: Readonly<Record<NoticeMetric, string>> = Object.freeze({
  kgce_per_m2: 'kgce/m2',
  kgce_per_person: 'kgce/person',
  water_m3_per_person: 'm3/person',
});

/** Why an institution is listed without a rank. */
export type UnrankedReason = 'no_floor_area' | 'no_persons' | 'no_data';

/** One institution under one indicator. */
export interface NoticeEntry {
  /** Competition rank within the type, 1 = the highest figure (as `/reports/ranking`); null: unranked. */
  readonly rank: number | null;
  readonly institutionId: string;
  readonly name: string;
  readonly districtId: string;
  readonly districtName: string;
  /** The indicator, rounded once from the exact figures (intensity decimals); null: unranked. */
  readonly value: number | null;
  /** (value − type average) / type average, of the exact figures; null without either. */
  readonly deviation: number | null;
  /** The same indicator the year before (that year's floor area and persons); null without data. */
  readonly lastYear: number | null;
  /** (value − lastYear) / lastYear; null without last year's figure, and while the year is not over. */
  readonly yoyChange: number | null;
  /** Completeness of the institution's data over the year, shown beside its figure. */
  readonly completeness: number | null;
  readonly unranked: UnrankedReason | null;
  /**
   * With `normalize=weather` (kgce indicators): the change on last year with this year put under
   * last year's weather (`notice-normalize.ts`); null while the year runs, without last year's
   * figure, or when none of the institution's energies could be normalised.
   */
  readonly yoyChangeNormalized?: number | null;
}

/** One indicator of one institution type: the type's average and its institutions, ranked then unranked. */
export interface NoticeIndicator {
  readonly metric: NoticeMetric;
  readonly unit: string;
  /**
   * The type's average: the aggregate ratio Σ numerator / Σ denominator over its ranked institutions
   * (total kgce over total floor area …), as the statistics system's roll-ups compute it; null when
   * none is ranked.
   */
  readonly average: number | null;
  /** The same average the year before, over the institutions ranked that year. */
  readonly averageLastYear: number | null;
  readonly averageYoyChange: number | null;
  readonly entries: readonly NoticeEntry[];
}

/** One institution type (peer group) of the notice. */
export interface NoticeGroup {
  readonly type: InstitutionType;
  readonly institutions: number;
  readonly indicators: readonly NoticeIndicator[];
  /**
   * Five-year reduction targets (issue 16, item 6: e.g. −5 % kgce/m² against 2020) set on the
   * type's institutions whose span holds the year, with their progress as of the year; null when
   * none. The XLSX and PDF show them with the scope's own (notice-targets-export.ts).
   */
  readonly targets: readonly ReductionProgress[] | null;
}

/** The public notice (通报) of a year: per institution type, institutions ranked by the headline indicators. */
export interface Notice {
  readonly schema: 'jieneng.notice/1';
  readonly year: string;
  /** `city` or `district:ID`. */
  readonly scope: string;
  readonly scopeName: string;
  readonly from: string;
  readonly to: string;
  readonly generatedAt: string;
  /** True when the year was not over at generation: figures are to date. */
  readonly partial: boolean;
  /** The coefficient table of the kgce figures. */
  readonly coefficients: string;
  /** Water is a resource: its indicator is in m³, and it is not in the kgce ones. */
  readonly waterExcludedFromKgce: true;
  readonly completenessThreshold: number;
  readonly groups: readonly NoticeGroup[];
  /** Five-year reduction targets of the notice's scope itself (`city` or `district:ID`), as of the year; null when none. */
  readonly targets: readonly ReductionProgress[] | null;
  /** With `normalize=weather`: how the normalised changes were obtained and which institutions' energies count raw. */
  readonly weatherNormalization?: NoticeWeatherNote;
}

/** The note of a weather-normalised notice. */
export interface NoticeWeatherNote {
  readonly method: string;
  /** The year whose weather the year is put under. */
  readonly referenceYear: number;
  /** Institutions with at least one energy normalised. */
  readonly normalizedInstitutions: number;
  /** Institution-energies not normalised (counted raw), with the institution's name and why. */
  readonly notNormalized: readonly {
    readonly institutionId: string;
    readonly name: string;
    readonly energy: Energy;
    readonly weatherStationId: string | null;
    readonly code: string;
    readonly reason: string;
  }[];
}

/** Reduction targets' progress for a notice: the scope's own, and its institutions' by id. */
export interface NoticeTargets {
  readonly scope: readonly ReductionProgress[];
  readonly byInstitution: ReadonlyMap<string, readonly ReductionProgress[]>;
}

/** An indicator's exact numerator and denominator of a row (micro-units), or why it has none. */
function parts(row: InstitutionRow, metric: NoticeMetric): { num: number; den: number } | UnrankedReason {
  const water = row.energies.find((l) => l.energy === 'water');
  const hasEnergy = row.energies.some((l) => l.countsAsEnergy);
  const den = metric === 'kgce_per_m2' ? row.exact.floorAreaM2Micro : row.exact.occupantsMicro;
  if (!(den > 0)) return metric === 'kgce_per_m2' ? 'no_floor_area' : 'no_persons';
  if (metric === 'water_m3_per_person')
    return water === undefined || water.exact.amountMicro === 0 ? 'no_data' : { num: water.exact.amountMicro, den };
  return !hasEnergy || row.exact.kgceMicro === 0 ? 'no_data' : { num: row.exact.kgceMicro, den };
}

/** Σ numerators / Σ denominators of the figures; null without any. */
function aggregateRatio(figures: readonly { num: number; den: number }[]): number | null {
  const den = figures.reduce((s, f) => s + f.den, 0);
  return figures.length === 0 || !(den > 0) ? null : figures.reduce((s, f) => s + f.num, 0) / den;
}

const shown = (x: number | null) => (x === null ? null : roundTo(x, INTENSITY_DECIMALS));

function indicator(
  rows: readonly InstitutionRow[],
  last: ReadonlyMap<string, InstitutionRow>,
  metric: NoticeMetric,
  partial: boolean,
  normalization?: NoticeNormalization,
): NoticeIndicator {
  // A year to date is not compared with a whole year: no year-on-year change while the year runs.
  const yoy = (current: number | null, reference: number | null) =>
    partial || current === null ? null : change(current, reference);
  const valued = rows.map((row) => ({ row, p: parts(row, metric) }));
  const ranked = valued.flatMap((v) =>
    typeof v.p === 'string' ? [] : [{ row: v.row, ...v.p, exact: v.p.num / v.p.den }],
  );
  const lastParts = rows.flatMap((r) => {
    const l = last.get(r.institutionId);
    const p = l === undefined ? undefined : parts(l, metric);
    return p === undefined || typeof p === 'string' ? [] : [{ id: r.institutionId, ...p }];
  });
  const lastOf = new Map(lastParts.map((p) => [p.id, p.num / p.den]));
  const average = aggregateRatio(ranked);
  const averageLastYear = aggregateRatio(lastParts);
  const sorted = ranked
    .map((r) => ({ ...r, value: roundTo(r.exact, INTENSITY_DECIMALS) }))
    .sort((a, b) => b.value - a.value || a.row.institutionId.localeCompare(b.row.institutionId));
  const rs = ranks(sorted.map((r) => r.value));
  const entry = (row: InstitutionRow, rank: number | null, exact: number | null, unranked: UnrankedReason | null) => {
    const lastYear = lastOf.get(row.institutionId) ?? null;
    const adjustment = normalization?.adjustmentKgceMicro.get(row.institutionId);
    const p = parts(row, metric);
    const normalized =
      normalization === undefined
        ? {}
        : {
            yoyChangeNormalized:
              metric === 'water_m3_per_person' || adjustment === undefined || typeof p === 'string'
                ? null
                : yoy((p.num + adjustment) / p.den, lastYear),
          };
    return {
      rank,
      institutionId: row.institutionId,
      name: row.name,
      districtId: row.districtId,
      districtName: row.districtName,
      value: shown(exact),
      deviation: exact === null || average === null ? null : roundDeviation(exact, average),
      lastYear: shown(lastYear),
      yoyChange: yoy(exact, lastYear),
      completeness: row.completeness,
      unranked,
      ...normalized,
    };
  };
  return {
    metric,
    unit: NOTICE_UNITS[metric],
    average: shown(average),
    averageLastYear: shown(averageLastYear),
    averageYoyChange: yoy(average, averageLastYear),
    entries: [
      ...sorted.map((r, i) => entry(r.row, rs[i] ?? null, r.exact, null)),
      ...valued.flatMap((v) => (typeof v.p === 'string' ? [entry(v.row, null, null, v.p)] : [])),
    ],
  };
}

function roundDeviation(value: number, average: number): number | null {
  return average > 0 ? roundTo((value - average) / average, RATIO_DECIMALS) : null;
}

/**
 * The public notice of a year from its annual report and the previous year's (for year-on-year
 * changes; undefined: none): per institution type, each headline indicator with the type's
 * average, every institution's rank, deviation from the average and change on last year. Every
 * figure is a quotient of exact figures rounded once (issue 16, item 7). Pure.
 */
export function buildNotice(
  model: ReportModel,
  previous: ReportModel | undefined,
  targets?: NoticeTargets,
  normalization?: NoticeNormalization,
): Notice {
  const orNull = <T>(list: readonly T[]) => (list.length === 0 ? null : list);
  const last = new Map((previous?.institutions ?? []).map((r) => [r.institutionId, r]));
  const groups = InstitutionTypeSchema.options.flatMap((type): NoticeGroup[] => {
    const rows = model.institutions.filter((r) => r.type === type);
    if (rows.length === 0) return [];
    return [
      {
        type,
        institutions: rows.length,
        indicators: NOTICE_METRICS.map((m) => indicator(rows, last, m, model.partial, normalization)),
        targets: orNull(rows.flatMap((r) => targets?.byInstitution.get(r.institutionId) ?? [])),
      },
    ];
  });
  return {
    schema: 'jieneng.notice/1',
    year: model.period,
    scope: model.scope,
    scopeName: model.scopeName,
    from: model.from,
    to: model.to,
    generatedAt: model.generatedAt,
    partial: model.partial,
    coefficients: model.coefficients.version,
    waterExcludedFromKgce: true,
    completenessThreshold: model.completenessThreshold,
    groups,
    targets: orNull(targets?.scope ?? []),
    ...(normalization === undefined ? {} : { weatherNormalization: weatherNote(model, normalization) }),
  };
}

function weatherNote(model: ReportModel, n: NoticeNormalization): NoticeWeatherNote {
  const names = new Map(model.institutions.map((r) => [r.institutionId, r.name]));
  return {
    method: NOTICE_NORMALIZE_METHOD,
    referenceYear: n.referenceYear,
    normalizedInstitutions: n.adjustmentKgceMicro.size,
    notNormalized: n.notNormalized.map((x) => ({
      institutionId: x.institutionId,
      name: names.get(x.institutionId) ?? x.institutionId,
      energy: x.energy,
      weatherStationId: x.weatherStationId,
      code: x.code,
      reason: x.reason,
    })),
  };
}

/**
 * Validates a notice request (`year`, `scope` city or district:ID; 400s naming the field) and builds
 * the notice from the year's annual report and the year before's, both figures only.
 */
export async function noticeFor(
  source: ReportSource,
  request: { year: string | undefined; scope: string | undefined; normalize?: 'weather' },
  meters?: { readonly eventsOf: (meterId: string) => readonly MeterEventInput[] },
): Promise<Notice> {
  const period = parseReportPeriod('annual', request.year, source.timeZone, source.now());
  const scope: Scope = parseReportScope(request.scope, source.registry());
  if (scope.level === 'institution')
    throw badRequest('scope', 'a notice ranks institutions: expected city or district:ID');
  const year = Number(period.period);
  const before: ReportPeriod | undefined =
    year > 2000 ? parseReportPeriod('annual', String(year - 1), source.timeZone, source.now()) : undefined;
  const nowMs = source.now();
  const normalizing =
    request.normalize === 'weather'
      ? noticeNormalization(
          { ...source, registry: source.registry(), nowMs, eventsOf: meters?.eventsOf ?? (() => []) },
          scope,
          year,
        )
      : undefined;
  const [model, previous, targets, normalization] = await Promise.all([
    generateReport(source, period, scope, { figuresOnly: true }),
    before === undefined ? undefined : generateReport(source, before, scope, { figuresOnly: true }),
    noticeTargets(source, scope, year),
    normalizing,
  ]);
  return buildNotice(model, previous, targets, normalization);
}

/**
 * The progress, as of `year`, of the reduction targets of a notice's scope and of its institutions
 * whose span (base year to target year) holds the year (issue 16, item 6).
 */
async function noticeTargets(source: ReportSource, scope: Scope, year: number): Promise<NoticeTargets> {
  const registry = source.registry();
  const own = formatScope(scope);
  const ids = new Set(institutionsInScope(registry, scope).map((i) => `institution:${i.id}`));
  const chosen = (await source.store.targets())
    .filter(isReductionTarget)
    .filter((t) => (t.scope === own || ids.has(t.scope)) && t.baseYear <= year && year <= Number(t.period));
  const progress = await reductionProgress(source.store, registry, chosen, {
    nowMs: source.now(),
    year,
    timeZone: source.timeZone,
    coefficients: source.coefficients,
    ...(source.defaultGridRegion === undefined ? {} : { defaultGridRegion: source.defaultGridRegion }),
  });
  const byInstitution = new Map<string, ReductionProgress[]>();
  for (const p of progress) {
    if (p.scope === own) continue;
    const id = p.scope.slice('institution:'.length);
    byInstitution.set(id, [...(byInstitution.get(id) ?? []), p]);
  }
  return { scope: progress.filter((p) => p.scope === own), byInstitution };
}
