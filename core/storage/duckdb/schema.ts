import { codeOfReasonSql } from '../dead-letter-codes.js';

/**
 * Tables of the embedded store. Raw readings are append-only; hourly consumption is derived from
 * them and can always be rebuilt. Amounts are DECIMAL so that sums up the hierarchy are exact.
 */
export const SCHEMA_SQL = [
  `CREATE TABLE IF NOT EXISTS districts (id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS institutions (id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, district_id VARCHAR NOT NULL,
     type VARCHAR NOT NULL, floor_area_m2 DOUBLE NOT NULL, occupants INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS buildings (id VARCHAR PRIMARY KEY, institution_id VARCHAR NOT NULL, name VARCHAR NOT NULL,
     floor_area_m2 DOUBLE NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS gateways (id VARCHAR PRIMARY KEY, name VARCHAR, secret_hash VARCHAR NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS meters (id VARCHAR PRIMARY KEY, name VARCHAR, building_id VARCHAR NOT NULL,
     gateway_id VARCHAR NOT NULL, energy VARCHAR NOT NULL, sub_item VARCHAR, unit VARCHAR NOT NULL,
     multiplier DOUBLE NOT NULL, register_modulus DOUBLE, interval_s INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS readings (meter_id VARCHAR NOT NULL, ts TIMESTAMPTZ NOT NULL, value DOUBLE NOT NULL,
     gateway_id VARCHAR NOT NULL, received_at TIMESTAMPTZ NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS hourly (meter_id VARCHAR NOT NULL, hour_start TIMESTAMPTZ NOT NULL,
     amount DECIMAL(18,6) NOT NULL, estimated DECIMAL(18,6) NOT NULL, quality VARCHAR NOT NULL, readings INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS dead_letters (received_at TIMESTAMPTZ NOT NULL, reason VARCHAR NOT NULL, raw VARCHAR NOT NULL,
     gateway_id VARCHAR, topic VARCHAR, meter_id VARCHAR, ts TIMESTAMPTZ)`,
  `CREATE TABLE IF NOT EXISTS tokens (id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, role VARCHAR NOT NULL,
     hash VARCHAR NOT NULL UNIQUE, created_at TIMESTAMPTZ NOT NULL)`,
];

/**
 * Changes for data directories created before schema versions existed; idempotent, part of version 1
 * (duckdb/migrations.ts). A new change is a new version there, never a line here.
 */
export const MIGRATIONS_SQL = [
  'ALTER TABLE meters ADD COLUMN IF NOT EXISTS direction VARCHAR',
  'ALTER TABLE meters ADD COLUMN IF NOT EXISTS max_plausible_per_hour DOUBLE',
  'ALTER TABLE meters ADD COLUMN IF NOT EXISTS installed_at VARCHAR',
  `CREATE TABLE IF NOT EXISTS meter_events (id VARCHAR PRIMARY KEY, meter_id VARCHAR NOT NULL, type VARCHAR NOT NULL,
     ts TIMESTAMPTZ NOT NULL, old_final DOUBLE, new_initial DOUBLE, multiplier DOUBLE,
     created_at TIMESTAMPTZ NOT NULL, created_by VARCHAR NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS corrections (meter_id VARCHAR NOT NULL, ts TIMESTAMPTZ NOT NULL, action VARCHAR NOT NULL,
     reason VARCHAR NOT NULL, created_by VARCHAR NOT NULL, created_at TIMESTAMPTZ NOT NULL)`,
  // Access control: scoped, expiring, revocable tokens and the audit log of every change.
  'ALTER TABLE tokens ADD COLUMN IF NOT EXISTS scopes VARCHAR',
  'ALTER TABLE tokens ADD COLUMN IF NOT EXISTS expires_at TIMESTAMPTZ',
  'ALTER TABLE tokens ADD COLUMN IF NOT EXISTS revoked_at TIMESTAMPTZ',
  `CREATE TABLE IF NOT EXISTS audit_log (changed_at TIMESTAMPTZ NOT NULL, token_id VARCHAR NOT NULL, token_name VARCHAR NOT NULL,
     route VARCHAR NOT NULL, entity VARCHAR NOT NULL, before_json VARCHAR, after_json VARCHAR)`,
  // Dead letters with an id, a code and a retry mark (issue "No device can stop ingest"): letters
  // stored before get an id and the code their reason shows.
  'ALTER TABLE dead_letters ADD COLUMN IF NOT EXISTS id VARCHAR',
  'ALTER TABLE dead_letters ADD COLUMN IF NOT EXISTS code VARCHAR',
  'ALTER TABLE dead_letters ADD COLUMN IF NOT EXISTS retried_at TIMESTAMPTZ',
  `UPDATE dead_letters SET id = 'dl-' || replace(uuid()::VARCHAR, '-', '') WHERE id IS NULL`,
  `UPDATE dead_letters SET code = ${codeOfReasonSql('reason')} WHERE code IS NULL`,
];
