import { afterEach, beforeEach, describe } from 'vitest';
import type { Store } from '../../core/storage/store.js';
import { REGISTRY } from './contract-fixtures.js';
import { hourlyContract } from './contract-hourly.js';
import { metadataContract } from './contract-metadata.js';
import { readingContract } from './contract-readings.js';

/**
 * The contract of `Store` (core/storage/store.ts), run against every backend: each test gets a
 * fresh, empty store from `makeStore` (holding the fixture registry) and closes it afterwards.
 */
export function storeContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    let current: Store | undefined;
    const store = () => {
      if (current === undefined) throw new Error('no store open');
      return current;
    };
    beforeEach(async () => {
      current = await makeStore();
      await current.saveRegistry(REGISTRY);
    });
    afterEach(async () => {
      await current?.close();
      current = undefined;
    });

    describe('raw readings, windows and tails', () => readingContract(store));
    describe('hourly consumption and aggregates', () => hourlyContract(store));
    describe('metadata', () => metadataContract(store));
  });
}
