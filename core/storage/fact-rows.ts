import type { Fact } from '../domain/facts.js';

/**
 * A fact from its row `id, scope, from_day, floor_area_m2, occupants, created_ms, created_by`, shared
 * by the DuckDB and PostgreSQL metadata stores (like `metadata-rows.ts`); a NULL value is a field
 * the fact does not give.
 */
export function factOfRow(r: Record<string, unknown>): Fact {
  return {
    id: String(r.id),
    scope: String(r.scope),
    from: String(r.from_day),
    ...(r.floor_area_m2 === null || r.floor_area_m2 === undefined ? {} : { floorAreaM2: Number(r.floor_area_m2) }),
    ...(r.occupants === null || r.occupants === undefined ? {} : { occupants: Number(r.occupants) }),
    createdAtMs: Number(r.created_ms),
    createdBy: String(r.created_by),
  };
}
