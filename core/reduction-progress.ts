import { factTimelines } from './domain/facts.js';
import {
  pathPct,
  type ReductionStatus,
  reductionPctOf,
  reductionStatus,
  targetYearOf,
} from './domain/reduction-targets.js';
import type { Registry } from './domain/registry.js';
import type { ReductionTarget } from './domain/targets.js';
import { HOUR_MS, localParts, localToEpochMs } from './domain/time.js';
import { INTENSITY_DECIMALS, roundTo } from './reports/model.js';
import type { Store } from './storage/store.js';
import { type TargetMeasureOptions, targetMeasure } from './targets-progress.js';

/** Reductions in % are shown with two decimals (a ratio's four). */
const PCT_DECIMALS = 2;

/** One year of a reduction target: its value, its reduction against the base and the linear path's. */
export interface ReductionYear {
  readonly year: number;
  /** The year's intensity in the target's unit (to date while the year runs); null without data. */
  readonly value: number | null;
  /** (base − value) / base in %; null without either. */
  readonly reductionPct: number | null;
  /** The reduction the linear path from base year to target year expects by the end of the year, in %. */
  readonly pathPct: number;
  /** True while the year is not over: its value is to date, and it does not set the status. */
  readonly partial: boolean;
}

/** How a five-year reduction target stands (issue 16, item 6); every figure rounded once from exact ones. */
export interface ReductionProgress extends ReductionTarget {
  readonly base: { readonly year: number; readonly value: number | null; readonly partial: boolean };
  /** base × (1 − reductionPct / 100); null without a base value. */
  readonly targetValue: number | null;
  /** Each year after the base year up to the target year, the year asked for and now. */
  readonly years: readonly ReductionYear[];
  /** The reduction of the latest complete year after the base year, in %; null without one. */
  readonly reductionSoFarPct: number | null;
  /** The year `reductionSoFarPct` and the status are of; null without one. */
  readonly asOfYear: number | null;
  readonly status: ReductionStatus;
}

/**
 * The progress of reduction targets up to `year` (default: the target year), from the same figures
 * as `/consumption?interval=year&per=…` and the annual report: each year's amount in the target's
 * unit (kgCO₂ by each year's factors) over the floor area or persons in force that year,
 * time-weighted. A year without consumption or without a divisor has no value.
 */
export async function reductionProgress(
  store: Store,
  registry: Registry,
  targets: readonly ReductionTarget[],
  opts: { nowMs: number; year?: number } & TargetMeasureOptions,
): Promise<ReductionProgress[]> {
  if (targets.length === 0) return [];
  const timelines = factTimelines(await store.facts(), opts.timeZone);
  const nowHour = Math.floor(opts.nowMs / HOUR_MS) * HOUR_MS;
  const currentYear = localParts(nowHour, opts.timeZone).year;
  const yearStart = (y: number) => localToEpochMs(opts.timeZone, y, 1);
  const out: ReductionProgress[] = [];
  for (const target of targets) {
    const measure = targetMeasure(target, registry, timelines, opts);
    if (measure === undefined) continue;
    const last = Math.min(targetYearOf(target), opts.year ?? Number.POSITIVE_INFINITY, currentYear);
    const fromMs = yearStart(target.baseYear);
    const toMs = Math.min(yearStart(last + 1), nowHour);
    const rows = toMs > fromMs ? await store.aggregate({ ...measure.query, fromMs, toMs, interval: 'year' }) : [];
    // Exact figures first; each is rounded once, below.
    const exact = (y: number) => {
      const start = yearStart(y);
      const end = Math.min(yearStart(y + 1), nowHour);
      const inYear = rows.filter((r) => r.bucketStartMs === start);
      const divisor = end > start ? measure.divisor(start, end) : 0;
      const value = inYear.length === 0 || !(divisor > 0) ? null : measure.value(inYear) / divisor;
      return { year: y, value, partial: end < yearStart(y + 1) };
    };
    const base = exact(target.baseYear);
    const baseValue = base.partial || base.value === null || !(base.value > 0) ? null : base.value;
    const years = Array.from({ length: Math.max(0, last - target.baseYear) }, (_, i) => {
      const y = exact(target.baseYear + 1 + i);
      const reduction = baseValue === null || y.value === null ? null : reductionPctOf(baseValue, y.value);
      return { ...y, reduction };
    });
    const latest = years.filter((y) => !y.partial && y.reduction !== null).at(-1);
    const status = reductionStatus(
      target,
      latest?.reduction == null ? undefined : { year: latest.year, reductionPct: latest.reduction },
    );
    const intensity = (x: number | null) => (x === null ? null : roundTo(x, INTENSITY_DECIMALS));
    const pct = (x: number | null) => (x === null ? null : roundTo(x, PCT_DECIMALS));
    out.push({
      ...target,
      base: { year: base.year, value: intensity(base.value), partial: base.partial },
      targetValue: intensity(baseValue === null ? null : baseValue * (1 - target.reductionPct / 100)),
      years: years.map((y) => ({
        year: y.year,
        value: intensity(y.value),
        reductionPct: pct(y.reduction),
        pathPct: roundTo(pathPct(target, y.year), PCT_DECIMALS),
        partial: y.partial,
      })),
      reductionSoFarPct: pct(latest?.reduction ?? null),
      asOfYear: latest?.year ?? null,
      status,
    });
  }
  return out;
}
