import type { Fact } from '../../domain/facts.js';
import { factOfRow } from '../fact-rows.js';
import { insertRows, iso, msOf, type Run } from './sql.js';

/** Inserts facts in one statement (all or none); a known id is refused (primary key). */
export function insertFacts(run: Run, facts: readonly Fact[]): Promise<void> {
  return insertRows(
    run,
    'facts',
    ['id', 'scope', 'from_day', 'floor_area_m2', 'occupants', 'created_at', 'created_by'],
    ['text', 'text', 'text', 'float8', 'int4', 'timestamptz', 'text'],
    facts.map((f) => [f.id, f.scope, f.from, f.floorAreaM2, f.occupants, iso(f.createdAtMs), f.createdBy]),
  );
}

/** Every fact, or those of one scope, by scope, day, recording time and id. */
export async function selectFacts(run: Run, scope?: string): Promise<Fact[]> {
  const rows = await run(
    `SELECT id, scope, from_day, floor_area_m2, occupants, ${msOf('created_at')} AS created_ms, created_by FROM facts
     ${scope === undefined ? '' : 'WHERE scope = $1'} ORDER BY scope, from_day, created_at, id`,
    scope === undefined ? [] : [scope],
  );
  return rows.map(factOfRow);
}
