import type { Energy } from '../domain/energy.js';
import type { InstitutionType } from '../domain/registry.js';

/** A monthly report (`YYYY-MM`) or an annual one (`YYYY`). */
export type ReportKind = 'monthly' | 'annual';

/** Formats a report is exported in. */
export const REPORT_FORMATS = ['json', 'csv', 'xlsx', 'pdf'] as const;
/** A report export format. */
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** Languages of report labels (Chinese by default). */
export const REPORT_LANGS = ['zh', 'en'] as const;
/** A report label language. */
export type ReportLang = (typeof REPORT_LANGS)[number];

/**
 * Decimals of consumption and kgce figures as presented. Every figure, a total too, is its exact
 * value (integer micro-units, `exact`) rounded once to this: a total is never a sum of rounded parts
 * (issue 16, item 7), so printed rows may differ from their printed total by up to 0.005 each.
 */
export const AMOUNT_DECIMALS = 2;
/** Decimals of intensities (kgce/m², kgce per capita). */
export const INTENSITY_DECIMALS = 4;
/** Decimals of ratios (changes, shares, completeness, attainment; 0.0523 = 5.23 %). */
export const RATIO_DECIMALS = 4;

/** How a scope stands against its target for the period, in the target's own unit. */
export interface TargetAttainment {
  readonly energy: Energy | 'all';
  readonly value: number;
  readonly unit: string;
  /** Consumption of the period in the target's unit. */
  readonly actual: number;
  /** actual / value; null when the target is 0 or the denominator (area, occupants) is missing. */
  readonly attainment: number | null;
}

/** Change against a reference period: (current − reference) / reference; null without reference data. */
export interface Changes {
  /** The previous month's figure (monthly reports only), null when there is none. */
  readonly previous: number | null;
  /** Month-on-month change; always null in annual reports (n/a). */
  readonly momChange: number | null;
  /** The same period last year, null when there is no data. */
  readonly lastYear: number | null;
  /** Year-on-year change. */
  readonly yoyChange: number | null;
}

/** Data quality of a figure: received / expected readings from each meter's interval. */
export interface Quality {
  readonly meters: number;
  readonly expectedReadings: number;
  readonly receivedReadings: number;
  /** received / expected (at most 1); null when no reading was expected (no meter). */
  readonly completeness: number | null;
  /** Share of the consumption spread over gaps (estimated); for totals, weighted by kgce. */
  readonly estimatedShare: number;
}

/**
 * The exact figures of an energy line in integer micro-units (1e-6 of the unit): what the shown
 * figures are rounded from, and what subtotals add up. kgce is `round(amountMicro × coefficient)`
 * per institution and energy; a subtotal's is the sum of its rows'.
 */
export interface ExactLine {
  readonly amountMicro: number;
  readonly kgceMicro: number;
  /** The previous month's and last year's amounts (native); null without data. */
  readonly previousMicro: number | null;
  readonly lastYearMicro: number | null;
  /** Cost in micro-yuan, bills else tariffs (`costByInstitution`); absent in a `figuresOnly` report. */
  readonly costMicro?: number;
  /** kgCO₂ in micro-units, `round(amountMicro × factor)` (`kgco2MicroOf`); null for water; absent when `figuresOnly`. */
  readonly kgco2Micro?: number | null;
}

/** The exact figures of a row or subtotal in integer micro-units, rounded once into the shown ones. */
export interface ExactTotals {
  /** Total kgce, water excluded. */
  readonly kgceMicro: number;
  readonly floorAreaM2Micro: number;
  readonly occupantsMicro: number;
  readonly previousKgceMicro: number | null;
  readonly lastYearKgceMicro: number | null;
  /** Cost of every energy, water included, micro-yuan; absent in a `figuresOnly` report. */
  readonly costMicro?: number;
  /** kgCO₂ of the energy lines (water has none), micro-units; absent in a `figuresOnly` report. */
  readonly kgco2Micro?: number;
}

/** One energy type of an institution or a subtotal, in its native unit and in kgce. */
export interface EnergyLine extends Changes, Quality {
  readonly energy: Energy;
  /** The native unit, e.g. `kWh`. */
  readonly unit: string;
  readonly amount: number;
  readonly kgce: number;
  /** False for water: shown in its own unit, not added into total kgce. */
  readonly countsAsEnergy: boolean;
  /** Cost in yuan to the fen (issue 16, item 1); absent in a `figuresOnly` report. */
  readonly costYuan?: number;
  /** kgCO₂ by the period's year and the institution's grid region (issue 16, item 2); null for water. */
  readonly kgco2?: number | null;
  readonly target: TargetAttainment | null;
  readonly exact: ExactLine;
}

/** Totals of a row or subtotal: kgce (water excluded), intensities, changes, quality, target, anomalies. */
export interface Totals extends Changes, Quality {
  readonly energies: readonly EnergyLine[];
  /** Total kgce of the energy lines, water excluded: the exact sum, rounded once. */
  readonly totalKgce: number;
  /** Cost of every energy, water included, yuan to the fen: the exact sum rounded once; absent when `figuresOnly`. */
  readonly totalCostYuan?: number;
  /** kgCO₂ of the energy lines (water has none), the exact sum rounded once; absent when `figuresOnly`. */
  readonly totalKgco2?: number;
  /**
   * Floor area (m²) in force over the period (to date when partial), time-weighted where an
   * effective-dated fact changes it inside the period, rounded to 0.01; kgcePerM2 is the exact
   * kgce over the exact area, rounded once.
   */
  readonly floorAreaM2: number;
  /** Occupants over the period, the same way (a time-weighted figure may have decimals). */
  readonly occupants: number;
  readonly kgcePerM2: number | null;
  readonly kgcePerCapita: number | null;
  /** The `all` (total kgce) target of the scope and period. */
  readonly target: TargetAttainment | null;
  /** Anomaly events overlapping the period on the scope or its meters. */
  readonly anomalies: number;
  readonly exact: ExactTotals;
}

