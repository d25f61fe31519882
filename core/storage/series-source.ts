import type { RollupAlignment } from '../domain/meter-spans.js';
import { bucketStart } from '../domain/time.js';

/** What a query's sums come from: the hours, or a rollup of whole local days or months (both stores). */
export type SeriesSource = 'hourly' | 'daily' | 'monthly';

/**
 * The coarsest source that answers sums over [fromMs, toMs) cut at `cuts` exactly: the monthly
 * rollup when every instant starts a local month of the rollup's zone (and every dated move or
 * parent change does, `aligned.month`), the daily one likewise for days, else the hours. Pure.
 */
export function seriesSource(
  instantsMs: readonly number[],
  timeZone: string,
  rollupZone: string,
  aligned: RollupAlignment,
): SeriesSource {
  if (timeZone !== rollupZone) return 'hourly';
  const at = (interval: 'day' | 'month') => instantsMs.every((t) => bucketStart(t, interval, rollupZone) === t);
  if (aligned.month && at('month')) return 'monthly';
  return aligned.day && at('day') ? 'daily' : 'hourly';
}
