import type { HourlyConsumption } from '../../core/domain/consumption.js';
import type { HourRange, Store, StoredReading } from '../../core/storage/store.js';

/** Switches of a failing store: which meter's writes throw, and whether the whole store is down. */
export interface Faults {
  /** Writes that touch this meter throw (as a value overflowing DECIMAL(18,6) did). */
  badMeter?: string;
  /** Only the meter's derived hours fail: its readings of the slow path are stored, then the write throws. */
  hoursOnly?: boolean;
  /** Every write throws, dead letters included: the store is down. */
  down?: boolean;
  /** Writes that threw, counted. */
  failures: number;
}

/**
 * The only fake of these tests: a real store whose writes throw for one meter, or for everything
 * while `down`. A failing disk or a value the store cannot hold cannot be produced on demand here.
 */
export function failingStore(store: Store, faults: Faults): Store {
  const fail = (message: string) => {
    faults.failures++;
    throw new Error(message);
  };
  const touches = (ids: Iterable<{ meterId: string }>) => {
    for (const x of ids) if (x.meterId === faults.badMeter) return true;
    return false;
  };
  const overrides: Partial<Store> = {
    async replaceHourly(
      ranges: readonly HourRange[],
      rows: readonly HourlyConsumption[],
      append: readonly StoredReading[] = [],
    ) {
      if (faults.down === true) fail('IO Error: could not write the database file');
      if (touches(ranges) || touches(rows) || touches(append))
        fail('Conversion Error: value out of range for DECIMAL(18,6)');
      return store.replaceHourly(ranges, rows, append);
    },
    async insertReadings(readings) {
      if (faults.down === true) fail('IO Error: could not write the database file');
      if (faults.hoursOnly !== true && touches(readings))
        fail('Conversion Error: value out of range for DECIMAL(18,6)');
      return store.insertReadings(readings);
    },
    async addDeadLetters(letters) {
      if (faults.down === true) fail('IO Error: could not write the database file');
      return store.addDeadLetters(letters);
    },
  };
  return new Proxy(store, {
    get(target, prop, receiver) {
      const own = (overrides as Record<string | symbol, unknown>)[prop];
      if (own !== undefined) return own;
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
