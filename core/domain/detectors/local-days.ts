/**
 * Local calendar days of an hourly series: the detectors compare an hour or a night with the same
 * local hours of comparable days (workday or rest day), so they first cut a series into days.
 * Days are found with the zone's offset, so they are exact across DST changes (23- and 25-hour
 * days), which Asia/Shanghai does not have.
 */
import { HOUR_MS, localToEpochMs, offsetMs } from '../time.js';
import type { DetectorContext, HourPoint } from './types.js';

const DAY_MS = 86_400_000;
const CACHE_LIMIT = 100_000;
const offsets = new Map<string, number>();
const dayStarts = new Map<string, number>();

/** The zone's offset at the start of a UTC hour, memoised (offsets change on hour boundaries). */
function cachedOffset(hourMs: number, timeZone: string): number {
  const key = `${timeZone}|${hourMs}`;
  let off = offsets.get(key);
  if (off === undefined) {
    off = offsetMs(hourMs, timeZone);
    if (offsets.size > CACHE_LIMIT) offsets.clear();
    offsets.set(key, off);
  }
  return off;
}

function dayStart(dayNumber: number, timeZone: string): number {
  const key = `${timeZone}|${dayNumber}`;
  let start = dayStarts.get(key);
  if (start === undefined) {
    const d = new Date(dayNumber * DAY_MS);
    start = localToEpochMs(timeZone, d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
    if (dayStarts.size > CACHE_LIMIT) dayStarts.clear();
    dayStarts.set(key, start);
  }
  return start;
}

/** The local day containing an instant: its local midnight and the next one. */
export function localDayOf(tMs: number, timeZone: string): { startMs: number; endMs: number } {
  const hourMs = Math.floor(tMs / HOUR_MS) * HOUR_MS;
  let n = Math.floor((tMs + cachedOffset(hourMs, timeZone)) / DAY_MS);
  let startMs = dayStart(n, timeZone);
  if (tMs < startMs) startMs = dayStart(--n, timeZone);
  let endMs = dayStart(n + 1, timeZone);
  if (tMs >= endMs) {
    startMs = endMs;
    endMs = dayStart(++n + 1, timeZone);
  }
  return { startMs, endMs };
}

/** One local day of a series. */
export interface LocalDay {
  /** Local midnight, epoch ms. */
  readonly startMs: number;
  /** The next local midnight. */
  readonly endMs: number;
  readonly workday: boolean;
  /** Consumption by local hour (index 0 = the hour from midnight); undefined where not usable. */
  readonly hours: (number | undefined)[];
  /** Hours with a usable value. */
  readonly usableHours: number;
}

/** Whether an hour may serve as evidence: `good` or `estimated` (suspect and missing never do). */
export function usable(p: HourPoint): boolean {
  return p.quality === 'good' || p.quality === 'estimated';
}

/** The local days from the one holding `firstMs` to the one holding `lastMs`, with their kind. */
type Calendar = readonly Pick<LocalDay, 'startMs' | 'endMs' | 'workday'>[];
const calendars = new WeakMap<DetectorContext['isWorkday'], Map<string, Calendar>>();

/** The calendar of a series' span, memoised per `isWorkday` (every meter of a run shares one). */
function calendarOf(firstMs: number, lastMs: number, ctx: DetectorContext): Calendar {
  let byKey = calendars.get(ctx.isWorkday);
  if (byKey === undefined) {
    byKey = new Map();
    calendars.set(ctx.isWorkday, byKey);
  }
  const key = `${ctx.timeZone}|${firstMs}|${lastMs}`;
  let calendar = byKey.get(key);
  if (calendar === undefined) {
    const days: Calendar[number][] = [];
    for (let d = localDayOf(firstMs, ctx.timeZone); d.startMs <= lastMs; d = localDayOf(d.endMs, ctx.timeZone))
      days.push({ ...d, workday: ctx.isWorkday(d.startMs) });
    calendar = days;
    if (byKey.size > 1000) byKey.clear();
    byKey.set(key, calendar);
  }
  return calendar;
}

/**
 * The local days a series touches before `ctx.nowMs`, in order, every day between the first and
 * the last present (a day without data has no usable hours). A point's hour index is its offset
 * from local midnight in hours.
 */
export function localDays(series: readonly HourPoint[], ctx: DetectorContext): LocalDay[] {
  let first: HourPoint | undefined;
  let last: HourPoint | undefined;
  let sorted = true;
  for (const p of series) {
    if (p.hourStartMs >= ctx.nowMs) continue;
    if (last !== undefined && p.hourStartMs < last.hourStartMs) sorted = false;
    first ??= p;
    last = p;
  }
  if (first === undefined || last === undefined) return [];
  type Draft = { -readonly [K in keyof LocalDay]: LocalDay[K] };
  const days: Draft[] = calendarOf(first.hourStartMs, last.hourStartMs, ctx).map((d) => ({
    startMs: d.startMs,
    endMs: d.endMs,
    workday: d.workday,
    hours: new Array<number | undefined>(Math.round((d.endMs - d.startMs) / HOUR_MS)),
    usableHours: 0,
  }));
  const index = sorted ? undefined : new Map(days.map((d) => [d.startMs, d]));
  let di = 0;
  let day = days[0];
  for (const p of series) {
    if (p.hourStartMs >= ctx.nowMs) continue;
    if (day === undefined || p.hourStartMs >= day.endMs) {
      // Sorted points walk the days forward; others look their day up (as they always did).
      if (index === undefined) {
        while (di < days.length && (days[di] as Draft).endMs <= p.hourStartMs) di++;
        day = days[di];
      } else day = index.get(localDayOf(p.hourStartMs, ctx.timeZone).startMs);
    }
    if (day === undefined || !usable(p)) continue;
    const h = Math.floor((p.hourStartMs - day.startMs) / HOUR_MS);
    const before = day.hours[h];
    day.hours[h] = (before ?? 0) + p.amount;
    if (before === undefined) day.usableHours++;
  }
  return days;
}

/** Values of a day's hours in [fromH, toH) that are present. */
export function hoursBetween(day: LocalDay, fromH: number, toH: number): number[] {
  const out: number[] = [];
  for (let h = Math.max(0, fromH); h < Math.min(day.hours.length, toH); h++) {
    const v = day.hours[h];
    if (v !== undefined) out.push(v);
  }
  return out;
}
