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

/** Decimals of consumption and kgce figures in a report: every sum is of values rounded to this. */
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

/** One energy type of an institution or a subtotal, in its native unit and in kgce. */
export interface EnergyLine extends Changes, Quality {
  readonly energy: Energy;
  /** The native unit, e.g. `kWh`. */
  readonly unit: string;
  readonly amount: number;
  readonly kgce: number;
  /** False for water: shown in its own unit, not added into total kgce. */
  readonly countsAsEnergy: boolean;
  readonly target: TargetAttainment | null;
}

/** Totals of a row or subtotal: kgce (water excluded), intensities, changes, quality, target, anomalies. */
export interface Totals extends Changes, Quality {
  readonly energies: readonly EnergyLine[];
  /** Sum of the energy lines' kgce, water excluded. */
  readonly totalKgce: number;
  /**
   * Floor area (m²) in force over the period (to date when partial), time-weighted where an
   * effective-dated fact changes it inside the period, rounded to 0.01: kgcePerM2 = totalKgce / this.
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
}

/** One institution of a report. */
export interface InstitutionRow extends Totals {
  readonly institutionId: string;
  readonly name: string;
  readonly districtId: string;
  readonly districtName: string;
  readonly type: InstitutionType;
}

/** A subtotal (district or whole scope): every summed figure equals the sum of its rows exactly. */
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

const MICRO = 1_000_000;

/** A value in integer micro-units (what hourly consumption is stored in). */
export function toMicro(x: number): number {
  return Math.round(x * MICRO);
}

/** Rounds to `decimals` (≤ 6) through integer micro-units, so that later sums are exact. */
export function roundTo(x: number, decimals: number): number {
  const step = 10 ** (6 - decimals);
  return (Math.round(toMicro(x) / step) * step) / MICRO;
}

/** The exact decimal sum of values (each of at most 6 decimals), added as integer micro-units. */
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
