import { afterEach, beforeEach, describe } from 'vitest';
import type { MetadataStore, SeriesStore } from '../../core/storage/store.js';
import { accountCases } from './contract-accounts.js';
import { anomalyCaseCases } from './contract-anomaly-cases.js';
import { auditCases } from './contract-audit.js';
import { baselineCases } from './contract-baselines.js';
import { costCases } from './contract-cost.js';
import { deadLetterCases } from './contract-dead-letters.js';
import { factCases } from './contract-facts.js';
import { REGISTRY } from './contract-fixtures.js';
import { hourOfDayContract } from './contract-hour-of-day.js';
import { hourlyContract } from './contract-hourly.js';
import { metadataCases } from './contract-metadata.js';
import { meterHoursContract } from './contract-meter-hours.js';
import { migrationCases, type SchemaHarness } from './contract-migrations.js';
import { notificationCases } from './contract-notifications.js';
import { readingContract } from './contract-readings.js';
import { savingsProjectCases, savingsProjectUpdateCases } from './contract-savings-projects.js';
import { treeContract } from './contract-tree.js';
import { weatherCases } from './contract-weather.js';

/** Each test gets a fresh store from `make`, holding the fixture registry, closed afterwards. */
function eachTestStore<S extends { close(): Promise<void>; saveRegistry(r: typeof REGISTRY): Promise<void> }>(
  make: () => Promise<S>,
): () => S {
  let current: S | undefined;
  beforeEach(async () => {
    current = await make();
    await current.saveRegistry(REGISTRY);
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return () => {
    if (current === undefined) throw new Error('no store open');
    return current;
  };
}

/**
 * The contract of `SeriesStore` (core/storage/store.ts), run against every series backend
 * (DuckDB, InfluxDB, and a composed store).
 */
export function seriesContract(name: string, makeStore: () => Promise<SeriesStore>): void {
  describe(`SeriesStore contract: ${name}`, () => {
    const store = eachTestStore(makeStore);
    describe('raw readings, windows and tails', () => readingContract(store));
    describe('hourly consumption and aggregates', () => hourlyContract(store));
    describe('consumption by local hour of day (time-of-use cost)', () => hourOfDayContract(store));
    describe("each meter's hours in columns (series detectors)", () => meterHoursContract(store));
    describe('meter trees: totals, sub-items and remainders', () => treeContract(store));
  });
}

/**
 * The contract of `MetadataStore`, run against every metadata backend (DuckDB, PostgreSQL) and the
 * stores that delegate to one; `schema` adds the versioned-migration cases of a backend.
 */
export function metadataContract(name: string, makeStore: () => Promise<MetadataStore>, schema?: SchemaHarness): void {
  describe(`MetadataStore contract: ${name}`, () => {
    const store = eachTestStore(makeStore);
    describe('registry, events, corrections, targets, anomalies, tokens, audit', () => metadataCases(store));
    describe('dead letters', () => deadLetterCases(store));
    describe('effective-dated facts', () => factCases(store));
    describe('tariffs and bills', () => costCases(store));
    describe('data audit: flags and sign-offs', () => auditCases(store));
    describe('anomaly cases: assignments and comments', () => anomalyCaseCases(store));
    describe('users and sessions', () => accountCases(() => store().accounts));
    describe('notification routes and deliveries', () => notificationCases(() => store().notifications));
    describe('savings projects and adjustments', () => savingsProjectCases(() => store().savingsProjects));
    describe('savings projects edited', () => savingsProjectUpdateCases(() => store().savingsProjects));
    describe('weather stations and observations', () => weatherCases(store));
    describe('stored baselines', () => baselineCases(() => store().baselines));
    if (schema !== undefined) describe('versioned schema migrations', () => migrationCases(schema));
  });
}
