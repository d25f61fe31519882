import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { comparisonPeriod, lastYearPeriod, previousPeriod } from '../../core/domain/comparison.js';
import { formatLocalIso, parseLocalDateTime } from '../../core/domain/time.js';

const TZ = 'Asia/Shanghai';
const ms = (local: string) => parseLocalDateTime(local, TZ) as number;
const show = (p: { fromMs: number; toMs: number }) => [formatLocalIso(p.fromMs, TZ), formatLocalIso(p.toMs, TZ)];
const period = (from: string, to: string) => ({ fromMs: ms(from), toMs: ms(to) });
const iso = (local: string) => formatLocalIso(ms(local), TZ);

describe('the periods a comparison names (issue 17, item 3)', () => {
  it('takes the previous calendar months of whole months, the previous days of whole days, else hours', () => {
    expect(show(previousPeriod(period('2024-03-01', '2024-04-01'), TZ))).toEqual([
      iso('2024-02-01'),
      iso('2024-03-01'),
    ]);
    expect(show(previousPeriod(period('2024-01-01', '2025-01-01'), TZ))).toEqual([
      iso('2023-01-01'),
      iso('2024-01-01'),
    ]);
    expect(show(previousPeriod(period('2024-04-01', '2024-07-01'), TZ))).toEqual([
      iso('2024-01-01'),
      iso('2024-04-01'),
    ]);
    expect(show(previousPeriod(period('2024-03-10', '2024-03-20'), TZ))).toEqual([
      iso('2024-02-29'),
      iso('2024-03-10'),
    ]);
    expect(show(previousPeriod(period('2024-03-01', '2024-03-15'), TZ))).toEqual([
      iso('2024-02-16'),
      iso('2024-03-01'),
    ]);
    expect(show(previousPeriod(period('2024-03-01T08:00', '2024-03-01T18:00'), TZ))).toEqual([
      iso('2024-02-29T22:00'),
      iso('2024-03-01T08:00'),
    ]);
  });

  it('takes the same local dates a year earlier, 29 February as 28 February', () => {
    expect(show(lastYearPeriod(period('2024-01-01', '2025-01-01'), TZ))).toEqual([
      iso('2023-01-01'),
      iso('2024-01-01'),
    ]);
    expect(show(lastYearPeriod(period('2024-02-29', '2024-03-01'), TZ))).toEqual([
      iso('2023-02-28'),
      iso('2023-03-01'),
    ]);
    expect(show(lastYearPeriod(period('2024-02-28', '2024-02-29'), TZ))).toEqual([
      iso('2023-02-28'),
      iso('2023-03-01'),
    ]);
    expect(show(lastYearPeriod(period('2024-02-29T06:00', '2024-02-29T12:00'), TZ))).toEqual([
      iso('2023-02-28T06:00'),
      iso('2023-02-28T12:00'),
    ]);
    expect(show(lastYearPeriod(period('2025-02-01', '2025-03-01'), TZ))).toEqual([
      iso('2024-02-01'),
      iso('2024-03-01'),
    ]);
  });

  it('gives a non-empty period ending where the current one starts (previous) or a year earlier, for any period', () => {
    const hour = fc.integer({ min: 0, max: 3 * 365 * 24 }).map((h) => ms('2023-01-01') + h * 3_600_000);
    fc.assert(
      fc.property(hour, fc.integer({ min: 1, max: 800 * 24 }), (fromMs, hours) => {
        const p = { fromMs, toMs: fromMs + hours * 3_600_000 };
        const prev = previousPeriod(p, TZ);
        expect(prev.toMs).toBe(p.fromMs);
        expect(prev.fromMs).toBeLessThan(prev.toMs);
        const last = lastYearPeriod(p, TZ);
        expect(last.fromMs).toBeLessThan(last.toMs);
        expect(last.fromMs).toBeLessThan(p.fromMs);
      }),
    );
  });

  it('reads a chosen range of local dates, the second exclusive, and refuses a bad one as a value', () => {
    const current = period('2024-03-01', '2024-04-01');
    const chosen = comparisonPeriod('2023-12-25..2024-01-08', current, TZ);
    expect(chosen.ok && show(chosen.period)).toEqual([iso('2023-12-25'), iso('2024-01-08')]);
    expect(comparisonPeriod('2024-02-30..2024-03-01', current, TZ)).toMatchObject({ ok: false });
    expect(comparisonPeriod('2024-03-01..2024-03-01', current, TZ)).toMatchObject({ ok: false });
    expect(comparisonPeriod('2024-03-01T10:30..2024-03-02', current, TZ)).toMatchObject({ ok: false });
    expect(comparisonPeriod('soon', current, TZ)).toMatchObject({ ok: false });
  });
});
