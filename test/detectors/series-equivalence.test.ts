/**
 * Equivalence oracle of the series detectors: their findings on a seeded set of hostile series
 * (equivalence-series.ts) must stay byte-identical to the committed fixture, so that speeding the
 * detectors up cannot change what they find. Regenerate the fixture deliberately, after a change
 * that is meant to change findings: `UPDATE_DETECTOR_FIXTURE=1 npx vitest run test/detectors/series-equivalence.test.ts`,
 * then `npx biome format --write test/detectors/fixtures/series-equivalence.json`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  detectAfterHours,
  detectContinuous,
  detectFlat,
  detectImplausible,
  detectLeak,
  detectOffline,
  detectSpikes,
  detectStep,
  localDays,
  median,
  quantile,
} from '../../core/domain/detectors/index.js';
import { equivalenceCases } from './equivalence-series.js';
import { HOUR_MS, rng } from './series.js';

const SPIKE_VARIANTS = [
  { comparableDays: 3, minHistoryDays: 0, maxHours: 2 },
  { historyDays: 10, comparableDays: 20, minHistoryDays: 1, minScaleHours: 30, backlogZeroHours: 0 },
  { comparableDays: 5.5, peakQuantile: 0.5, k: 2, minExcessOfPeak: 0, minExcessOfTypical: 0 },
] as const;
const FIXTURE = new URL('./fixtures/series-equivalence.json', import.meta.url);

/** JSON that keeps NaN, ±Infinity and -0 apart from null and 0. */
function exact(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_k, v) =>
      typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0)) ? `#${Object.is(v, -0) ? '-0' : v}` : v,
    ),
  );
}

function findings(): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [i, c] of equivalenceCases(320, 20261207).entries()) {
    const subject = { scope: `meter:${c.name}`, energy: c.energy };
    const days = localDays(c.series, c.ctx);
    const last = c.series.findLast((p) => p.readings > 0 && p.hourStartMs < c.ctx.nowMs);
    out[c.name] = {
      days: [days.length, days.reduce((s, d) => s + d.usableHours, 0), days.map((d) => d.hours.length).join('')],
      spike: detectSpikes(c.series, subject, c.ctx),
      flat: detectFlat(c.series, subject, c.ctx),
      implausible: detectImplausible(c.series, subject, c.ctx),
      offline: detectOffline(
        [
          {
            meterId: c.name,
            energy: c.energy,
            intervalS: 900,
            lastReadingMs: last && last.hourStartMs + HOUR_MS - 900_000,
          },
        ],
        c.ctx,
      ),
      afterHours: detectAfterHours(c.series, subject, c.ctx),
      continuous: detectContinuous(c.series, subject, c.ctx),
      step: detectStep(c.series, subject, c.ctx),
      leak: detectLeak(c.series, subject, c.ctx),
      // Options away from the defaults (every sixth meter): short and empty histories, short spikes.
      spikeOptions: i % 6 === 0 ? detectSpikes(c.series, subject, c.ctx, SPIKE_VARIANTS[(i / 6) % 3]) : [],
    };
  }
  return exact(out) as Record<string, Record<string, unknown>>;
}

describe('series detectors equivalence oracle', () => {
  const actual = findings();
  if (process.env.UPDATE_DETECTOR_FIXTURE === '1') writeFileSync(FIXTURE, `${JSON.stringify(actual, null, 2)}\n`);
  const expected = JSON.parse(readFileSync(FIXTURE, 'utf8')) as typeof actual;

  it('the fixture is not trivially empty', () => {
    const count = (type: string) => Object.values(expected).reduce((s, m) => s + (m[type] as unknown[]).length, 0);
    for (const type of ['spike', 'flat', 'implausible', 'offline', 'afterHours', 'continuous', 'step', 'leak'])
      expect(count(type), type).toBeGreaterThan(3);
    expect(Object.keys(expected)).toHaveLength(320);
  });

  it('every detector finds exactly what the fixture holds', () => {
    for (const [name, byType] of Object.entries(expected))
      for (const [type, list] of Object.entries(byType)) expect(actual[name]?.[type], `${name} ${type}`).toEqual(list);
  });
});

describe('quantile without a full sort', () => {
  it('picks and interpolates the same numbers as a sort, on ties, signs and every size', () => {
    const next = rng(7);
    for (let trial = 0; trial < 3000; trial++) {
      const n = 1 + Math.floor(next() * 80);
      const levels = 1 + Math.floor(next() * 12);
      const values = Array.from({ length: n }, () =>
        next() < 0.1 ? 0 : (Math.floor(next() * levels) - levels / 3) * (next() < 0.5 ? 1 : 1e9),
      );
      const sorted = [...values].sort((a, b) => a - b);
      for (const q of [0, 0.05, 0.5, 0.95, 1, next()]) {
        const pos = q * (n - 1);
        const lo = Math.floor(pos);
        const a = sorted[lo] as number;
        const b = sorted[Math.min(n - 1, lo + 1)] as number;
        expect(quantile(values, q)).toBe(a + (b - a) * (pos - lo));
      }
      expect(median(values)).toBe(quantile(values, 0.5));
    }
  });

  it('keeps the sort of old for non-finite values', () => {
    const reference = (values: number[], q: number) => {
      const sorted = [...values].sort((a, b) => a - b);
      const pos = q * (sorted.length - 1);
      const lo = Math.floor(pos);
      const a = sorted[lo] as number;
      const b = sorted[Math.min(sorted.length - 1, lo + 1)] ?? a;
      return a + (b - a) * (pos - lo);
    };
    const wild = [1, Number.POSITIVE_INFINITY, 3, Number.NaN, Number.NEGATIVE_INFINITY, -2, 5, Number.NaN];
    for (let n = 1; n <= wild.length; n++)
      for (const q of [0, 0.25, 0.5, 0.95, 1])
        expect(quantile(wild.slice(0, n), q)).toBe(reference(wild.slice(0, n), q));
    expect(quantile([], 0.5)).toBeNaN();
  });
});
