import type { DuckDBConnection } from '@duckdb/node-api';
import { type Migration, pendingMigrations } from '../schema-version.js';
import { ACCOUNTS_SQL } from './account-tables.js';
import { ANOMALY_CASES_SQL } from './anomaly-case-tables.js';
import { AUDIT_SQL } from './audit-tables.js';
import { BASELINES_SQL } from './baseline-tables.js';
import { COST_SQL } from './cost-tables.js';
import { FACTS_SQL } from './fact-tables.js';
import { HOURS_ROLLUP_SQL, MERGED_SPANS_SQL, ROLLUP_SQL } from './hourly-tables.js';
import { METER_KEYS_SQL } from './meter-keys.js';
import { NOTIFICATIONS_SQL } from './notification-tables.js';
import { PLANNING_SQL, REDUCTION_TARGETS_SQL } from './planning-tables.js';
import { SAVINGS_PROJECTS_SQL } from './savings-project-tables.js';
import { MIGRATIONS_SQL, SCHEMA_SQL } from './schema.js';
import { query } from './sql-util.js';
import { WEATHER_SQL } from './weather-tables.js';

/**
 * The embedded store's schema, by version (issue "Production parity", item 2). Version 1 is every
 * table as of the first versioned release, written idempotently: a data directory created before
 * versions existed (no version table) is brought to version 1 by running it again. Later changes
 * are new versions appended here, each applied once.
 */
