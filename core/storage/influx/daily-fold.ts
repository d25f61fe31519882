import { bucketStart, localParts } from '../../domain/time.js';
import { quoteIdent } from './http.js';
import { type DailySums, dailyLine, type HourlyTags, INFLUX } from './schema.js';
import type { rowsOf } from './windows.js';

const H = INFLUX.hourly;
type Series = Parameters<typeof rowsOf>[0];

/** The hourly integer fields a day of the rollup sums, in the order `rawHours` selects them. */
const FIELDS = [
  H.fields.amountMicro,
  H.fields.estimatedMicro,
  H.fields.readings,
  H.fields.qGood,
  H.fields.qEstimated,
  H.fields.qSuspect,
] as const;

/**
 * The InfluxQL reading the raw hours of `where`, one series per tag set (`GROUP BY *`): what
 * `DayFolder` sums by local day and clock hour (InfluxQL cannot group by local hour of day).
 */
export const rawHours = (where: string) =>
  `SELECT ${FIELDS.map((f) => quoteIdent(f)).join(', ')} FROM ${quoteIdent(H.measurement)} WHERE ${where} GROUP BY *`;

interface Day {
  readonly tags: HourlyTags;
  readonly dayStartMs: number;
  /** Sums of FIELDS, in that order. */
  readonly sums: number[];
  readonly byHourMicro: number[];
  /** Whether an hour with `amount_micro` was seen (a day without one has no point, as `sum()` gives none). */
  amounts: boolean;
}

/**
 * Sums raw hourly points (`rawHours` answers) by series and local day of `timeZone`, in integers
 * (exact): the day's sums of the hourly fields, as InfluxDB's `sum()` by `time(1d)` with `tz()` gives
 * them, and `amount_micro` by local clock hour (a DST day's repeated hour adds into one). Hours of
 * one day may come in several answers; `take` hands over the days folded so far.
 */
export class DayFolder {
  private readonly days = new Map<string, Day>();
  /** Local day start and clock hour of an hour's instant (the same instants recur in every series). */
  private readonly local = new Map<number, { day: number; hour: number }>();

  constructor(private readonly timeZone: string) {}

  /** Adds the hours of one answer's series. */
  add(series: Series): void {
    const tagKeys = Object.values(H.tags);
    for (const s of series) {
      const raw = s.tags ?? {};
      const tags: Record<string, string> = {};
      for (const k of tagKeys) {
        const v = raw[k];
        if (typeof v === 'string' && v !== '') tags[k] = v;
      }
      const key = Object.entries(tags)
        .map(([k, v]) => `${k}=${v}`)
        .join('\u0000');
      const col = FIELDS.map((f) => s.columns.indexOf(f));
      const timeCol = s.columns.indexOf('time');
      for (const v of s.values) {
        const t = Number(v[timeCol]);
        let at = this.local.get(t);
        if (at === undefined) {
          at = { day: bucketStart(t, 'day', this.timeZone), hour: localParts(t, this.timeZone).hour };
          this.local.set(t, at);
        }
        const dayKey = `${key}\u0001${at.day}`;
        let day = this.days.get(dayKey);
        if (day === undefined) {
          day = {
            tags,
            dayStartMs: at.day,
            sums: new Array<number>(FIELDS.length).fill(0),
            byHourMicro: new Array<number>(24).fill(0),
            amounts: false,
          };
          this.days.set(dayKey, day);
        }
        for (let i = 0; i < FIELDS.length; i++) {
          const x = v[col[i] ?? -1];
          if (typeof x === 'number') day.sums[i] = (day.sums[i] ?? 0) + x;
        }
        const micro = v[col[0] ?? -1];
        if (typeof micro === 'number') {
          day.amounts = true;
          day.byHourMicro[at.hour] = (day.byHourMicro[at.hour] ?? 0) + micro;
        }
      }
    }
  }

  /** The days folded so far (those with an amount), as `dailyLine` writes them; the folder is emptied. */
  take(): { tags: HourlyTags; sums: DailySums }[] {
    const out = [...this.days.values()]
      .filter((d) => d.amounts)
      .map((d) => {
        const [amountMicro, estimatedMicro, readings, goodHours, estimatedHours, suspectHours] = d.sums as [
          number,
          number,
          number,
          number,
          number,
          number,
        ];
        const sums: DailySums = {
          dayStartMs: d.dayStartMs,
          amountMicro,
          estimatedMicro,
          readings,
          goodHours,
          estimatedHours,
          suspectHours,
          byHourMicro: d.byHourMicro,
        };
        return { tags: d.tags, sums };
      });
    this.days.clear();
    return out;
  }
}

/** The days of `take` as lines. */
export const dayLines = (days: readonly { tags: HourlyTags; sums: DailySums }[]) =>
  days.map((d) => dailyLine(d.sums, d.tags));
