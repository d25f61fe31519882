import type { Logger } from 'pino';
import { deriveHourly, type HourlyConsumption, MICRO, type Quality } from '../core/domain/consumption.js';
import type { MeterEvent } from '../core/domain/meter-events.js';
import type { Meter } from '../core/domain/registry.js';
import { floorHour, HOUR_MS } from '../core/domain/time.js';
import type { AggregateRow, HourRange, Store } from '../core/storage/store.js';
import { errorMessage } from './isolate.js';
import { derivableUntil, END_OF_TIME_MS } from './tails.js';

/** A meter whose stored hours the rebuild corrected, and how many. */
export interface MeterCorrection {
  readonly meterId: string;
  readonly hours: number;
}

/** What a rebuild checked and corrected, and the meters it could not rebuild. */
export interface RebuildReport {
  readonly meters: number;
  readonly corrected: MeterCorrection[];
  readonly failed?: { meterId: string; error: string }[];
}

/**
 * Rebuilds meters one at a time with `rebuildOne` (which returns how many stored hours it
 * replaced); a meter whose rebuild fails is reported in `failed` and the others go on.
 */
export async function rebuildMeters(
  meterIds: readonly string[],
  deps: { readonly rebuildOne: (meterId: string) => Promise<number>; readonly logger: Logger },
): Promise<RebuildReport> {
  const corrected: MeterCorrection[] = [];
  const failed: { meterId: string; error: string }[] = [];
  for (const meterId of meterIds) {
    try {
      const hours = await deps.rebuildOne(meterId);
      if (hours > 0) corrected.push({ meterId, hours });
    } catch (error) {
      deps.logger.error({ meterId, err: error }, 'rebuilding the hours of a meter failed');
      failed.push({ meterId, error: errorMessage(error) });
    }
  }
  if (corrected.length > 0) deps.logger.warn({ corrected }, 'rebuild replaced stored hours that differed');
  const report = { meters: meterIds.length, corrected };
  return failed.length === 0 ? report : { ...report, failed };
}

/** The stored hour of an aggregate row of one meter (one row per hour): the fields derivation sets. */
function storedHour(meterId: string, row: AggregateRow): HourlyConsumption {
  const quality: Quality =
    row.suspectHours > 0 ? 'suspect' : row.estimatedHours > 0 ? 'estimated' : row.goodHours > 0 ? 'good' : 'missing';
  return {
    meterId,
    hourStartMs: row.bucketStartMs,
    amountMicro: Math.round(row.amount * MICRO),
    estimatedMicro: Math.round(row.estimated * MICRO),
    quality,
    readingsCount: row.readings,
  };
}

function sameHour(a: HourlyConsumption | undefined, b: HourlyConsumption | undefined): boolean {
  return (
    a !== undefined &&
    b !== undefined &&
    a.amountMicro === b.amountMicro &&
    a.estimatedMicro === b.estimatedMicro &&
    a.quality === b.quality &&
    a.readingsCount === b.readingsCount
  );
}

/** Consecutive hours merged into [fromMs, toMs) ranges; `hours` sorted. */
function runs(meterId: string, hours: readonly number[]): HourRange[] {
  const out: { meterId: string; fromMs: number; toMs: number }[] = [];
  for (const h of hours) {
    const last = out.at(-1);
    if (last !== undefined && last.toMs === h) last.toMs = h + HOUR_MS;
    else out.push({ meterId, fromMs: h, toMs: h + HOUR_MS });
  }
  return out;
}

/**
 * Recomputes one meter's hours from all its valid raw readings and its events, compares them with
 * the stored hours (read through the hourly aggregate, which both backends serve exactly), and
 * replaces the hours that differ (deleting stored hours that nothing derives). Holds one meter's
 * readings and hours at a time. Returns the number of hours replaced.
 */
export async function rebuildMeter(store: Store, meter: Meter, events: readonly MeterEvent[]): Promise<number> {
  const windows = await store.readingWindows([{ meterId: meter.id, fromMs: 0, toMs: END_OF_TIME_MS }], 0);
  const readings = windows.get(meter.id)?.readings ?? [];
  const first = readings[0];
  const last = readings.at(-1);
  const derived = new Map<number, HourlyConsumption>();
  if (first !== undefined && last !== undefined) {
    const rows = deriveHourly(meter, readings, floorHour(first.tsMs), derivableUntil(last.tsMs), events, {
      atStart: true,
      atEnd: true,
    });
    for (const h of rows) derived.set(h.hourStartMs, h);
  }
  const stored = await store.aggregate({
    filter: { meterId: meter.id },
    fromMs: 0,
    toMs: END_OF_TIME_MS,
    interval: 'hour',
    timeZone: 'UTC',
    groupBy: 'meter',
  });
  const differing = new Set<number>();
  const seen = new Set<number>();
  for (const row of stored) {
    seen.add(row.bucketStartMs);
    if (!sameHour(storedHour(meter.id, row), derived.get(row.bucketStartMs))) differing.add(row.bucketStartMs);
  }
  for (const hour of derived.keys()) if (!seen.has(hour)) differing.add(hour);
  if (differing.size === 0) return 0;
  const hours = [...differing].sort((a, b) => a - b);
  const rows: HourlyConsumption[] = [];
  for (const h of hours) {
    const row = derived.get(h);
    if (row !== undefined) rows.push(row);
  }
  await store.replaceHourly(runs(meter.id, hours), rows);
  return differing.size;
}
