import { describe, expect, it } from 'vitest';
import { identifyTariffs, MICRO_PER_YUAN, type Tariff, TariffSchema, tariffIndex } from '../../core/domain/tariffs.js';
import { touTariff } from '../helpers/tariffs.js';

const TZ = 'Asia/Shanghai';
const H = 3_600_000;
/** 2026-03-02 00:00 in Shanghai. */
const DAY = Date.parse('2026-03-02T00:00:00+08:00');

/** 谷 00–08, 峰 08–12 and 18–22, 平 12–18 and 22–24: eight hours each, three prices. */
const TOU = touTariff('2026-01-01');

const tariff = (input: unknown): Tariff => {
  const t = TariffSchema.parse(input);
  return { ...t, id: t.id ?? 'x' };
};

const issues = (input: unknown) => {
  const r = TariffSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
};

describe('time-of-use and flat tariffs', () => {
  it('prices every local hour of a day by its band: 1 kWh an hour costs exactly 16.234568 yuan a day', () => {
    const price = tariffIndex([tariff({ ...TOU, id: 'tou' })], TZ);
    const expected = [...Array(8).fill(0.3125), ...Array(4).fill(1.0625), ...Array(6).fill(0.654321)];
    expected.push(...Array(4).fill(1.0625), ...Array(2).fill(0.654321));
    const bands = ['valley', 'peak', 'flat', 'peak', 'flat'].flatMap((b, i) => Array([8, 4, 6, 4, 2][i]).fill(b));
    let dayMicro = 0;
    for (let h = 0; h < 24; h++) {
      const p = price('electricity', 'any', DAY + h * H);
      expect(p?.microYuanPerUnit, `hour ${h}`).toBe(Math.round((expected[h] as number) * MICRO_PER_YUAN));
      expect(p?.band, `hour ${h}`).toBe(bands[h]);
      dayMicro += p?.microYuanPerUnit ?? 0;
    }
    expect(dayMicro).toBe(16_234_568);
  });

  it('takes the latest tariff in force on the local day, the institution’s own before the general one', () => {
    const price = tariffIndex(
      [
        tariff({ id: 'old', energy: 'water', from: '2025-01-01', priceYuanPerUnit: 3 }),
        tariff({ id: 'new', energy: 'water', from: '2026-03-02', priceYuanPerUnit: 4.1 }),
        tariff({ id: 'own', energy: 'water', institutionId: 'i2', from: '2025-06-01', priceYuanPerUnit: 5 }),
      ],
      TZ,
    );
    // 2026-03-01 23:00 local is the day before the new tariff.
    expect(price('water', 'i1', DAY - H)?.tariffId).toBe('old');
    expect(price('water', 'i1', DAY)?.tariffId).toBe('new');
    expect(price('water', undefined, DAY)?.microYuanPerUnit).toBe(4_100_000);
    expect(price('water', 'i2', DAY)?.tariffId).toBe('own');
    expect(price('water', 'i2', Date.parse('2025-05-31T23:00:00+08:00'))?.tariffId).toBe('old');
    expect(price('water', 'i1', Date.parse('2024-12-31T23:00:00+08:00'))).toBeUndefined();
    expect(price('gas', 'i1', DAY)).toBeUndefined();
  });

  it('refuses bands that leave an hour out or cover one twice, bands for water, both or neither price', () => {
    const twice = { ...TOU, bands: [TOU.bands[0], { ...TOU.bands[1], hours: [[7, 12]] }, TOU.bands[2]] };
    expect(issues(twice)).toContainEqual({ path: 'bands.1.hours.0', message: 'hour 7 is in band "valley" already' });
    expect(issues(twice)).toContainEqual({ path: 'bands', message: 'hours 18, 19, 20, 21 are in no band' });
    expect(issues({ ...TOU, energy: 'water' }).map((i) => i.path)).toEqual(['bands']);
    expect(issues({ ...TOU, priceYuanPerUnit: 1 }).map((i) => i.path)).toEqual(['priceYuanPerUnit']);
    expect(issues({ energy: 'water', from: '2026-01-01' }).map((i) => i.path)).toEqual(['priceYuanPerUnit']);
    expect(issues({ energy: 'water', from: '2026-02-30', priceYuanPerUnit: 1 }).map((i) => i.path)).toEqual(['from']);
    expect(issues({ energy: 'water', from: '2026-01-01', priceYuanPerUnit: 1.0000001 })).toEqual([
      { path: 'priceYuanPerUnit', message: 'at most 6 decimals' },
    ]);
    expect(issues({ ...TOU, bands: [{ name: 'flat', hours: [[8, 8]], priceYuanPerUnit: 1 }] })[0]?.path).toBe(
      'bands.0.hours.0',
    );
    expect(issues(TOU)).toEqual([]);
  });

  it('gives tariffs without an id one, and names a second tariff of the same energy, institution and day', () => {
    const parsed = [
      { energy: 'water', from: '2026-01-01', priceYuanPerUnit: 1 },
      { energy: 'water', from: '2026-01-01', priceYuanPerUnit: 2, id: 'other' },
      { energy: 'water', from: '2026-01-01', institutionId: 'i1', priceYuanPerUnit: 2 },
    ].map((t) => TariffSchema.parse(t));
    const { tariffs, problems } = identifyTariffs(parsed);
    expect(tariffs.map((t) => t.id)).toEqual(['water|*|2026-01-01', 'other', 'water|i1|2026-01-01']);
    expect(problems.map((p) => p.path)).toEqual(['tariffs[1].from']);
  });
});
