/**
 * Month projected over target (DOMAIN.md: "month-to-date consumption projected past the month's
 * target"). The forecast for the rest of the month repeats the month so far by kind of day and
 * local hour: each remaining hour gets the mean of the same local hour on the month's days of the
 * same kind (workday or rest day), so a month that started with a holiday week is not projected as
 * a month of holidays. Month-to-date plus forecast above the target is a candidate.
 *
 * Too little history (fewer than `minElapsedDays` days of the month with data): the forecast is
 * not trusted; a candidate is raised only when the month-to-date alone already exceeds the target,
 * with the note "insufficient history".
 */
import { nativeUnitOf } from '../energy.js';
import { HOUR_MS, localParts, localToEpochMs } from '../time.js';
import { localDayOf, usable } from './local-days.js';
import { fig, severityOf } from './severity.js';
import { mean } from './stats.js';
import {
  type AnomalyCandidate,
  type DetectorContext,
  type HourPoint,
  INSUFFICIENT_HISTORY,
  type SeriesSubject,
} from './types.js';

/** Options of `detectOverTarget`. */
export interface OverTargetOptions {
  /** Days of the month with data needed to trust the forecast (default 5). */
  readonly minElapsedDays: number;
  /** Projected total must exceed the target by this share (default 0: any excess). */
  readonly marginShare: number;
}

/** Defaults of `detectOverTarget`. */
export const OVER_TARGET_DEFAULTS: OverTargetOptions = Object.freeze({ minElapsedDays: 5, marginShare: 0 });

/** The month's target of a scope and energy. */
export interface MonthTarget {
  /** Local midnight of the month's first day. */
  readonly monthStartMs: number;
  /** The month's target, native unit. */
  readonly targetNative: number;
}

/** Month-to-date and the forecast for the rest of the month, native unit. */
export interface MonthForecast {
  readonly monthToDate: number;
  readonly forecastRest: number;
  readonly projected: number;
  readonly elapsedDays: number;
  readonly monthEndMs: number;
}

/** Month-to-date (points before `ctx.nowMs`) and a day-kind × hour forecast of the rest of the month. */
export function forecastMonth(series: readonly HourPoint[], monthStartMs: number, ctx: DetectorContext): MonthForecast {
  const p = localParts(monthStartMs, ctx.timeZone);
  const monthEndMs = localToEpochMs(ctx.timeZone, p.year + Math.floor(p.month / 12), (p.month % 12) + 1);
  const now = Math.min(ctx.nowMs, monthEndMs);
  const profile = new Map<string, number[]>();
  const days = new Set<number>();
  let monthToDate = 0;
  for (const pt of series) {
    if (pt.hourStartMs < monthStartMs || pt.hourStartMs >= now) continue;
    monthToDate += pt.amount;
    if (!usable(pt)) continue;
    const day = localDayOf(pt.hourStartMs, ctx.timeZone);
    days.add(day.startMs);
    const h = Math.floor((pt.hourStartMs - day.startMs) / HOUR_MS);
    for (const key of [`${ctx.isWorkday(day.startMs)}|${h}`, `any|${h}`, 'any']) {
      const list = profile.get(key) ?? [];
      list.push(pt.amount);
      profile.set(key, list);
    }
  }
  let forecastRest = 0;
  for (let t = Math.ceil(now / HOUR_MS) * HOUR_MS; t < monthEndMs; t += HOUR_MS) {
    const day = localDayOf(t, ctx.timeZone);
    const h = Math.floor((t - day.startMs) / HOUR_MS);
    const values = profile.get(`${ctx.isWorkday(day.startMs)}|${h}`) ?? profile.get(`any|${h}`) ?? profile.get('any');
    forecastRest += values === undefined ? 0 : mean(values);
  }
  return { monthToDate, forecastRest, projected: monthToDate + forecastRest, elapsedDays: days.size, monthEndMs };
}

/** A candidate when the month's projected total (month-to-date + forecast) exceeds its target. */
export function detectOverTarget(
  series: readonly HourPoint[],
  subject: SeriesSubject,
  target: MonthTarget,
  ctx: DetectorContext,
  options: Partial<OverTargetOptions> = {},
): AnomalyCandidate[] {
  const o = { ...OVER_TARGET_DEFAULTS, ...options };
  if (ctx.nowMs <= target.monthStartMs || !(target.targetNative > 0)) return [];
  const f = forecastMonth(series, target.monthStartMs, ctx);
  const insufficient = f.elapsedDays < o.minElapsedDays;
  const observed = insufficient ? f.monthToDate : f.projected;
  const limit = target.targetNative * (1 + o.marginShare);
  if (!(observed > limit)) return [];
  const over = (observed - target.targetNative) / target.targetNative;
  return [
    {
      type: 'over_target',
      scope: subject.scope,
      energy: subject.energy,
      startMs: target.monthStartMs,
      endMs: Math.min(ctx.nowMs, f.monthEndMs),
      severity: insufficient ? 'low' : severityOf(over, 0.1, 0.2),
      evidence: {
        observed: fig(observed),
        expected: fig(target.targetNative),
        bandLow: 0,
        bandHigh: fig(limit),
        unit: nativeUnitOf(subject.energy),
        historyDays: f.elapsedDays,
        monthToDate: fig(f.monthToDate),
        forecast: fig(f.projected),
        forecastRest: fig(f.forecastRest),
        target: fig(target.targetNative),
        overShare: fig(over),
        ...(insufficient ? { note: INSUFFICIENT_HISTORY } : {}),
      },
      wastedNative: fig(Math.max(0, observed - target.targetNative)),
    },
  ];
}
