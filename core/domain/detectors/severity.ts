/** Severity from how far an observation is past its threshold, shared by the detectors. */
import type { Severity } from './types.js';

/** `high` at or above `high`, `medium` at or above `medium`, else `low` (same unit as `x`). */
export function severityOf(x: number, medium: number, high: number): Severity {
  if (x >= high) return 'high';
  if (x >= medium) return 'medium';
  return 'low';
}

/** Rounds a figure for evidence to 4 significant digits (enough to check, short to read). */
export function fig(x: number): number {
  return Number.isFinite(x) ? Number(x.toPrecision(4)) : x;
}
