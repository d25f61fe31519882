import type pg from 'pg';
import { type Migration, pendingMigrations } from '../schema-version.js';
import { ACCOUNTS_TABLES_SQL } from './account-tables.js';
import { ANOMALY_CASES_TABLES_SQL } from './anomaly-case-tables.js';
import { AUDIT_TABLES_SQL } from './audit-tables.js';
import { BASELINES_TABLES_SQL } from './baseline-tables.js';
import { NOTIFICATIONS_TABLES_SQL } from './notification-tables.js';
import { REDUCTION_TARGETS_SQL } from './planning-tables.js';
import { SAVINGS_PROJECTS_TABLES_SQL } from './savings-project-tables.js';
import { ID } from './sql.js';
import { WEATHER_TABLES_SQL } from './weather-tables.js';

/**
 * The PostgreSQL metadata schema, by version (issue "Production parity", item 2): the same tables
 * as the DuckDB metadata, with ids compared byte-wise, JSON as jsonb and a sequence where the
 * order of equal timestamps matters. A released version is never edited: changes are appended.
 */
export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'registry, meter events, corrections, dead letters, targets, anomalies, tokens, audit log',
    statements: [
      `CREATE TABLE districts (id ${ID} PRIMARY KEY, name TEXT NOT NULL)`,
      `CREATE TABLE institutions (id ${ID} PRIMARY KEY, name TEXT NOT NULL, district_id ${ID} NOT NULL,
         type TEXT NOT NULL, floor_area_m2 DOUBLE PRECISION NOT NULL, occupants INTEGER NOT NULL)`,
      `CREATE TABLE buildings (id ${ID} PRIMARY KEY, institution_id ${ID} NOT NULL, name TEXT NOT NULL,
         floor_area_m2 DOUBLE PRECISION NOT NULL)`,
      `CREATE TABLE gateways (id ${ID} PRIMARY KEY, name TEXT, secret_hash TEXT NOT NULL)`,
      `CREATE TABLE meters (id ${ID} PRIMARY KEY, name TEXT, building_id ${ID} NOT NULL, gateway_id ${ID} NOT NULL,
         energy TEXT NOT NULL, sub_item TEXT, unit TEXT NOT NULL, multiplier DOUBLE PRECISION NOT NULL,
         register_modulus DOUBLE PRECISION, interval_s INTEGER NOT NULL, direction TEXT,
         max_plausible_per_hour DOUBLE PRECISION, installed_at TEXT)`,
      `CREATE TABLE meter_events (id ${ID} PRIMARY KEY, meter_id ${ID} NOT NULL, type TEXT NOT NULL,
         ts TIMESTAMPTZ NOT NULL, old_final DOUBLE PRECISION, new_initial DOUBLE PRECISION, multiplier DOUBLE PRECISION,
         created_at TIMESTAMPTZ NOT NULL, created_by TEXT NOT NULL)`,
      `CREATE TABLE corrections (seq BIGSERIAL PRIMARY KEY, meter_id ${ID} NOT NULL, ts TIMESTAMPTZ NOT NULL,
         action TEXT NOT NULL, reason TEXT NOT NULL, created_by TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL)`,
      'CREATE INDEX corrections_meter_ts ON corrections (meter_id, ts)',
      `CREATE TABLE dead_letters (id ${ID} PRIMARY KEY, code ${ID} NOT NULL, received_at TIMESTAMPTZ NOT NULL,
         reason TEXT NOT NULL, raw TEXT NOT NULL, gateway_id ${ID}, topic TEXT, meter_id ${ID}, ts TIMESTAMPTZ,
         retried_at TIMESTAMPTZ)`,
      'CREATE INDEX dead_letters_received ON dead_letters (received_at, id)',
      `CREATE TABLE targets (scope ${ID} NOT NULL, energy ${ID} NOT NULL, period ${ID} NOT NULL,
         value DOUBLE PRECISION NOT NULL, unit TEXT NOT NULL, PRIMARY KEY (scope, energy, period))`,
      `CREATE TABLE anomalies (id ${ID} PRIMARY KEY, type TEXT NOT NULL, scope ${ID} NOT NULL, energy TEXT NOT NULL,
         start_ts TIMESTAMPTZ NOT NULL, end_ts TIMESTAMPTZ NOT NULL, severity TEXT NOT NULL, evidence JSONB NOT NULL,
         wasted_native DOUBLE PRECISION NOT NULL, wasted_kgce DOUBLE PRECISION NOT NULL, status TEXT NOT NULL,
         detected_at TIMESTAMPTZ NOT NULL, ack_by TEXT, ack_comment TEXT, ack_at TIMESTAMPTZ,
         resolved_by TEXT, resolved_comment TEXT, resolved_at TIMESTAMPTZ)`,
      'CREATE INDEX anomalies_start ON anomalies (start_ts)',
      `CREATE TABLE tokens (id ${ID} PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, hash TEXT NOT NULL UNIQUE,
         created_at TIMESTAMPTZ NOT NULL, scopes TEXT[] NOT NULL DEFAULT '{}', expires_at TIMESTAMPTZ,
         revoked_at TIMESTAMPTZ)`,
      `CREATE TABLE audit_log (seq BIGSERIAL PRIMARY KEY, changed_at TIMESTAMPTZ NOT NULL, token_id TEXT NOT NULL,
         token_name TEXT NOT NULL, route TEXT NOT NULL, entity TEXT NOT NULL, before_json JSONB, after_json JSONB)`,
      'CREATE INDEX audit_log_changed ON audit_log (changed_at)',
    ],
  },
  {
    version: 2,
    description: 'meters.registered_at (offline detection of meters without installedAt)',
    statements: ['ALTER TABLE meters ADD COLUMN registered_at TEXT'],
  },
  {
    version: 3,
    description: 'job_runs: the history of job runs shared by the cluster',
    statements: [
      `CREATE TABLE job_runs (seq BIGSERIAL PRIMARY KEY, job ${ID} NOT NULL, process_id TEXT NOT NULL,
         trigger TEXT NOT NULL, started_at TIMESTAMPTZ NOT NULL, finished_at TIMESTAMPTZ NOT NULL,
         outcome TEXT NOT NULL, result JSONB, error TEXT)`,
      'CREATE INDEX job_runs_job_started ON job_runs (job, started_at DESC)',
    ],
  },
  {
    version: 4,
    description:
      'the meter model (issue "The meter model"): meter trees, manual and virtual meters, move and parent events',
    statements: [
      `ALTER TABLE meters ADD COLUMN parent_id ${ID}`,
      'ALTER TABLE meters ADD COLUMN reading TEXT',
      'ALTER TABLE meters ADD COLUMN virtual_plus TEXT',
      'ALTER TABLE meters ADD COLUMN virtual_minus TEXT',
      'ALTER TABLE meters ADD COLUMN attribution TEXT',
      'ALTER TABLE meters ALTER COLUMN gateway_id DROP NOT NULL',
      `ALTER TABLE meter_events ADD COLUMN building_id ${ID}`,
      `ALTER TABLE meter_events ADD COLUMN parent_id ${ID}`,
    ],
  },
  {
    version: 5,
    description: 'facts: effective-dated floor areas and occupants (issue "The meter model", item 4)',
    statements: [
      `CREATE TABLE facts (id ${ID} PRIMARY KEY, scope ${ID} NOT NULL, from_day ${ID} NOT NULL,
         floor_area_m2 DOUBLE PRECISION, occupants INTEGER, created_at TIMESTAMPTZ NOT NULL, created_by TEXT NOT NULL)`,
      'CREATE INDEX facts_scope_from ON facts (scope, from_day)',
    ],
  },
  {
    version: 6,
    description: 'institutions.grid_region and meters.account_no (issue "The statutory year": carbon and bills)',
    statements: [
      'ALTER TABLE institutions ADD COLUMN grid_region TEXT',
      'ALTER TABLE meters ADD COLUMN account_no TEXT',
    ],
  },
  {
    version: 7,
    description: 'tariffs and utility bills (issue "The statutory year", item 1: cost)',
    statements: [
      `CREATE TABLE tariffs (id ${ID} PRIMARY KEY, energy ${ID} NOT NULL, institution_id ${ID}, from_day ${ID} NOT NULL,
         price_yuan_per_unit DOUBLE PRECISION, bands JSONB)`,
      `CREATE TABLE bills (id ${ID} PRIMARY KEY, account_no ${ID} NOT NULL, energy ${ID} NOT NULL,
         from_day ${ID} NOT NULL, to_day ${ID} NOT NULL, quantity DOUBLE PRECISION NOT NULL, amount_fen BIGINT NOT NULL,
         created_at TIMESTAMPTZ NOT NULL, created_by TEXT NOT NULL)`,
      'CREATE INDEX bills_account ON bills (account_no, energy, from_day)',
    ],
  },
  {
    version: 8,
    description: 'audit flags and sign-offs (issue "The statutory year", item 4: data audit)',
    statements: AUDIT_TABLES_SQL,
  },
  {
    version: 9,
    description: 'institutions.credit_code and nature (issue "The statutory year", item 3: statistics forms)',
    statements: [
      'ALTER TABLE institutions ADD COLUMN credit_code TEXT',
      'ALTER TABLE institutions ADD COLUMN nature TEXT',
    ],
  },
  {
    version: 10,
    description: 'reduction targets against a base year (issue "The statutory year", item 6: five-year targets)',
    statements: REDUCTION_TARGETS_SQL,
  },
  {
    version: 11,
    description: 'users and sign-in sessions (issue 17, item 1: accounts)',
    statements: ACCOUNTS_TABLES_SQL,
  },
  {
    version: 12,
    description: 'notification channels, routes and the delivery log (issue 17, item 4: notifications)',
    statements: NOTIFICATIONS_TABLES_SQL,
  },
  {
    version: 13,
    description: 'anomaly cases: assignee, due date and comments (issue 17, item 3)',
    statements: ANOMALY_CASES_TABLES_SQL,
  },
  {
    version: 14,
    description: 'weather stations in the registry and their hourly observations (issue 18, item 1)',
    statements: WEATHER_TABLES_SQL,
  },
  {
    version: 15,
    description: 'savings projects and their non-routine adjustments (issue 18, item 3)',
    statements: SAVINGS_PROJECTS_TABLES_SQL,
  },
  {
    version: 16,
    description: "stored baselines: each meter's fitted model and its fit (issue 18, the fit-baselines job)",
    statements: BASELINES_TABLES_SQL,
  },
];

/** The version table: one row per applied migration. */
const VERSION_TABLE_SQL = `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,
  description TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`;

/**
 * Brings the database to the newest version in one transaction; refuses (`JN_STORE_SCHEMA_NEWER`)
 * a database newer than `migrations` know. Processes opening the same database at once take a
 * transaction-scoped advisory lock first: one migrates, the others then find nothing to do.
 */
export async function migratePostgres(
  client: pg.PoolClient,
  location: string,
  migrations: readonly Migration[] = POSTGRES_MIGRATIONS,
): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('jieneng:schema_migrations'))`);
    await client.query(VERSION_TABLE_SQL);
    const { rows } = await client.query<{ v: number }>(
      'SELECT coalesce(max(version), 0)::int AS v FROM schema_migrations',
    );
    for (const m of pendingMigrations(migrations, rows[0]?.v ?? 0, location)) {
      for (const sql of m.statements) await client.query(sql);
      await client.query('INSERT INTO schema_migrations (version, description) VALUES ($1, $2)', [
        m.version,
        m.description,
      ]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
