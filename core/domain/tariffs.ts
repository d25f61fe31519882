import { z } from 'zod';
import { EnergySchema } from './energy.js';
import { IdSchema } from './registry.js';
import { localParts, localToEpochMs } from './time.js';

/**
 * Tariffs (issue "The statutory year", item 1: cost): the price of an energy from a local day on,
 * for every institution or for one. A tariff is flat (one price per native unit) or, for
 * electricity, time-of-use: 尖/峰/平/谷 bands (`sharp`, `peak`, `flat`, `valley`) whose hours
 * cover the local day exactly once, applied hour by hour (hours set by the provincial grid,
 * DOMAIN.md "Cost"). Prices are yuan per native unit (kWh, m³, …) with at most 6 decimals, so that
 * they are whole micro-yuan and costs add up exactly.
 */

/** Micro-yuan in one yuan: prices and costs are computed in whole micro-yuan. */
export const MICRO_PER_YUAN = 1_000_000;

/** A local date `YYYY-MM-DD`. */
export const LocalDateSchema = z.iso.date('expected a date YYYY-MM-DD');

/** A price in yuan per native unit: ≥ 0, at most 6 decimals (a whole number of micro-yuan). */
export const PriceYuanSchema = z
  .number()
  .finite()
  .nonnegative('must be ≥ 0')
  .max(1_000_000)
  .refine((p) => Math.abs(p * MICRO_PER_YUAN - Math.round(p * MICRO_PER_YUAN)) < 1e-6, 'at most 6 decimals');

/** The four time-of-use bands of Chinese electricity tariffs: 尖峰, 高峰, 平段, 低谷. */
export const BandNameSchema = z.enum(['sharp', 'peak', 'flat', 'valley']);

/** Local hours [start, end) of a band, `[0, 8]` = 00:00–08:00; `end` up to 24. */
export const HourSpanSchema = z
  .tuple([z.number().int().min(0).max(23), z.number().int().min(1).max(24)])
  .refine(([start, end]) => start < end, 'expected [startHour, endHour) with startHour < endHour');

/** A time-of-use band: its name, its local hours, its price. */
export const TariffBandSchema = z.object({
  name: BandNameSchema,
  hours: z.array(HourSpanSchema).min(1).max(24),
  priceYuanPerUnit: PriceYuanSchema,
});
/** A time-of-use band. */
export type TariffBand = z.infer<typeof TariffBandSchema>;

/** A tariff as `PUT /api/v1/tariffs` takes it. */
export const TariffSchema = z
  .object({
    /** Given by the platform when absent: `energy|institutionId or *|from`. */
    id: z.string().trim().min(1).max(200).optional(),
    energy: EnergySchema,
    /** Only this institution; none: every institution without its own tariff in force. */
    institutionId: IdSchema.optional(),
    from: LocalDateSchema.describe('the first local day the tariff holds; it holds until the next one of its kind'),
    priceYuanPerUnit: PriceYuanSchema.optional().describe('a flat price per native unit'),
    bands: z.array(TariffBandSchema).min(1).max(4).optional().describe('time-of-use bands (electricity)'),
  })
  .superRefine((t, ctx) => {
    if ((t.priceYuanPerUnit === undefined) === (t.bands === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['priceYuanPerUnit'], message: 'give priceYuanPerUnit or bands, not both' });
      return;
    }
    if (t.bands === undefined) return;
    if (t.energy !== 'electricity')
      ctx.addIssue({ code: 'custom', path: ['bands'], message: 'time-of-use bands apply to electricity only' });
    const owner: (string | undefined)[] = Array.from({ length: 24 }, () => undefined);
    t.bands.forEach((band, b) => {
      if (t.bands?.findIndex((x) => x.name === band.name) !== b)
        ctx.addIssue({ code: 'custom', path: ['bands', b, 'name'], message: `band "${band.name}" appears twice` });
      band.hours.forEach(([start, end], s) => {
        for (let h = start; h < end; h++) {
          if (owner[h] !== undefined)
            ctx.addIssue({
              code: 'custom',
              path: ['bands', b, 'hours', s],
              message: `hour ${h} is in band "${owner[h]}" already`,
            });
          else owner[h] = band.name;
        }
      });
    });
    const missing = owner.flatMap((o, h) => (o === undefined ? [h] : []));
    if (missing.length > 0)
      ctx.addIssue({ code: 'custom', path: ['bands'], message: `hours ${missing.join(', ')} are in no band` });
  });

/** A tariff as stored: with its id. */
export type Tariff = z.infer<typeof TariffSchema> & { readonly id: string };

/** The body of `PUT /api/v1/tariffs`: the whole set of tariffs, replacing the stored one. */
export const TariffsInputSchema = z.object({ tariffs: z.array(TariffSchema).max(10_000) });

/** The id a tariff gets when it has none: its energy, institution and first day. */
export function tariffId(t: Pick<Tariff, 'energy' | 'institutionId' | 'from'>): string {
  return `${t.energy}|${t.institutionId ?? '*'}|${t.from}`;
}