export const DUCKDB_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'tables of the first versioned release',
    statements: [...SCHEMA_SQL, ...MIGRATIONS_SQL, ...PLANNING_SQL, ...ROLLUP_SQL],
  },
  {
    version: 2,
    description: 'meters.registered_at (offline detection of meters without installedAt)',
    statements: ['ALTER TABLE meters ADD COLUMN IF NOT EXISTS registered_at VARCHAR'],
  },
  {
    version: 3,
    description:
      'the meter model (issue "The meter model"): meter trees, manual and virtual meters, move and parent events',
    statements: [
      'ALTER TABLE meters ADD COLUMN IF NOT EXISTS parent_id VARCHAR',
      'ALTER TABLE meters ADD COLUMN IF NOT EXISTS reading VARCHAR',
      'ALTER TABLE meters ADD COLUMN IF NOT EXISTS virtual_plus VARCHAR',
      'ALTER TABLE meters ADD COLUMN IF NOT EXISTS virtual_minus VARCHAR',
      'ALTER TABLE meters ADD COLUMN IF NOT EXISTS attribution VARCHAR',
      // Each meter's attribution over time (meter-spans.ts), rewritten with the registry; aggregates join it.
      `CREATE TABLE IF NOT EXISTS meter_spans (meter_id VARCHAR NOT NULL, from_ts TIMESTAMPTZ NOT NULL,
         to_ts TIMESTAMPTZ NOT NULL, building_id VARCHAR NOT NULL, parent_id VARCHAR)`,
      `INSERT INTO meter_spans SELECT id, '1900-01-01 00:00:00+00'::TIMESTAMPTZ, '9999-01-01 00:00:00+00'::TIMESTAMPTZ,
         building_id, parent_id FROM meters`,
      'ALTER TABLE meters ALTER COLUMN gateway_id DROP NOT NULL',
      'ALTER TABLE meter_events ADD COLUMN IF NOT EXISTS building_id VARCHAR',
      'ALTER TABLE meter_events ADD COLUMN IF NOT EXISTS parent_id VARCHAR',
    ],
  },
  {
    version: 4,
    description: 'facts: effective-dated floor areas and occupants (issue "The meter model", item 4)',
    statements: [FACTS_SQL],
  },
  {
    version: 5,
    description: 'institutions.grid_region and meters.account_no (issue "The statutory year": carbon and bills)',
    statements: [
      'ALTER TABLE institutions ADD COLUMN IF NOT EXISTS grid_region VARCHAR',
      'ALTER TABLE meters ADD COLUMN IF NOT EXISTS account_no VARCHAR',
    ],
  },
  {
    version: 6,
    description: 'tariffs and utility bills (issue "The statutory year", item 1: cost)',
    statements: COST_SQL,
  },
  {
    version: 7,
    description: 'audit flags and sign-offs (issue "The statutory year", item 4: data audit)',
    statements: AUDIT_SQL,
  },
  {
    version: 8,
    description: 'institutions.credit_code and nature (issue "The statutory year", item 3: statistics forms)',
    statements: [
      'ALTER TABLE institutions ADD COLUMN IF NOT EXISTS credit_code VARCHAR',
      'ALTER TABLE institutions ADD COLUMN IF NOT EXISTS nature VARCHAR',
    ],
  },
  {
    version: 9,
    description: 'reduction targets against a base year (issue "The statutory year", item 6: five-year targets)',
    statements: REDUCTION_TARGETS_SQL,
  },
  {
    version: 10,
    description: 'users and sign-in sessions (issue 17, item 1: accounts)',
    statements: ACCOUNTS_SQL,
  },
  {
    version: 11,
    description: 'the daily rollup keeps amounts by local clock hour (time-of-use cost of long periods)',
    statements: HOURS_ROLLUP_SQL,
  },
  {
    version: 12,
    description: 'notification channels, routes and the delivery log (issue 17, item 4: notifications)',
    statements: NOTIFICATIONS_SQL,
  },
  {
    version: 13,
    description: 'anomaly cases: assignee, due date and comments (issue 17, item 3)',
    statements: ANOMALY_CASES_SQL,
  },
  {
    version: 14,
    description: 'weather stations in the registry and their hourly observations (issue 18, item 1)',
    statements: WEATHER_SQL,
  },
  {
    version: 15,
    description: 'savings projects and their non-routine adjustments (issue 18, item 3)',
    statements: SAVINGS_PROJECTS_SQL,
  },
  {
    version: 16,
    description: 'rollups clustered by meter within each month (issue 19, item 1): rebuilt when the store opens',
    // ensureDailyRollup rebuilds them month by month, ordered by meter, and marks them clustered.
    statements: [`DELETE FROM rollup_meta WHERE name IN ('daily_zone', 'clustered_before')`],
  },
  {
    version: 17,
    description:
      'meter spans carry energy, sub-item, institution and district (one join per aggregate); the monthly rollup clustered by meter within each local year by the nightly cluster-rollups job (issue 19)',
    statements: MERGED_SPANS_SQL,
  },
  {
    version: 18,
    description: "stored baselines: each meter's fitted model and its fit (issue 18, the fit-baselines job)",
    statements: BASELINES_SQL,
  },
  {
    version: 19,
    description:
      'an integer key per meter in meter_spans and the rollups, joined on and clustered by (issue 19: text ids sharing 8-byte prefixes defeated the zone maps)',
    statements: METER_KEYS_SQL,
  },
];

/** The version table: one row per applied migration. */
export const DUCKDB_VERSION_TABLE_SQL = `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,
  description VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)`;

/** The schema version of an open database (0: none applied yet). */
export async function duckdbSchemaVersion(conn: DuckDBConnection): Promise<number> {
  await conn.run(DUCKDB_VERSION_TABLE_SQL);
  const [row] = await query(conn, 'SELECT coalesce(max(version), 0) AS v FROM schema_migrations');
  return Number(row?.v ?? 0);
}

/**
 * Brings the database to the newest version, each migration in its own transaction with its
 * version row; refuses (`JN_STORE_SCHEMA_NEWER`) a database newer than `migrations` know.
 */
export async function migrateDuckDb(
  conn: DuckDBConnection,
  location: string,
  migrations: readonly Migration[] = DUCKDB_MIGRATIONS,
): Promise<void> {
  const current = await duckdbSchemaVersion(conn);
  for (const m of pendingMigrations(migrations, current, location)) {
    await conn.run('BEGIN TRANSACTION');
    try {
      for (const sql of m.statements) await conn.run(sql);
      await conn.run('INSERT INTO schema_migrations (version, description) VALUES ($1, $2)', [
        m.version,
        m.description,
      ]);
      await conn.run('COMMIT');
    } catch (error) {
      await conn.run('ROLLBACK');
      throw error;
    }
  }
}
