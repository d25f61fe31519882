import { expect, it } from 'vitest';
import type { SeriesStore } from '../../core/storage/store.js';
import { H, indexes, LAST, MIN, quarterHourly, reading, T0 } from './contract-fixtures.js';

const correction = (meterId: string, tsMs: number, reason = 'gateway misread') => ({
  meterId,
  tsMs,
  action: 'invalidate' as const,
  reason,
  createdBy: 'officer',
  createdAtMs: T0 + 10 * H,
});

/** Raw readings, duplicates and conflicts, windows, tails and corrections. */
export function readingContract(store: () => SeriesStore): void {
  it('stores readings and returns those in [from, to) by time, as received', async () => {
    const batch = [reading('light', 30, 10), reading('light', 0, 9), reading('light', 15, 9.5), reading('hvac', 0, 1)];
    const outcome = await store().insertReadings(batch);
    expect(outcome).toEqual({ inserted: batch, duplicates: 0, conflicts: [] });
    expect(await store().readings('light', T0, T0 + 30 * MIN)).toEqual([
      reading('light', 0, 9),
      reading('light', 15, 9.5),
    ]);
    expect((await store().readings('light', T0, T0 + H)).map((r) => r.value)).toEqual([9, 9.5, 10]);
    expect(await store().readings('school', T0, T0 + H)).toEqual([]);
  });

  it('counts redeliveries as duplicates and refuses a different value for a stored instant, also within one call', async () => {
    await store().insertReadings([reading('light', 0, 9)]);
    const outcome = await store().insertReadings([
      reading('light', 0, 9),
      reading('light', 0, 9.1),
      reading('light', 15, 9.5),
      reading('light', 15, 9.5),
      reading('light', 15, 9.6),
    ]);
    expect(outcome.inserted).toEqual([reading('light', 15, 9.5)]);
    expect(outcome.duplicates).toBe(2);
    expect(outcome.conflicts).toEqual([
      { reading: reading('light', 0, 9.1), storedValue: 9 },
      { reading: reading('light', 15, 9.6), storedValue: 9.5 },
    ]);
    expect((await store().readings('light', T0, T0 + H)).map((r) => r.value)).toEqual([9, 9.5]);
  });

  it('treats readings appended with replaceHourly as stored', async () => {
    await store().replaceHourly([], [], [reading('light', 0, 9), reading('light', 15, 9.5)]);
    const outcome = await store().insertReadings([reading('light', 15, 9.5), reading('light', 15, 7)]);
    expect(outcome).toEqual({
      inserted: [],
      duplicates: 1,
      conflicts: [{ reading: reading('light', 15, 7), storedValue: 9.5 }],
    });
    expect(await store().readings('light', T0, T0 + H)).toEqual([reading('light', 0, 9), reading('light', 15, 9.5)]);
  });

  it('gives the readings in [from, to] with `margin` neighbours either side, and whether they reach the ends', async () => {
    await store().insertReadings(quarterHourly('light', 10));
    const at = (i: number) => T0 + 15 * i * MIN;
    const w = await store().readingWindows([{ meterId: 'light', fromMs: at(3), toMs: at(5) }], 2);
    expect(indexes(w.get('light')?.readings ?? [])).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(w.get('light')).toMatchObject({ atStart: false, atEnd: false });
    expect(w.get('light')?.readings[0]).toEqual({ tsMs: at(1), value: 101 });
    const start = (await store().readingWindows([{ meterId: 'light', fromMs: at(1), toMs: at(2) }], 3)).get('light');
    expect(indexes(start?.readings ?? [])).toEqual([0, 1, 2, 3, 4, 5]);
    expect(start).toMatchObject({ atStart: true, atEnd: false });
    const end = (await store().readingWindows([{ meterId: 'light', fromMs: at(8), toMs: LAST }], 3)).get('light');
    expect(indexes(end?.readings ?? [])).toEqual([5, 6, 7, 8, 9]);
    expect(end).toMatchObject({ atStart: false, atEnd: true });
    // Between readings: nothing inside, neighbours only.
    const between = await store().readingWindows([{ meterId: 'light', fromMs: at(4) + MIN, toMs: at(4) + 2 * MIN }], 1);
    expect(indexes(between.get('light')?.readings ?? [])).toEqual([4, 5]);
  });

  it('answers many meters in one call, with an empty window for a meter without readings', async () => {
    await store().insertReadings([...quarterHourly('light', 6), ...quarterHourly('hvac', 3)]);
    const w = await store().readingWindows(
      [
        { meterId: 'light', fromMs: T0 + 30 * MIN, toMs: T0 + 30 * MIN },
        { meterId: 'hvac', fromMs: T0, toMs: LAST },
        { meterId: 'school', fromMs: T0, toMs: LAST },
      ],
      1,
    );
    expect(indexes(w.get('light')?.readings ?? [])).toEqual([1, 2, 3]);
    expect(indexes(w.get('hvac')?.readings ?? [])).toEqual([0, 1, 2]);
    expect(w.get('hvac')).toMatchObject({ atStart: true, atEnd: true });
    expect(w.get('school')).toEqual({ readings: [], atStart: true, atEnd: true });
  });

  it('leaves invalidated readings out of windows (the margin reaches past them) and shows the correction', async () => {
    await store().insertReadings(quarterHourly('light', 10));
    const at = (i: number) => T0 + 15 * i * MIN;
    await store().addCorrection(correction('light', at(6)));
    await store().addCorrection(correction('light', at(2), 'stuck register'));
    const w = (await store().readingWindows([{ meterId: 'light', fromMs: at(4), toMs: at(4) }], 2)).get('light');
    expect(indexes(w?.readings ?? [])).toEqual([1, 3, 4, 5, 7]);
    expect(w).toMatchObject({ atStart: false, atEnd: false });
    const raw = await store().readings('light', at(2), at(3));
    expect(raw).toEqual([{ ...reading('light', 30, 102), correction: correction('light', at(2), 'stuck register') }]);
    expect(await store().corrections()).toEqual([
      correction('light', at(2), 'stuck register'),
      correction('light', at(6)),
    ]);
  });

  it('gives every meter its tail: from the margin-th reading before the hour of its third-newest on', async () => {
    const light = [0, 20, 40, 70, 100, 130, 160].map((m, i) => reading('light', m, 10 + i));
    await store().insertReadings([...light, reading('hvac', 0, 1), reading('hvac', 10, 2)]);
    const minutes = (rs: readonly { tsMs: number }[] | undefined) => (rs ?? []).map((r) => (r.tsMs - T0) / MIN);
    let tails = await store().readingTails(2);
    expect([...tails.keys()].sort()).toEqual(['hvac', 'light']);
    expect(minutes(tails.get('light')?.readings)).toEqual([20, 40, 70, 100, 130, 160]);
    expect(tails.get('light')).toMatchObject({ atStart: false, atEnd: true });
    expect(minutes(tails.get('hvac')?.readings)).toEqual([0, 10]);
    expect(tails.get('hvac')).toMatchObject({ atStart: true, atEnd: true });
    await store().addCorrection(correction('light', T0 + 130 * MIN));
    tails = await store().readingTails(2);
    expect(minutes(tails.get('light')?.readings)).toEqual([20, 40, 70, 100, 160]);
  });
}
