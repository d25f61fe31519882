/** Calendar buckets the API aggregates by. */
export type Interval = 'hour' | 'day' | 'month' | 'year';

/** One hour in milliseconds. */
export const HOUR_MS = 3_600_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Local calendar fields of an instant in a time zone. */
export interface LocalParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

/** The local wall-clock fields of an instant, read from the runtime's zone data (~10 µs). */
function formattedParts(epochMs: number, timeZone: string): LocalParts {
  const out: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(epochMs))) {
    if (p.type !== 'literal') out[p.type] = Number(p.value);
  }
  return {
    year: out.year ?? 0,
    month: out.month ?? 0,
    day: out.day ?? 0,
    hour: out.hour ?? 0,
    minute: out.minute ?? 0,
    second: out.second ?? 0,
  };
}

/** The zone's offset at a whole second, from the runtime's zone data. */
function formattedOffsetMs(secondMs: number, timeZone: string): number {
  const p = formattedParts(secondMs, timeZone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - secondMs;
}

/** Offsets by zone and UTC hour, NaN where the offset changes inside the hour. */
const hourOffsets = new Map<string, Map<number, number>>();
/** Hours kept per zone (~58 years of hours): a bound, not a working set. */
const MAX_CACHED_HOURS = 500_000;
/** Years the cache serves; outside them (and for `Date.UTC`'s two-digit years) the zone data is read each time. */
const CACHED_FROM_MS = Date.UTC(1900, 0, 1);
const CACHED_TO_MS = Date.UTC(2200, 0, 1);

/**
 * The offset in force throughout the UTC hour of an instant, or NaN when it changes inside it. Every
 * zone's offsets change at most once an hour, so an hour whose first and last seconds agree has one
 * offset: a request's month of days asks ~100 offsets, which cost a map lookup each, not ~10 µs.
 */
function hourOffsetMs(epochMs: number, timeZone: string): number {
  const hour = Math.floor(epochMs / HOUR_MS);
  let zone = hourOffsets.get(timeZone);
  if (zone === undefined) {
    zone = new Map();
    hourOffsets.set(timeZone, zone);
  }
  let off = zone.get(hour);
  if (off === undefined) {
    const first = formattedOffsetMs(hour * HOUR_MS, timeZone);
    off = first === formattedOffsetMs(hour * HOUR_MS + HOUR_MS - 1000, timeZone) ? first : Number.NaN;
    if (zone.size >= MAX_CACHED_HOURS) zone.clear();
    zone.set(hour, off);
  }
  return off;
}

/** The local wall-clock fields of an instant in a time zone. */
export function localParts(epochMs: number, timeZone: string): LocalParts {
  const second = Math.floor(epochMs / 1000) * 1000;
  if (second < CACHED_FROM_MS || second >= CACHED_TO_MS) return formattedParts(epochMs, timeZone);
  const off = hourOffsetMs(second, timeZone);
  if (Number.isNaN(off)) return formattedParts(epochMs, timeZone);
  const d = new Date(second + off);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  };
}

/** The zone's offset from UTC at an instant, in milliseconds (e.g. +8 h for Asia/Shanghai). */
export function offsetMs(epochMs: number, timeZone: string): number {
  const second = Math.floor(epochMs / 1000) * 1000;
  if (second >= CACHED_FROM_MS && second < CACHED_TO_MS) {
    const off = hourOffsetMs(second, timeZone);
    if (!Number.isNaN(off)) return off;
  }
  return formattedOffsetMs(second, timeZone);
}

/** Whether a time zone name is known to the runtime. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/**
 * The instant of a local wall-clock time. For a time skipped by a DST change the later instant is
 * returned; for a repeated one, the earlier.
 */
export function localToEpochMs(timeZone: string, year: number, month: number, day = 1, hour = 0, minute = 0): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  let guess = wall - offsetMs(wall, timeZone);
  guess = wall - offsetMs(guess, timeZone);
  return guess;
}

const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?$/;

