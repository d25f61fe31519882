import { z } from 'zod';
import { HOUR_MS, localParts, localToEpochMs, parseLocalDateTime } from './time.js';
import { NormalizedComparisonSchema, ScopeNormalizedSumSchema } from './weather-normalized.js';

/**
 * Comparisons of a consumption answer with another period (issue 17, item 3): `compare=previous`,
 * `last_year` or a chosen range `FROM..TO` in `GET /api/v1/consumption`.
 */

const DATE_TIME = String.raw`\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2})?`;
const CHOSEN = new RegExp(`^(${DATE_TIME})\\.\\.(${DATE_TIME})$`);

/** The `compare` query parameter: `previous`, `last_year` or `YYYY-MM-DD..YYYY-MM-DD` (local, `to` exclusive). */
export const CompareSchema = z
  .string()
  .refine(
    (s) => s === 'previous' || s === 'last_year' || CHOSEN.test(s),
    'expected previous, last_year or YYYY-MM-DD..YYYY-MM-DD (local dates, the second exclusive)',
  )
  .describe(
    'previous | last_year | YYYY-MM-DD..YYYY-MM-DD (YYYY-MM-DDTHH:mm allowed): adds `comparison`, aligned point by point',
  );

/** A period [fromMs, toMs) of whole hours. */
export interface Period {
  readonly fromMs: number;
  readonly toMs: number;
}

const DAY_MS = 24 * HOUR_MS;
const atMidnight = (p: { hour: number; minute: number; second: number }) =>
  p.hour === 0 && p.minute === 0 && p.second === 0;

/**
 * The period just before `p`, of the same length: the same number of calendar months when `p` is
 * whole local months (March → February, a year → the year before, Q2 → Q1), else of local days when
 * it is whole local days (the 10 days before), else of hours.
 */
export function previousPeriod(p: Period, timeZone: string): Period {
  const f = localParts(p.fromMs, timeZone);
  const t = localParts(p.toMs, timeZone);
  if (atMidnight(f) && atMidnight(t)) {
    if (f.day === 1 && t.day === 1) {
      const months = (t.year - f.year) * 12 + (t.month - f.month);
      return { fromMs: localToEpochMs(timeZone, f.year, f.month - months, 1), toMs: p.fromMs };
    }
    const days = Math.round((Date.UTC(t.year, t.month - 1, t.day) - Date.UTC(f.year, f.month - 1, f.day)) / DAY_MS);
    return { fromMs: localToEpochMs(timeZone, f.year, f.month, f.day - days), toMs: p.fromMs };
  }
  return { fromMs: p.fromMs - (p.toMs - p.fromMs), toMs: p.fromMs };
}

/**
 * The same local date and time a year earlier. 29 February has none: a start on it moves to
 * 28 February; an end at its midnight is the end of 28 February, which a year earlier is 1 March
 * (so [28 Feb, 29 Feb) and [29 Feb, 1 Mar) of a leap year both compare with 28 February).
 */
function yearEarlier(ms: number, timeZone: string, end: boolean): number {
  const p = localParts(ms, timeZone);
  if (p.month === 2 && p.day === 29) {
    if (end && atMidnight(p)) return localToEpochMs(timeZone, p.year - 1, 3, 1);
    return localToEpochMs(timeZone, p.year - 1, 2, 28, p.hour, p.minute);
  }
  return localToEpochMs(timeZone, p.year - 1, p.month, p.day, p.hour, p.minute);
}

/** The same local dates a year earlier (29 February → 28 February, see `yearEarlier`). */
export function lastYearPeriod(p: Period, timeZone: string): Period {
  return { fromMs: yearEarlier(p.fromMs, timeZone, false), toMs: yearEarlier(p.toMs, timeZone, true) };
}

/**
 * The period a `compare` value (CompareSchema) names for the current period `current`; a chosen
 * range must be real local dates on whole hours, `to` after `from`. Bad input is a value.
 */
export function comparisonPeriod(
  compare: string,
  current: Period,
  timeZone: string,
): { ok: true; period: Period } | { ok: false; reason: string } {
  if (compare === 'previous') return { ok: true, period: previousPeriod(current, timeZone) };
  if (compare === 'last_year') return { ok: true, period: lastYearPeriod(current, timeZone) };
  const m = CHOSEN.exec(compare);
  const fromMs = m?.[1] === undefined ? undefined : parseLocalDateTime(m[1], timeZone);
  const toMs = m?.[2] === undefined ? undefined : parseLocalDateTime(m[2], timeZone);
  if (fromMs === undefined || toMs === undefined)
    return { ok: false, reason: 'expected previous, last_year or two real dates YYYY-MM-DD..YYYY-MM-DD' };
  if (fromMs % HOUR_MS !== 0 || toMs % HOUR_MS !== 0) return { ok: false, reason: 'must be on whole hours' };
  if (toMs <= fromMs) return { ok: false, reason: 'the second date must be after the first' };
  return { ok: true, period: { fromMs, toMs } };
}

/** One point of a comparison: the compared period's point i, shown beside the current point i. */
export const ComparisonPointSchema = z.object({
  start: z.string().describe('start of this bucket of the compared period (local ISO 8601)'),
  value: z.number(),
  change: z.number().nullable().describe('(current − this) / this for point i; null when this is 0 or missing'),
});

/**
 * The `comparison` of a consumption answer: the compared period, its series by its own calendar
 * buckets (point i beside the current point i: when the periods differ in bucket count, the
 * shorter series ends first), its total, and the change of the current total against it.
 */
export const ComparisonSchema = z.object({
  from: z.string(),
  to: z.string(),
  series: z.array(ComparisonPointSchema),
  total: z.number(),
  change: z.number().nullable().describe('(current − comparison) / comparison of the totals; null when it is 0'),
  normalized: NormalizedComparisonSchema.optional().describe(
    "normalize=weather: what the compared period's scope would have used under this period's weather (issue 18, item 4)",
  ),
  normalizedSum: ScopeNormalizedSumSchema.optional().describe(
    'normalize=weather on a district or the city: the same per institution, each with its own model and station, summed',
  ),
});
export type Comparison = z.infer<typeof ComparisonSchema>;
