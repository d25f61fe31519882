import { z } from 'zod';
import type { RegisterReading } from './consumption.js';
import { REGISTER_MAX, TimestampSchema } from './reading.js';

/**
 * Manual meters (issue 15, item 5): a meter with `reading: "manual"` has no gateway; a user enters
 * its register readings, or deliveries (fuel bought, a bill) that become readings of a cumulative
 * register kept for it, so that the same counter rules spread them pro rata. Pure: parsing and
 * planning; ingest/manual.ts checks and stores.
 */

/** Items one manual entry may hold: 5,000 (years of daily readings). */
export const MANUAL_ITEMS_MAX = 5000;

/** One register read by hand, in the meter's unit: `{"ts":"2026-11-30T18:00:00+08:00","value":5230.5}`. */
export const ManualReadingSchema = z.strictObject({
  ts: TimestampSchema,
  value: z.number().min(-REGISTER_MAX).max(REGISTER_MAX),
});

/** A delivery: `amount` (in the meter's unit, ≥ 0) used over [from, to), e.g. 200 L of diesel for a month. */
export const DeliverySchema = z
  .strictObject({
    from: TimestampSchema,
    to: TimestampSchema,
    amount: z.number().min(0).max(REGISTER_MAX),
  })
  .refine((d) => d.to > d.from, { path: ['to'], message: 'must be after from' });

/** `POST /api/v1/meters/{id}/manual-readings`: register readings, or deliveries, not both. */
export const ManualEntrySchema = z
  .strictObject({
    readings: z.array(ManualReadingSchema).min(1).max(MANUAL_ITEMS_MAX).optional(),
    amounts: z.array(DeliverySchema).min(1).max(MANUAL_ITEMS_MAX).optional(),
  })
  .refine((e) => (e.readings === undefined) !== (e.amounts === undefined), {
    path: ['readings'],
    message: 'give either readings (registers) or amounts (deliveries)',
  });
/** A manual entry, parsed (instants in epoch ms). */
export type ManualEntry = z.infer<typeof ManualEntrySchema>;
/** A delivery, parsed. */
export type Delivery = z.infer<typeof DeliverySchema>;

/** One problem of a manual entry: the field at fault (`readings[3].value`) and what is wrong. */
export interface ManualProblem {
  readonly path: string;
  readonly message: string;
}

/** A zod issue path as a field name: `["readings", 3, "value"]` → `readings[3].value`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : out === '' ? String(key) : `${out}.${String(key)}`),
    '',
  );
}

const MANUAL_PREFIX = 'manual:';

/**
 * The `gatewayId` a manual reading is stored with: `manual:` and the id of the token that entered
 * it. No gateway id holds a `:` (IdSchema), so it is never a gateway's.
 */
export function manualSource(tokenId: string): string {
  return `${MANUAL_PREFIX}${tokenId}`;
}

/** Whether a stored reading's (or dead letter's) `gatewayId` is a manual entry's source. */
export function isManualSource(gatewayId: string): boolean {
  return gatewayId.startsWith(MANUAL_PREFIX);
}

/** A register reading a manual entry stores, with the request fields it comes from. */
export interface PlannedReading extends RegisterReading {
  /** The field of its instant: `readings[3].ts`, `amounts[0].from`, `amounts[0].to`. */
  readonly tsPath: string;
  /** The field of its value: `readings[3].value`, `amounts[0].amount`. */
  readonly valuePath: string;
}

/** Readings to store, or the problems that refuse the entry. */
export interface ManualPlan {
  readonly planned: PlannedReading[];
  readonly problems: ManualProblem[];
}

/** What a manual entry did, as ingest answers it. */
export type ManualOutcome =
  | {
      readonly outcome: 'stored';
      /** The register readings the entry holds (for deliveries: the register built from them), by time. */
      readonly readings: readonly RegisterReading[];
      /** Readings new to the store. */
      readonly stored: number;
      /** Readings stored before with the same value (an entry sent again): nothing changed. */
      readonly duplicates: number;
      readonly receivedAtMs: number;
    }
  /** Bad items: nothing was stored. */
  | { readonly outcome: 'invalid'; readonly problems: readonly ManualProblem[] }
  /** The store failed: the readings named are dead letters (`store_failed`); send the entry again. */
  | { readonly outcome: 'not_stored'; readonly problems: readonly ManualProblem[] };

