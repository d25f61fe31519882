import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alignSeries, composeStore } from '../../core/storage/compose-store.js';
import { EmbeddedStore } from '../../core/storage/duckdb/embedded-store.js';
import { POSTGRES_MIGRATIONS } from '../../core/storage/postgres/migrations.js';
import { PostgresMetadataStore } from '../../core/storage/postgres/postgres-metadata-store.js';
import type { Store } from '../../core/storage/store.js';
import { postgresSkipReason, startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { REGISTRY, T0, TZ } from './contract-fixtures.js';
import { metadataContract, seriesContract } from './store-contract.js';

const skip = postgresSkipReason();

describe.skipIf(skip !== undefined)('PostgresMetadataStore on a real PostgreSQL (Debian postgresql)', () => {
  let server: TestPostgres;
  const dirs: string[] = [];
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  const open = async () => PostgresMetadataStore.open({ url: await server.createDatabase() });
  /** DuckDB (in memory) for the series, PostgreSQL for the metadata, as createStore composes them. */
  const composed = async (): Promise<Store> => {
    const metadata = await open();
    const series = await EmbeddedStore.open({ dataDir: ':memory:', timeZone: TZ });
    await alignSeries(series, metadata);
    return composeStore(series, metadata);
  };

  metadataContract('postgres', open, {
    versions: POSTGRES_MIGRATIONS.map((m) => m.version),
    fresh: () => server.createDatabase(),
    open: (url) => PostgresMetadataStore.open({ url }),
    recorded: async (url) =>
      (await server.query(url, 'SELECT version FROM schema_migrations ORDER BY version')).map((r) => Number(r.version)),
    record: async (url, version) => {
      await server.query(url, `INSERT INTO schema_migrations (version, description) VALUES ($1, 'from the future')`, [
        version,
      ]);
    },
  });
  seriesContract('embedded series composed with postgres metadata', composed);
  metadataContract('embedded series composed with postgres metadata', composed);

  it('migrates once when several processes open a new database at the same time', async () => {
    const url = await server.createDatabase();
    const stores = await Promise.all([1, 2, 3].map(() => PostgresMetadataStore.open({ url })));
    await Promise.all(stores.map((s) => s.close()));
    const rows = await server.query(url, 'SELECT version FROM schema_migrations');
    expect(rows).toHaveLength(POSTGRES_MIGRATIONS.length);
  });

  it('aligns the series copies (registry, corrections) of a composed store with the metadata at open', async () => {
    const url = await server.createDatabase();
    const metadata = await PostgresMetadataStore.open({ url });
    await metadata.saveRegistry(REGISTRY);
    const fix = {
      meterId: 'light',
      tsMs: T0,
      action: 'invalidate' as const,
      reason: 'r',
      createdBy: 'o',
      createdAtMs: T0,
    };
    await metadata.addCorrection(fix);
    const dir = await mkdtemp(join(tmpdir(), 'jieneng-composed-'));
    dirs.push(dir);
    const series = await EmbeddedStore.open({ dataDir: dir, timeZone: TZ });
    await series.addCorrection(fix);
    await alignSeries(series, metadata);
    const store = composeStore(series, metadata);
    try {
      expect(await series.loadRegistry()).toEqual(REGISTRY);
      expect(await series.corrections()).toEqual([fix]);
      const later = { ...fix, tsMs: T0 + 1000 };
      await store.addCorrection(later);
      expect(await series.corrections()).toEqual([fix, later]);
      expect(await store.corrections()).toEqual([fix, later]);
      expect(store.kind).toBe('embedded');
      expect(store.location).toContain('metadata in postgres postgres://postgres@127.0.0.1');
    } finally {
      await store.close();
    }
  });

  it('shares the job runs’ history: each store sees the newest run of each job made through the other', async () => {
    const url = await server.createDatabase();
    const [a, b] = [await PostgresMetadataStore.open({ url }), await PostgresMetadataStore.open({ url })];
    try {
      const run = { trigger: 'scheduled' as const, outcome: 'ok' as const };
      await a.recordJobRun({ ...run, job: 'detect', processId: 'a', startedAtMs: T0, finishedAtMs: T0 + 5 });
      await b.recordJobRun({
        ...run,
        job: 'detect',
        processId: 'b',
        startedAtMs: T0 + 1000,
        finishedAtMs: T0 + 1500,
        result: { anomalies: [1, 2] },
      });
      // A skipped tick is history, not the job's last run.
      await a.recordJobRun({
        ...run,
        job: 'detect',
        processId: 'a',
        outcome: 'skipped',
        startedAtMs: T0 + 2000,
        finishedAtMs: T0 + 2000,
      });
      await a.recordJobRun({
        job: 'report',
        processId: 'a',
        trigger: 'on_demand',
        outcome: 'failed',
        startedAtMs: T0,
        finishedAtMs: T0 + 7,
        error: 'boom',
      });
      const want = [
        {
          job: 'detect',
          processId: 'b',
          trigger: 'scheduled',
          outcome: 'ok',
          startedAtMs: T0 + 1000,
          finishedAtMs: T0 + 1500,
          result: { anomalies: [1, 2] },
        },
        {
          job: 'report',
          processId: 'a',
          trigger: 'on_demand',
          outcome: 'failed',
          startedAtMs: T0,
          finishedAtMs: T0 + 7,
          error: 'boom',
        },
      ];
      expect(await a.lastJobRuns()).toEqual(want);
      expect(await b.lastJobRuns()).toEqual(want);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('refuses an unreachable server with its error, leaving nothing open', async () => {
    await expect(PostgresMetadataStore.open({ url: `postgres://postgres@127.0.0.1:1/none` })).rejects.toThrow();
  });
});
