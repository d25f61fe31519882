/** The time-of-use bands the cost tests use: 谷 00–08, 峰 08–12 and 18–22, 平 12–18 and 22–24 (eight hours each). */
export const TOU_BANDS = [
  { name: 'valley', hours: [[0, 8]], priceYuanPerUnit: 0.3125 },
  {
    name: 'peak',
    hours: [
      [8, 12],
      [18, 22],
    ],
    priceYuanPerUnit: 1.0625,
  },
  {
    name: 'flat',
    hours: [
      [12, 18],
      [22, 24],
    ],
    priceYuanPerUnit: 0.654321,
  },
] as const;

/** The price of TOU_BANDS at a local hour. */
export const touPrice = (hour: number): number =>
  hour < 8 ? 0.3125 : hour < 12 || (hour >= 18 && hour < 22) ? 1.0625 : 0.654321;

/** An electricity time-of-use tariff with TOU_BANDS from a local day. */
export function touTariff(from: string) {
  return {
    energy: 'electricity' as const,
    from,
    bands: TOU_BANDS.map((b) => ({ ...b, hours: b.hours.map((h) => [...h] as [number, number]) })),
  };
}
