/**
 * Builders of hourly series for detector tests: a load profile by local hour and kind of day,
 * seeded multiplicative noise, and edits (anomalies) applied hour by hour. Local days are in
 * Asia/Shanghai, which has no DST, so an hour's local time is its UTC time + 8 h.
 */

import type { DetectorContext, HourPoint } from '../../core/domain/detectors/types.js';
import { makeIsWorkday } from '../../core/domain/detectors/workdays.js';
import { parseLocalDateTime } from '../../core/domain/time.js';

export const TZ = 'Asia/Shanghai';
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
/** Monday 2 March 2026, local midnight: no holiday until Qingming (4–6 April). */
export const START_MS = parseLocalDateTime('2026-03-02', TZ) as number;
const isWorkday = makeIsWorkday(TZ);

/** One hour as the builders see it. */
export interface HourInfo {
  readonly tMs: number;
  /** Day index from the series start. */
  readonly day: number;
  /** Local hour 0–23. */
  readonly hour: number;
  readonly workday: boolean;
}

/** A deterministic generator in [0, 1) (mulberry32). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Options of `series`. */
export interface SeriesOptions {
  readonly days: number;
  /** The clean load of an hour. */
  readonly profile: (h: HourInfo) => number;
  /** Relative noise amplitude: each hour is × (1 ± noise) (default 0.05). */
  readonly noise?: number;
  readonly seed?: number;
  /** An anomaly: the value of an hour from its clean value. */
  readonly edit?: (value: number, h: HourInfo) => number;
  /** Quality of an hour (default good). */
  readonly quality?: (h: HourInfo) => HourPoint['quality'];
  readonly startMs?: number;
}

/** An hourly series from a profile, noise and an edit. */
export function series(o: SeriesOptions): HourPoint[] {
  const next = rng(o.seed ?? 1);
  const noise = o.noise ?? 0.05;
  const out: HourPoint[] = [];
  const start = o.startMs ?? START_MS;
  for (let i = 0; i < o.days * 24; i++) {
    const tMs = start + i * HOUR_MS;
    const day = Math.floor(i / 24);
    const h: HourInfo = { tMs, day, hour: i % 24, workday: isWorkday(start + day * DAY_MS) };
    const clean = o.profile(h) * (1 + noise * (2 * next() - 1));
    out.push({
      hourStartMs: tMs,
      amount: o.edit ? o.edit(clean, h) : clean,
      quality: o.quality?.(h) ?? 'good',
      readings: 4,
    });
  }
  return out;
}

/** A detector context whose present is the end of a series of `days` days. */
export function ctxAt(days: number, startMs = START_MS): DetectorContext {
  return { timeZone: TZ, nowMs: startMs + days * DAY_MS, isWorkday };
}

/** An office's electricity: a night base, working hours 08–18 on workdays, a little on rest days (kWh). */
export function office(h: HourInfo): number {
  if (h.workday) return h.hour >= 8 && h.hour < 18 ? 100 : 20;
  return h.hour >= 9 && h.hour < 17 ? 26 : 20;
}

/** An office's water: a near-zero night, use in working hours (m3). */
export function officeWater(h: HourInfo): number {
  if (h.hour >= 8 && h.hour < 18) return h.workday ? 2 : 0.4;
  return 0.05;
}

/** A subject for candidates. */
export const METER = { scope: 'meter:m-1', energy: 'electricity' } as const;
export const INSTITUTION = { scope: 'institution:i-1', energy: 'electricity' } as const;
export const WATER = { scope: 'meter:w-1', energy: 'water' } as const;
