import type { DuckDBConnection } from '@duckdb/node-api';
import { appendRows, query } from './sql-util.js';

/**
 * Compact meter keys (issue 19, item 1). DuckDB keeps only the first 8 bytes of a text column's
 * min and max per row group, so meter ids that share a longer prefix (a district's code, the
 * national coding's region: `gaochun-2-school-029-b1-e01`) defeat the zone maps a clustered rollup
 * relies on: a scoped question scanned every row group of the district (96,000 meters: 2× the
 * time of 1,500). The rollups and `meter_spans` carry an integer key per meter id instead, joined
 * on and ordered by. A key is given once, the first time an id is seen, and never changes or
 * goes to another id (a meter removed from the registry and added again keeps its key).
 */
export const METER_KEYS_SQL = [
  'CREATE TABLE IF NOT EXISTS meter_keys (meter_id VARCHAR PRIMARY KEY, meter_key INTEGER NOT NULL UNIQUE)',
  // Every id a store already knows, in id order: a clustered month's order by id is kept.
  `INSERT INTO meter_keys
   SELECT meter_id, (SELECT coalesce(max(meter_key), 0) FROM meter_keys) + row_number() OVER (ORDER BY meter_id) FROM (
     SELECT id AS meter_id FROM meters UNION SELECT meter_id FROM meter_spans UNION SELECT DISTINCT meter_id FROM daily)
   WHERE meter_id NOT IN (SELECT meter_id FROM meter_keys)`,
  'ALTER TABLE meter_spans ADD COLUMN IF NOT EXISTS meter_key INTEGER',
  'UPDATE meter_spans SET meter_key = k.meter_key FROM meter_keys k WHERE k.meter_id = meter_spans.meter_id',
  ...['daily', 'monthly'].flatMap((table) => [
    `ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS meter_key INTEGER`,
    `UPDATE ${table} SET meter_key = k.meter_key FROM meter_keys k WHERE k.meter_id = ${table}.meter_id`,
  ]),
  // Clustered by id so far: the nightly `cluster-rollups` job orders every closed month again, by key.
  `DELETE FROM rollup_meta WHERE name IN ('clustered_before', 'monthly_clustered_before')`,
];

/** Every meter id's key. */
export async function loadMeterKeys(conn: DuckDBConnection): Promise<ReadonlyMap<string, number>> {
  const rows = await query(conn, 'SELECT meter_id, meter_key FROM meter_keys');
  return new Map(rows.map((r) => [String(r.meter_id), Number(r.meter_key)]));
}

/**
 * Gives the ids in `meterIds` that have none the next keys, in id order (an institution's new
 * meters, whose ids sort together, get neighbouring keys): `keys` with them. Call inside the
 * transaction that writes the meters, and keep the answer once it has committed.
 */
export async function assignMeterKeys(
  conn: DuckDBConnection,
  keys: ReadonlyMap<string, number>,
  meterIds: readonly string[],
): Promise<ReadonlyMap<string, number>> {
  const fresh = [...new Set(meterIds.filter((id) => !keys.has(id)))].sort();
  if (fresh.length === 0) return keys;
  const [row] = await query(conn, 'SELECT coalesce(max(meter_key), 0) AS k FROM meter_keys');
  const first = Number(row?.k ?? 0);
  let next = first;
  const added = fresh.map((id) => ({ id, key: ++next }));
  await appendRows(conn, 'meter_keys', added, (a, r) => {
    a.appendVarchar(r.id);
    a.appendInteger(r.key);
  });
  // Rollup rows written before their meter was registered (history loaded first) get the key too:
  // only the ids just keyed can have such rows.
  for (const table of ['daily', 'monthly'])
    await conn.run(
      `UPDATE ${table} SET meter_key = k.meter_key FROM meter_keys k
       WHERE k.meter_key > $1 AND ${table}.meter_key IS NULL AND k.meter_id = ${table}.meter_id`,
      [first],
    );
  const out = new Map(keys);
  for (const r of added) out.set(r.id, r.key);
  return out;
}

/**
 * `keys`, completed from the table for the ids in `meterIds` it lacks: a meter registered by a
 * write that committed after the caller's copy of the keys was taken.
 */
export async function withStoredKeys(
  conn: DuckDBConnection,
  keys: ReadonlyMap<string, number>,
  meterIds: readonly string[],
): Promise<ReadonlyMap<string, number>> {
  const missing = [...new Set(meterIds.filter((id) => !keys.has(id)))];
  if (missing.length === 0) return keys;
  const rows = await query(
    conn,
    `SELECT meter_id, meter_key FROM meter_keys WHERE meter_id IN (${missing.map((_, k) => `$${k + 1}`).join(', ')})`,
    missing,
  );
  if (rows.length === 0) return keys;
  const out = new Map(keys);
  for (const r of rows) out.set(String(r.meter_id), Number(r.meter_key));
  return out;
}
