import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetadataChange } from '../../core/domain/metadata-change.js';
import type { MeterEvent } from '../../core/domain/meter-events.js';
import { composeStore } from '../../core/storage/compose-store.js';
import { EmbeddedStore } from '../../core/storage/duckdb/embedded-store.js';
import { PostgresMetadataStore } from '../../core/storage/postgres/postgres-metadata-store.js';
import type { TokenRecord } from '../../core/storage/store.js';
import { postgresSkipReason, startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { REGISTRY, T0, TZ } from './contract-fixtures.js';

const skip = postgresSkipReason();

/** Issue "Production parity", item 2: two processes' stores on one database hear of each other's changes. */
describe.skipIf(skip !== undefined)('PostgreSQL LISTEN/NOTIFY between metadata stores (real PostgreSQL)', () => {
  let server: TestPostgres;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });

  const meter = REGISTRY.meters[0]?.id ?? '';
  const event: MeterEvent = {
    id: 'evt-1',
    meterId: meter,
    type: 'replace',
    ts: T0,
    oldFinal: 100,
    newInitial: 0,
    createdAtMs: T0,
    createdBy: 'test',
  };
  const token: TokenRecord = { id: 'tok-1', name: 'reader', role: 'viewer', hash: 'h-1', createdAtMs: T0 };

  /** Store B's listener connection, found by its application name and last statement. */
  const terminateListener = (url: string, app: string) =>
    server.query(
      url,
      `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'LISTEN%'`,
      [app],
    );

  it('reports a change committed by one store to the other, with what changed, and not to itself', async () => {
    const url = await server.createDatabase();
    const a = await PostgresMetadataStore.open({ url });
    const b = await PostgresMetadataStore.open({ url });
    const heardA: MetadataChange[] = [];
    const heardB: MetadataChange[] = [];
    a.onChange((c) => heardA.push(c));
    b.onChange((c) => heardB.push(c));
    try {
      await a.saveRegistry(REGISTRY);
      await a.addMeterEvent(event);
      // Refused (duplicate id): rolled back, so nothing is reported.
      await expect(a.addMeterEvent(event)).rejects.toThrow();
      await a.addCorrection({
        meterId: meter,
        tsMs: T0 + 60_000,
        action: 'invalidate',
        reason: 'test',
        createdBy: 'test',
        createdAtMs: T0,
      });
      await a.saveToken(token);
      await a.revokeToken(token.id, T0 + 1);
      await expect.poll(() => heardB.length, { timeout: 1000 }).toBe(5);
      expect(heardB).toEqual([
        { what: 'registry' },
        { what: 'meter_events', meterId: meter },
        { what: 'corrections', meterId: meter, tsMs: T0 + 60_000 },
        { what: 'tokens', tokenId: token.id },
        { what: 'tokens', tokenId: token.id },
      ]);
      // And B's own changes reach A, not B.
      await b.saveTargets([]);
      await expect.poll(() => heardA, { timeout: 1000 }).toEqual([{ what: 'targets' }]);
      expect(heardB).toHaveLength(5);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('reconnects a listener whose connection was killed, reports "all", then hears changes again', async () => {
    const url = await server.createDatabase();
    const a = await PostgresMetadataStore.open({ url });
    const b = await PostgresMetadataStore.open({ url: `${url}?application_name=jieneng-notify-b` });
    const heard: MetadataChange[] = [];
    b.onChange((c) => heard.push(c));
    try {
      const killed = await terminateListener(url, 'jieneng-notify-b');
      expect(killed.map((r) => r.ok)).toEqual([true]);
      await expect.poll(() => heard, { timeout: 2000 }).toEqual([{ what: 'all' }]);
      await a.saveToken(token);
      await expect.poll(() => heard.at(-1), { timeout: 1000 }).toEqual({ what: 'tokens', tokenId: token.id });
      // Killed again: it keeps reconnecting.
      await expect
        .poll(async () => (await terminateListener(url, 'jieneng-notify-b')).length, { timeout: 2000 })
        .toBe(1);
      await expect.poll(() => heard.filter((c) => c.what === 'all').length, { timeout: 2000 }).toBe(2);
      await a.saveRegistry(REGISTRY);
      await expect.poll(() => heard.at(-1), { timeout: 1000 }).toEqual({ what: 'registry' });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('copies another process’s registry and corrections into a composed store’s series side before its subscribers hear of them', async () => {
    const url = await server.createDatabase();
    const a = await PostgresMetadataStore.open({ url });
    const series = await EmbeddedStore.open({ dataDir: ':memory:', timeZone: TZ });
    const b = composeStore(series, await PostgresMetadataStore.open({ url }));
    // What the series side holds when a subscriber hears of the change.
    const seen: Promise<{ change: MetadataChange; meters: number; corrections: number }>[] = [];
    b.onChange?.((change) => {
      seen.push(
        (async () => ({
          change,
          meters: (await series.loadRegistry()).meters.length,
          corrections: (await series.corrections()).length,
        }))(),
      );
    });
    try {
      await a.saveRegistry(REGISTRY);
      await a.addCorrection({
        meterId: meter,
        tsMs: T0,
        action: 'invalidate',
        reason: 'test',
        createdBy: 'test',
        createdAtMs: T0,
      });
      await expect.poll(() => seen.length, { timeout: 1000 }).toBe(2);
      const [first, second] = await Promise.all(seen);
      expect(first).toMatchObject({ change: { what: 'registry' }, meters: REGISTRY.meters.length });
      expect(second).toEqual({
        change: { what: 'corrections', meterId: meter, tsMs: T0 },
        meters: REGISTRY.meters.length,
        corrections: 1,
      });
    } finally {
      await b.close();
      await a.close();
    }
  });
});
