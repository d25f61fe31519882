import type { Registry } from './domain/registry.js';
import { historyAdvice, historyChanges } from './domain/registry-history.js';
import { AppError } from './errors.js';
import type { SeriesStore } from './storage/store.js';

/** Later than any reading: a window there with a margin of one finds a meter's newest reading. */
const END_OF_TIME_MS = Date.parse('2200-01-01T00:00:00Z');

/** Of `meterIds`, those with at least one valid stored reading (one store query). */
export async function metersWithReadings(store: SeriesStore, meterIds: readonly string[]): Promise<Set<string>> {
  if (meterIds.length === 0) return new Set();
  const windows = await store.readingWindows(
    meterIds.map((meterId) => ({ meterId, fromMs: END_OF_TIME_MS, toMs: END_OF_TIME_MS })),
    1,
  );
  return new Set(meterIds.filter((id) => (windows.get(id)?.readings.length ?? 0) > 0));
}

/**
 * Refuses (409 `JN_REGISTRY_HISTORY`) a registry change that would rewrite history: a change of a
 * meter's multiplier, unit, register modulus, direction, energy or parent once it has readings
 * (issue "The meter model", item 4). `details` lists each as `{path, message, meterId, field, event}`,
 * `path` as `meters[i].field` of the submission, `event` the event type to record instead.
 */
export async function refuseHistoryChanges(
  store: SeriesStore,
  current: Registry,
  merged: Registry,
  submitted: readonly { id: string }[],
): Promise<void> {
  const changes = historyChanges(current, merged);
  const read = await metersWithReadings(store, [...new Set(changes.map((c) => c.meterId))]);
  const refused = changes.filter((c) => read.has(c.meterId));
  if (refused.length === 0) return;
  const details = refused.map((c) => {
    const i = submitted.findIndex((m) => m.id === c.meterId);
    return {
      path: `meters[${i}].${c.field}`,
      message: `meter "${c.meterId}" has readings: changing ${c.field} from ${JSON.stringify(c.from ?? null)} to ${JSON.stringify(c.to ?? null)} would rewrite its history; ${historyAdvice(c.field)}`,
      meterId: c.meterId,
      field: c.field,
      event: c.event,
    };
  });
  throw new AppError(
    'JN_REGISTRY_HISTORY',
    409,
    `registry: ${details.length} change(s) would rewrite history: ${details
      .slice(0, 5)
      .map((d) => d.path)
      .join(', ')}`,
    { details },
  );
}
