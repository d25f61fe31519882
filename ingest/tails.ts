import { type RegisterReading, WINDOW_MARGIN } from '../core/domain/consumption.js';
import { floorHour, HOUR_MS } from '../core/domain/time.js';
import type { ReadingWindow } from '../core/storage/store.js';

/** A far-future bound for "to the end of the meter's data". */
export const END_OF_TIME_MS = Date.parse('2200-01-01T00:00:00Z');

/**
 * The first hour whose consumption may change when readings are appended after `tail`: the glitch
 * status of the newest reading depends on its successor, and the interval before it may start two
 * readings back (when the second-newest is itself a glitch).
 */
export function appendRecomputeFrom(tail: readonly RegisterReading[], firstNewMs: number): number {
  const anchor = tail.at(-3) ?? tail[0];
  return floorHour(anchor?.tsMs ?? firstNewMs);
}

/** The hour after the one holding the newest reading: the end of what can be derived. */
export function derivableUntil(newestMs: number): number {
  return floorHour(newestMs) + HOUR_MS;
}

/**
 * Trims a meter's readings to its tail: from the WINDOW_MARGIN-th reading before the hour of the
 * third-newest, so that the next append can be derived from the tail alone.
 */
export function trimTail(chain: readonly RegisterReading[], atStart: boolean): ReadingWindow {
  const newest = chain.at(-1);
  if (newest === undefined) return { readings: [], atStart, atEnd: true };
  const hour = appendRecomputeFrom(chain, newest.tsMs);
  const before = chain.findLastIndex((r) => r.tsMs < hour);
  const start = Math.max(0, before - (WINDOW_MARGIN - 1));
  const enoughBefore = before - start + 1 >= WINDOW_MARGIN;
  return { readings: chain.slice(start), atStart: atStart && !enoughBefore && start === 0, atEnd: true };
}
