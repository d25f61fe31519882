/**
 * Seeded hostile hourly series for the detector equivalence test (series-equivalence.test.ts) and
 * the detector micro-benchmark: daily and weekly shapes with noise, missing, suspect and estimated
 * hours, spikes, zero runs, negative and huge values, constant and empty series, series starting
 * mid-day, in Asia/Shanghai and in Europe/Berlin across its DST changes.
 */

import type { DetectorContext, HourPoint } from '../../core/domain/detectors/types.js';
import { makeIsWorkday } from '../../core/domain/detectors/workdays.js';
import type { Energy } from '../../core/domain/energy.js';
import { parseLocalDateTime } from '../../core/domain/time.js';
import { HOUR_MS, rng } from './series.js';

/** One generated meter: its series, energy and the context to judge it in. */
export interface EquivalenceCase {
  readonly name: string;
  readonly energy: Energy;
  readonly ctx: DetectorContext;
  readonly series: HourPoint[];
}

const ZONES = ['Asia/Shanghai', 'Europe/Berlin'] as const;
const STARTS = ['2026-03-05T00:00', '2026-03-10T13:00', '2026-09-30T05:00', '2026-10-08T00:00', '2026-01-20T07:00'];
const KINDS = ['office', 'home', 'water', 'constant', 'zero', 'missing', 'huge', 'tiny', 'wild'] as const;
const workdayOf = new Map(ZONES.map((z) => [z, makeIsWorkday(z)]));

function shape(kind: (typeof KINDS)[number], hour: number, workday: boolean, base: number): number {
  switch (kind) {
    case 'office':
      return workday && hour >= 8 && hour < 18 ? 5 * base : base;
    case 'home':
      return base * (hour >= 18 && hour < 23 ? 3 : hour < 6 ? 0.6 : 1.2);
    case 'water':
      return hour >= 8 && hour < 18 ? (workday ? base : base / 5) : base / 40;
    case 'constant':
      return base;
    case 'huge':
      return (workday && hour >= 9 && hour < 17 ? 3e12 : 1e12) * base;
    case 'tiny':
      return (hour >= 9 && hour < 17 ? 3e-9 : 1e-9) * base;
    default:
      return base * (1 + (hour % 7));
  }
}

/**
 * `n` seeded cases; `days` hours × 24 each (fewer for some cases). Mostly realistic meters with
 * a few anomalies; the 'zero', 'missing', 'constant', 'huge', 'tiny' and 'wild' kinds are hostile.
 */
export function equivalenceCases(n: number, seed: number, days = 28, hostileShare = 0.4): EquivalenceCase[] {
  const next = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
  const out: EquivalenceCase[] = [];
  for (let i = 0; i < n; i++) {
    const timeZone = pick(ZONES);
    const hostile = next() < hostileShare;
    const kind = hostile ? pick(KINDS) : pick(['office', 'home', 'water'] as const);
    const energy: Energy = kind === 'water' || next() < 0.15 ? 'water' : 'electricity';
    const startMs = parseLocalDateTime(pick(STARTS), timeZone) as number;
    const hours = (next() < 0.1 ? Math.floor(next() * days) + 1 : days) * 24 + (next() < 0.3 ? 7 : 0);
    const base = 1 + next() * 40;
    const noise = kind === 'constant' ? 0 : next() * 0.3;
    const spikes = new Set(Array.from({ length: Math.floor(next() * 4) }, () => Math.floor(next() * hours)));
    const flatFrom = next() < 0.3 ? Math.floor(next() * hours) : -1;
    const flatHours = Math.floor(next() * 40) + 2;
    const missingHours = Math.floor(next() * 30) + 1;
    const tail = next();
    const missingFrom = tail < 0.1 ? hours - missingHours : tail < 0.35 ? Math.floor(next() * hours) : -1;
    const suspectShare = next() < 0.4 ? next() * 0.012 : 0;
    const estimatedShare = next() < 0.4 ? next() * 0.1 : 0;
    // A change late in the series: nights at day load (continuous), a leak, a level step.
    const changeFrom = next() < 0.35 ? hours - Math.floor(next() * 10 * 24) : hours;
    const isWorkday = workdayOf.get(timeZone) as DetectorContext['isWorkday'];
    const series: HourPoint[] = [];
    for (let k = 0; k < hours; k++) {
      const hourStartMs = startMs + k * HOUR_MS;
      // Local hour and day kind from the zone's wall clock (Berlin has 23- and 25-hour days).
      const local = new Date(hourStartMs + (timeZone === 'Asia/Shanghai' ? 8 : 1) * HOUR_MS);
      const hour = local.getUTCHours();
      let amount = shape(kind, hour, isWorkday(Date.UTC(2026, local.getUTCMonth(), local.getUTCDate())), base);
      if (k >= changeFrom) amount = kind === 'office' ? 5 * base : kind === 'water' ? amount + base / 4 : amount * 2.5;
      amount *= 1 + noise * (2 * next() - 1);
      let quality: HourPoint['quality'] = 'good';
      if (spikes.has(k)) amount *= 3 + next() * 20;
      if (kind === 'zero' || (k >= flatFrom && k < flatFrom + flatHours)) amount = 0;
      if (kind === 'wild' && next() < 0.2) amount = (next() - 0.5) * 1e6;
      const r = next();
      if (r < suspectShare) {
        quality = 'suspect';
        amount = next() < 0.5 ? -amount - 1 : amount * 1000;
      } else if (r < suspectShare + estimatedShare) quality = 'estimated';
      if (kind === 'missing' || (k >= missingFrom && k < missingFrom + missingHours)) {
        quality = 'missing';
        amount = 0;
      }
      const readings = quality === 'missing' ? 0 : 4;
      if (quality === 'missing' && next() < 0.5) continue; // an absent hour rather than a missing one
      series.push({ hourStartMs, amount, quality, readings });
    }
    // Now: at the series' end, or a few hours into it (later hours are not data yet).
    const nowMs = startMs + (next() < 0.15 ? Math.floor(next() * hours) : hours) * HOUR_MS;
    out.push({ name: `${i}:${kind}:${timeZone}`, energy, ctx: { timeZone, nowMs, isWorkday }, series });
  }
  return out;
}