/** Tariffs with their ids, and a problem for two of the same id or of the same energy, institution and day. */
export function identifyTariffs(input: readonly z.infer<typeof TariffSchema>[]): {
  tariffs: Tariff[];
  problems: { path: string; message: string }[];
} {
  const problems: { path: string; message: string }[] = [];
  const ids = new Map<string, number>();
  const keys = new Map<string, number>();
  const tariffs = input.map((t, i) => {
    const id = t.id ?? tariffId(t);
    const key = tariffId(t);
    if (ids.has(id)) problems.push({ path: `tariffs[${i}].id`, message: `id "${id}" of tariffs[${ids.get(id)}]` });
    else if (keys.has(key))
      problems.push({
        path: `tariffs[${i}].from`,
        message: `tariffs[${keys.get(key)}] has the same energy, institution and day`,
      });
    ids.set(id, i);
    keys.set(key, i);
    return { ...t, id };
  });
  return { tariffs, problems };
}

/** The price in force at an hour, in micro-yuan per native unit, and the tariff it comes from. */
export interface PriceAt {
  readonly microYuanPerUnit: number;
  readonly tariffId: string;
  /** The time-of-use band, for a time-of-use tariff. */
  readonly band?: TariffBand['name'];
}

/** A tariff from its first local day: its price and band by local hour 0–23, in micro-yuan per unit. */
export interface TariffStep {
  readonly startMs: number;
  readonly tariff: Tariff;
  readonly hourly: readonly { readonly micro: number; readonly band?: TariffBand['name'] }[];
}

function stepOf(t: Tariff, timeZone: string): TariffStep {
  const [y, m, d] = t.from.split('-').map(Number) as [number, number, number];
  const hourly = Array.from({ length: 24 }, (_, h) => {
    const band = t.bands?.find((b) => b.hours.some(([s, e]) => s <= h && h < e));
    const price = band?.priceYuanPerUnit ?? t.priceYuanPerUnit ?? 0;
    return { micro: Math.round(price * MICRO_PER_YUAN), ...(band === undefined ? {} : { band: band.name }) };
  });
  return { startMs: localToEpochMs(timeZone, y, m, d), tariff: t, hourly };
}

/** Which tariff is in force, and when any tariff starts (`tariffSteps`). */
export interface TariffSteps {
  /**
   * The latest tariff of that institution with `from` ≤ the instant's local day; when the
   * institution has none in force, the latest general one; undefined when neither exists.
   */
  at(energy: string, institutionId: string | undefined, atMs: number): TariffStep | undefined;
  /** The first instant of every tariff, ascending: between two of them, what is in force is constant. */
  readonly startsMs: readonly number[];
}

/** Indexes tariffs by energy and institution (see `TariffSteps`). */
export function tariffSteps(tariffs: readonly Tariff[], timeZone: string): TariffSteps {
  const lists = new Map<string, TariffStep[]>();
  for (const t of tariffs) {
    const key = `${t.energy}|${t.institutionId ?? ''}`;
    const list = lists.get(key) ?? [];
    list.push(stepOf(t, timeZone));
    lists.set(key, list);
  }
  for (const list of lists.values()) list.sort((a, b) => a.startMs - b.startMs);
  const inForce = (key: string, atMs: number): TariffStep | undefined => {
    const list = lists.get(key);
    if (list === undefined) return undefined;
    let found: TariffStep | undefined;
    for (const s of list) {
      if (s.startMs > atMs) break;
      found = s;
    }
    return found;
  };
  const startsMs = [...new Set([...lists.values()].flatMap((l) => l.map((s) => s.startMs)))].sort((a, b) => a - b);
  return {
    at: (energy, institutionId, atMs) =>
      (institutionId === undefined ? undefined : inForce(`${energy}|${institutionId}`, atMs)) ??
      inForce(`${energy}|`, atMs),
    startsMs,
  };
}

/**
 * Looks up prices: `priceAt(energy, institutionId, hourStartMs)` is the price of the tariff in
 * force (`TariffSteps.at`) at the hour's local clock hour; undefined when none is. Local hours are
 * memoised.
 */
export function tariffIndex(
  tariffs: readonly Tariff[],
  timeZone: string,
): (energy: string, institutionId: string | undefined, hourStartMs: number) => PriceAt | undefined {
  const steps = tariffSteps(tariffs, timeZone);
  const hours = new Map<number, number>();
  return (energy, institutionId, hourStartMs) => {
    const step = steps.at(energy, institutionId, hourStartMs);
    if (step === undefined) return undefined;
    let hour = hours.get(hourStartMs);
    if (hour === undefined) {
      hour = localParts(hourStartMs, timeZone).hour;
      hours.set(hourStartMs, hour);
    }
    const p = step.hourly[hour] ?? { micro: 0 };
    return { microYuanPerUnit: p.micro, tariffId: step.tariff.id, ...(p.band === undefined ? {} : { band: p.band }) };
  };
}
