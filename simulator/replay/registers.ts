/**
 * Accumulates hourly consumption into the register readings a meter sends, with the faults the
 * replay can inject. Pure and seeded.
 */
import { Rng } from '../random.js';
import type { IntervalSeries } from './series.js';

/** A register reading to publish. */
export interface ReplayReading {
  readonly gatewayId: string;
  readonly meterId: string;
  readonly tsMs: number;
  readonly value: number;
}

/** A meter replacement the replay injected; the platform must be told it as a lifecycle event. */
export interface InjectedReplacement {
  readonly meterId: string;
  readonly tsMs: number;
  readonly oldFinal: number;
  readonly newInitial: number;
}

/** Faults to inject. */
export interface ReplayFaults {
  readonly seed: number;
  /** Share of readings sent twice. */
  readonly duplicates?: number;
  /** Shuffle the order of all readings (a gateway uploading its buffer out of order). */
  readonly shuffle?: boolean;
  /** Readings to drop (gaps), chosen at random. */
  readonly gaps?: number;
  /** Start this meter's register this close below its modulus, so that it rolls over. */
  readonly rollover?: { readonly meterId: string; readonly modulus: number; readonly belowTop: number };
  /** Replace this meter at this reading index: the register restarts at `newInitial`. */
  readonly replace?: { readonly meterId: string; readonly atIndex: number; readonly newInitial: number };
}

const MICRO = 1e6;

/**
 * The readings of a series: the register at the end of each hour (the start register at the first
 * hour's start), accumulated in integer micro-units. Returns the replacement it injected, if any.
 */
export function registerReadings(
  series: IntervalSeries,
  gatewayId: string,
  initialRegister: number,
  faults: ReplayFaults,
): { readings: ReplayReading[]; replacement?: InjectedReplacement } {
  const modulus = faults.rollover?.meterId === series.meterId ? faults.rollover.modulus : undefined;
  let registerMicro = Math.round(
    (modulus !== undefined ? modulus - (faults.rollover?.belowTop ?? 0) : initialRegister) * MICRO,
  );
  const wrap = (micro: number) => (modulus === undefined ? micro : micro % Math.round(modulus * MICRO));
  const first = series.hourStartsMs[0];
  if (first === undefined) return { readings: [] };
  const readings: ReplayReading[] = [{ gatewayId, meterId: series.meterId, tsMs: first, value: registerMicro / MICRO }];
  let replacement: InjectedReplacement | undefined;
  series.amountsMicro.forEach((amount, i) => {
    const endMs = (series.hourStartsMs[i] ?? first) + 3_600_000;
    const replace =
      faults.replace?.meterId === series.meterId && faults.replace.atIndex === i ? faults.replace : undefined;
    if (replace !== undefined) {
      // Swapped half way through the hour: half the hour on the old register, half on the new one.
      const half = Math.floor(amount / 2);
      const oldFinal = wrap(registerMicro + half) / MICRO;
      replacement = { meterId: series.meterId, tsMs: endMs - 1_800_000, oldFinal, newInitial: replace.newInitial };
      registerMicro = Math.round(replace.newInitial * MICRO) + (amount - half);
    } else {
      registerMicro = wrap(registerMicro + amount);
    }
    readings.push({ gatewayId, meterId: series.meterId, tsMs: endMs, value: registerMicro / MICRO });
  });
  return replacement === undefined ? { readings } : { readings, replacement };
}

/** Applies transport faults (gaps, duplicates, shuffling) to the readings of all meters. */
export function applyTransportFaults(readings: readonly ReplayReading[], faults: ReplayFaults): ReplayReading[] {
  const rng = new Rng(faults.seed);
  let out = [...readings];
  if ((faults.gaps ?? 0) > 0) {
    // Never the first or last reading of a meter: a gap is inside its history.
    const ends = new Set<ReplayReading>();
    for (const meter of new Set(out.map((r) => r.meterId))) {
      const own = out.filter((r) => r.meterId === meter);
      ends.add(own[0] as ReplayReading).add(own.at(-1) as ReplayReading);
    }
    const eligible = out.flatMap((r, i) => (ends.has(r) ? [] : [i]));
    const drop = new Set<number>();
    while (drop.size < Math.min(faults.gaps ?? 0, eligible.length))
      drop.add(eligible[rng.int(0, eligible.length - 1)] as number);
    out = out.filter((_, i) => !drop.has(i));
  }
  if ((faults.duplicates ?? 0) > 0) out = out.flatMap((r) => (rng.chance(faults.duplicates ?? 0) ? [r, r] : [r]));
  if (faults.shuffle === true) out = rng.shuffle(out);
  return out;
}