/** One manual entry for a meter, from a user (`source` = `manualSource(tokenId)`). */
export interface ManualEntryRequest {
  readonly meterId: string;
  readonly entry: ManualEntry;
  readonly source: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Register readings entered by hand, by time. Two items of one instant must agree: the later one is
 * then dropped (a line typed twice); otherwise the later one is a problem.
 */
export function planRegisterReadings(readings: readonly { ts: number; value: number }[]): ManualPlan {
  const items = readings.map((r, i) => ({ tsMs: r.ts, value: r.value, tsPath: `readings[${i}].ts`, i }));
  items.sort((a, b) => a.tsMs - b.tsMs || a.i - b.i);
  const planned: PlannedReading[] = [];
  const problems: ManualProblem[] = [];
  for (const item of items) {
    const prev = planned.at(-1);
    const valuePath = `readings[${item.i}].value`;
    if (prev?.tsMs === item.tsMs && prev.value !== item.value) {
      problems.push({ path: valuePath, message: `${prev.tsPath} has the same instant with value ${prev.value}` });
    } else if (prev?.tsMs !== item.tsMs) {
      planned.push({ tsMs: item.tsMs, value: item.value, tsPath: item.tsPath, valuePath });
    }
  }
  return { planned, problems };
}

/** What the meter's register holds already: its oldest and newest valid readings, if any. */
export interface RegisterBounds {
  readonly first?: RegisterReading;
  readonly last?: RegisterReading;
}

type Item = Delivery & { readonly i: number };

/** Deliveries of one entry that overlap another of it: each quantity is delivered once. */
function overlaps(items: readonly Item[]): ManualProblem[] {
  const problems: ManualProblem[] = [];
  let reach: Item | undefined;
  for (const d of [...items].sort((a, b) => a.from - b.from || a.i - b.i)) {
    if (reach !== undefined && d.from < reach.to) {
      problems.push({
        path: `amounts[${d.i}].from`,
        message: `overlaps amounts[${reach.i}] (${iso(reach.from)} to ${iso(reach.to)})`,
      });
    }
    if (reach === undefined || d.to > reach.to) reach = d;
  }
  return problems;
}

/**
 * Deliveries as readings of a cumulative register kept for the meter: the register at `from`, and
 * that plus the amount at `to`, so that the counter rules spread each amount pro rata over its
 * [from, to); between deliveries the register stays flat (nothing used). A stored register is never
 * rewritten, so deliveries go after the register's newest reading (counting up from its value, 0
 * for a new meter) or before its oldest (counting down from its value); one falling between them,
 * or overlapping another delivery, is a problem naming it. Within an entry, any order is fine.
 */
export function planDeliveries(amounts: readonly Delivery[], bounds: RegisterBounds): ManualPlan {
  const items: Item[] = amounts.map((d, i) => ({ ...d, i }));
  const problems = overlaps(items);
  const firstMs = bounds.first?.tsMs ?? Number.POSITIVE_INFINITY;
  const lastMs = bounds.last?.tsMs ?? Number.NEGATIVE_INFINITY;
  const after = items.filter((d) => d.from >= lastMs).sort((a, b) => a.from - b.from);
  const before = items.filter((d) => d.from < lastMs && d.to <= firstMs).sort((a, b) => b.to - a.to);
  for (const d of items) {
    if (d.from < lastMs && d.to > firstMs) {
      problems.push({
        path: `amounts[${d.i}].from`,
        message: `the meter has readings from ${iso(firstMs)} to ${iso(lastMs)}: a delivery goes after the newest or before the oldest (a stored register is never rewritten)`,
      });
    }
  }
  if (problems.length > 0) return { planned: [], problems };
  const planned: PlannedReading[] = [];
  const at = (d: Item, end: 'from' | 'to', value: number): PlannedReading => ({
    tsMs: d[end],
    value,
    tsPath: `amounts[${d.i}].${end}`,
    valuePath: `amounts[${d.i}].amount`,
  });
  let value = bounds.last?.value ?? 0;
  let prevMs = lastMs;
  for (const d of after) {
    if (d.from !== prevMs) planned.push(at(d, 'from', value));
    value += d.amount;
    planned.push(at(d, 'to', value));
    prevMs = d.to;
  }
  value = bounds.first?.value ?? 0;
  let nextMs = firstMs;
  for (const d of before) {
    if (d.to !== nextMs) planned.push(at(d, 'to', value));
    value -= d.amount;
    planned.push(at(d, 'from', value));
    nextMs = d.from;
  }
  for (const p of planned) {
    if (Math.abs(p.value) > REGISTER_MAX)
      problems.push({ path: p.valuePath, message: `the register would reach ${p.value}, beyond ±${REGISTER_MAX}` });
  }
  planned.sort((a, b) => a.tsMs - b.tsMs);
  return problems.length > 0 ? { planned: [], problems } : { planned, problems };
}
