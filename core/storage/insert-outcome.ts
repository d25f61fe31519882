import type { InsertOutcome, StoredReading } from './store.js';

/** The key of a raw reading: (meter, timestamp). */
export const readingKey = (meterId: string, tsMs: number): string => `${meterId}\u0000${tsMs}`;

/**
 * Sorts readings against the values already stored under their keys (`stored`, by `readingKey`):
 * new ones are to be inserted, identical ones are duplicates (a redelivery), different ones are
 * conflicts (raw data is immutable). Repeats within `readings` are judged against the first.
 * Shared by every store backend so that they agree.
 */
export function classifyReadings(readings: readonly StoredReading[], stored: Map<string, number>): InsertOutcome {
  const inserted: StoredReading[] = [];
  const conflicts: InsertOutcome['conflicts'] = [];
  let duplicates = 0;
  for (const reading of readings) {
    const key = readingKey(reading.meterId, reading.tsMs);
    const storedValue = stored.get(key);
    if (storedValue === undefined) {
      stored.set(key, reading.value);
      inserted.push(reading);
    } else if (storedValue === reading.value) duplicates++;
    else conflicts.push({ reading, storedValue });
  }
  return { inserted, duplicates, conflicts };
}