/** One institution of a report. */
export interface InstitutionRow extends Totals {
  readonly institutionId: string;
  readonly name: string;
  readonly districtId: string;
  readonly districtName: string;
  readonly type: InstitutionType;
}

/** A subtotal (district or whole scope): every summed figure is the exact sum of its rows' exact figures, rounded once. */
export interface Subtotal extends Totals {
  /** `district:ID`, `city` or `institution:ID`. */
  readonly scope: string;
  readonly name: string;
  readonly institutions: number;
}

/** One month of the scope's trend, total kgce (water excluded). */
export interface TrendPoint {
  readonly month: string;
  readonly kgce: number;
}

/** A monthly or annual report of a scope: the data every export (JSON, CSV, XLSX, PDF) is drawn from. */
export interface ReportModel {
  readonly schema: 'jieneng.report/1';
  readonly kind: ReportKind;
  /** `YYYY-MM` or `YYYY`. */
  readonly period: string;
  /** `city`, `district:ID` or `institution:ID`. */
  readonly scope: string;
  readonly scopeName: string;
  readonly timeZone: string;
  /** Local ISO start (inclusive) and end (exclusive) of the period. */
  readonly from: string;
  readonly to: string;
  readonly generatedAt: string;
  /** True when the period was not over at generation: figures are to date. */
  readonly partial: boolean;
  /** The coefficient table used (DOMAIN.md: a report records which table it used). */
  readonly coefficients: {
    readonly version: string;
    readonly source: string;
    readonly kgcePerUnit: Readonly<Partial<Record<Energy, number>>>;
  };
  /** The carbon tables kgCO₂ was converted with; absent in a `figuresOnly` report. */
  readonly carbon?: { readonly grid: string; readonly fuels: string };
  /** Water is a resource, not energy: reported in m³ and not added into total kgce. */
  readonly waterExcludedFromKgce: true;
  /** Completeness below this is flagged (provincial monitoring norms). */
  readonly completenessThreshold: number;
  /** Energy types metered in the scope, in table order. */
  readonly energies: readonly Energy[];
  readonly institutions: readonly InstitutionRow[];
  readonly districts: readonly Subtotal[];
  readonly total: Subtotal;
  /** Ids of institutions whose completeness is below the threshold (shown, never treated as complete). */
  readonly incomplete: readonly string[];
  /** Monthly kgce of the scope over the 12 months ending with the period. */
  readonly trend: readonly TrendPoint[];
}

/** Micro-units per unit: exact figures are carried as integers of 1e-6 of their unit. */
export const MICRO = 1_000_000;

/** A value in integer micro-units (what hourly consumption is stored in). */
export function toMicro(x: number): number {
  return Math.round(x * MICRO);
}

/** Rounds to `decimals` (≤ 6) through integer micro-units, so that later sums are exact. */
export function roundTo(x: number, decimals: number): number {
  const step = 10 ** (6 - decimals);
  return (Math.round(toMicro(x) / step) * step) / MICRO;
}

/** A value in integer micro-units rounded once to `decimals` (≤ 6) for presentation; null stays null. */
export function fromMicro(micro: number, decimals: number): number;
export function fromMicro(micro: number | null, decimals: number): number | null;
export function fromMicro(micro: number | null, decimals: number): number | null {
  if (micro === null) return null;
  const step = 10 ** (6 - decimals);
  return (Math.round(Math.round(micro) / step) * step) / MICRO;
}

/** The integer sum of micro-unit values; null when every value is null. */
export function sumMicro(values: Iterable<number | null>): number | null {
  let sum: number | null = null;
  for (const v of values) if (v !== null) sum = (sum ?? 0) + v;
  return sum;
}

/**
 * The exact decimal sum of values (each of at most 6 decimals), added as integer micro-units.
 * @deprecated A report total is not a sum of shown (rounded) figures: add the `exact` micro-unit
 * figures and round once with `fromMicro` (issue 16, item 7).
 */
export function sumExact(values: Iterable<number>): number {
  let micro = 0;
  for (const v of values) micro += toMicro(v);
  return micro / MICRO;
}

/** `a / b` rounded to ratio decimals; null when b is not positive. */
export function ratio(a: number, b: number): number | null {
  return b > 0 ? roundTo(a / b, RATIO_DECIMALS) : null;
}

/** (current − reference) / reference; null without a reference or when it is 0. */
export function change(current: number, reference: number | null): number | null {
  return reference === null || reference === 0 ? null : roundTo((current - reference) / reference, RATIO_DECIMALS);
}

/** `city`, `district-ID` or `institution-ID`: the scope as a path segment and in file names. */
export function scopeSlug(scope: string): string {
  return scope.replace(':', '-');
}

/** The scope of a slug (`district-gulou` → `district:gulou`); levels hold no `-`, so this is unambiguous. */
export function scopeFromSlug(slug: string): string {
  const dash = slug.indexOf('-');
  return dash < 0 ? slug : `${slug.slice(0, dash)}:${slug.slice(dash + 1)}`;
}

/** The download file name of a report, e.g. `jieneng-2026-10-city.xlsx`. */
export function reportFileName(period: string, scope: string, format: ReportFormat): string {
  return `jieneng-${period}-${scopeSlug(scope)}.${format}`;
}