/**
 * Parses `YYYY-MM-DD` or `YYYY-MM-DDTHH:mm` as local time in a zone. Returns undefined for a
 * malformed or impossible date (2026-02-30).
 */
export function parseLocalDateTime(text: string, timeZone: string): number | undefined {
  const m = LOCAL_DATE_TIME.exec(text);
  if (m === null) return undefined;
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4] ?? '0', m[5] ?? '0'].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const probe = new Date(Date.UTC(year, month - 1, day, hour, minute));
  if (probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day || hour > 23 || minute > 59) return undefined;
  return localToEpochMs(timeZone, year, month, day, hour, minute);
}

function pad(n: number, width = 2): string {
  return String(Math.abs(n)).padStart(width, '0');
}

/** ISO 8601 of an instant as local time with its offset, e.g. `2026-11-01T00:00:00+08:00`. */
export function formatLocalIso(epochMs: number, timeZone: string): string {
  const p = localParts(epochMs, timeZone);
  const off = offsetMs(epochMs, timeZone) / 60_000;
  const sign = off < 0 ? '-' : '+';
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}${sign}${pad(Math.trunc(off / 60))}:${pad(off % 60)}`;
}

/** Start of the hour containing an instant (UTC-aligned; see `hasWholeHourOffsets`). */
export function floorHour(epochMs: number): number {
  return Math.floor(epochMs / HOUR_MS) * HOUR_MS;
}

/** Start of the first hour at or after an instant. */
export function ceilHour(epochMs: number): number {
  return Math.ceil(epochMs / HOUR_MS) * HOUR_MS;
}

/** Start of the local calendar bucket containing an instant. */
export function bucketStart(epochMs: number, interval: Interval, timeZone: string): number {
  if (interval === 'hour') return floorHour(epochMs);
  const p = localParts(epochMs, timeZone);
  if (interval === 'day') return localToEpochMs(timeZone, p.year, p.month, p.day);
  if (interval === 'month') return localToEpochMs(timeZone, p.year, p.month);
  return localToEpochMs(timeZone, p.year, 1);
}

/** Start of the local calendar bucket after the one starting at `startMs`. */
export function nextBucketStart(startMs: number, interval: Interval, timeZone: string): number {
  if (interval === 'hour') return startMs + HOUR_MS;
  const p = localParts(startMs, timeZone);
  if (interval === 'day') return localToEpochMs(timeZone, p.year, p.month, p.day + 1);
  if (interval === 'month') return localToEpochMs(timeZone, p.year, p.month + 1);
  return localToEpochMs(timeZone, p.year + 1, 1);
}

/** Starts of every local calendar bucket overlapping [fromMs, toMs). */
export function bucketStarts(fromMs: number, toMs: number, interval: Interval, timeZone: string): number[] {
  const out: number[] = [];
  for (let t = bucketStart(fromMs, interval, timeZone); t < toMs; t = nextBucketStart(t, interval, timeZone))
    out.push(t);
  return out;
}

/**
 * Hourly consumption is kept on UTC hour boundaries, which are local hour boundaries only in zones
 * whose offset is a whole number of hours (all of China; DST zones shift by whole hours too).
 */
export function hasWholeHourOffsets(timeZone: string, year: number): boolean {
  return [0, 3, 6, 9].every((month) => offsetMs(Date.UTC(year, month, 15), timeZone) % HOUR_MS === 0);
}

/**
 * The zone's UTC offset in ms when it is the same throughout [fromMs, toMs] (no daylight-saving
 * change inside), else undefined: a local clock hour is then plain arithmetic on epoch ms.
 */
export function constantOffsetMs(timeZone: string, fromMs: number, toMs: number): number | undefined {
  const first = offsetMs(fromMs, timeZone);
  // Offsets change at most a few times a year and never back within a day: daily samples find any change.
  for (let t = fromMs + 24 * HOUR_MS; t < toMs; t += 24 * HOUR_MS)
    if (offsetMs(t, timeZone) !== first) return undefined;
  return offsetMs(toMs, timeZone) === first ? first : undefined;
}
