/**
 * Local calendar dates as the API takes them (`YYYY-MM-DD`, in the platform's TIMEZONE). The zone
 * starts as Asia/Shanghai (the default) and follows what /consumption answers.
 */

let zone = 'Asia/Shanghai';

/** Adopts the platform's time zone (from a /consumption answer). */
export function useTimeZone(timeZone: string): void {
  zone = timeZone;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Today in the platform's zone, `YYYY-MM-DD`. */
export function today(nowMs = Date.now()): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' })
    .formatToParts(new Date(nowMs))
    .reduce<Record<string, string>>((acc, p) => {
      acc[p.type] = p.value;
      return acc;
    }, {});
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** The current hour in the platform's zone, `YYYY-MM-DDTHH:00`. */
export function thisHour(nowMs = Date.now()): string {
  const hour = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', hourCycle: 'h23' }).format(
    new Date(nowMs),
  );
  return `${today(nowMs)}T${hour.padStart(2, '0')}:00`;
}

/** A date plus `days` (negative: back), `YYYY-MM-DD`. */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date.slice(0, 10)}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** `YYYY-MM` of a date. */
export const monthOf = (date: string): string => date.slice(0, 7);

/** The first day of a month `YYYY-MM`, and of the month after it. */
export function monthRange(month: string): { from: string; to: string } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const next = m === 12 ? `${y + 1}-01` : `${y}-${pad(m + 1)}`;
  return { from: `${month}-01`, to: `${next}-01` };
}

/** The first day of a year and of the next. */
export function yearRange(year: string): { from: string; to: string } {
  return { from: `${year}-01-01`, to: `${Number(year) + 1}-01-01` };
}

/** The same local date or date-time one year earlier (29 Feb → 28 Feb). */
export function lastYear(dateOrDateTime: string): string {
  const y = Number(dateOrDateTime.slice(0, 4)) - 1;
  const rest = dateOrDateTime.slice(4);
  return rest.startsWith('-02-29') ? `${y}-02-28${rest.slice(6)}` : `${y}${rest}`;
}

/** A bucket's label: `MM-DD HH:00` for hours, `MM-DD` for days, `YYYY-MM` for months. */
export function bucketLabel(start: string, interval: string): string {
  if (interval === 'hour') return `${start.slice(5, 10)} ${start.slice(11, 16)}`;
  if (interval === 'day') return start.slice(5, 10);
  if (interval === 'month') return start.slice(0, 7);
  return start.slice(0, 4);
}

/** The platform zone's offset at an instant, `+08:00`. */
function offsetAt(ms: number): string {
  const name =
    new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' })
      .formatToParts(new Date(ms))
      .find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-]\d{2}):?(\d{2})?/.exec(name);
  return m === null ? '+00:00' : `${m[1]}:${m[2] ?? '00'}`;
}

const offsetMs = (offset: string) =>
  (offset.startsWith('-') ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6))) * 60_000;

/**
 * A local date-time of the platform's zone (`YYYY-MM-DDTHH:mm`, as `<input type=datetime-local>`
 * gives it) as ISO 8601 with that zone's offset, e.g. `2026-11-05T10:30:00+08:00`.
 */
export function zonedIso(local: string): string {
  const wall = Date.parse(`${local.slice(0, 16)}:00Z`);
  const offset = offsetAt(wall - offsetMs(offsetAt(wall)));
  return `${local.slice(0, 16)}:00${offset}`;
}

/** Now in the platform's zone as `YYYY-MM-DDTHH:mm` (a datetime-local input's value). */
export function nowLocal(nowMs = Date.now()): string {
  const local = new Date(nowMs + offsetMs(offsetAt(nowMs)));
  return local.toISOString().slice(0, 16);
}
