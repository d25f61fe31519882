import type { Meter } from './registry.js';
import { bucketStart, HOUR_MS } from './time.js';

/** Before any reading and after any: the open ends of a meter's first and last span. */
export const SPAN_MIN_MS = Date.parse('1900-01-01T00:00:00Z');
export const SPAN_MAX_MS = Date.parse('9999-01-01T00:00:00Z');

/** Where a meter's hours in [fromMs, toMs) are counted: a building, under a parent or as a main meter. */
export interface MeterSpan {
  readonly meterId: string;
  readonly fromMs: number;
  readonly toMs: number;
  readonly buildingId: string;
  readonly parentId: string | undefined;
}

/** The first hour start at or after an instant: the hours of a change are those starting at or after it. */
export function hourAtOrAfter(ms: number): number {
  return Math.ceil(ms / HOUR_MS) * HOUR_MS;
}

/**
 * A meter's attribution over time (issue "The meter model"): one span per entry of its
 * `attribution` (ending at the first hour start at or after `until`), then its current
 * `buildingId` and `parentId` to the end of time. Spans are contiguous, from SPAN_MIN_MS to
 * SPAN_MAX_MS; an entry whose hours are all taken by the one before it is left out.
 */
export function meterSpans(meter: Pick<Meter, 'id' | 'buildingId' | 'parentId' | 'attribution'>): MeterSpan[] {
  const out: MeterSpan[] = [];
  let fromMs = SPAN_MIN_MS;
  for (const a of meter.attribution ?? []) {
    const toMs = hourAtOrAfter(Date.parse(a.until));
    if (toMs <= fromMs) continue;
    out.push({ meterId: meter.id, fromMs, toMs, buildingId: a.buildingId, parentId: a.parentId });
    fromMs = toMs;
  }
  out.push({ meterId: meter.id, fromMs, toMs: SPAN_MAX_MS, buildingId: meter.buildingId, parentId: meter.parentId });
  return out;
}

/** The span of a meter's spans that holds an hour. */
export function spanAt(spans: readonly MeterSpan[], hourStartMs: number): MeterSpan | undefined {
  return spans.find((s) => hourStartMs >= s.fromMs && hourStartMs < s.toMs);
}

/** Whether every boundary between spans of these meters starts a local day (or month) in `timeZone`. */
export function spansAlignedTo(
  meters: readonly Pick<Meter, 'attribution'>[],
  interval: 'day' | 'month',
  timeZone: string,
): boolean {
  return meters.every((m) =>
    (m.attribution ?? []).every((a) => {
      const boundary = hourAtOrAfter(Date.parse(a.until));
      return bucketStart(boundary, interval, timeZone) === boundary;
    }),
  );
}

/** Which rollups attribute a meter's sums to one span: daily ones, monthly ones (`spansAlignedTo`). */
export interface RollupAlignment {
  readonly day: boolean;
  readonly month: boolean;
}

/** The `RollupAlignment` of a registry's meters in `timeZone`. */
export function rollupAlignment(meters: readonly Pick<Meter, 'attribution'>[], timeZone: string): RollupAlignment {
  return { day: spansAlignedTo(meters, 'day', timeZone), month: spansAlignedTo(meters, 'month', timeZone) };
}
