import type { Meter, Registry } from './registry.js';

/**
 * Meter fields that decide how past readings become consumption or where it is counted: once a
 * meter has readings, changing one through the registry would silently rewrite history (issue "The
 * meter model", item 4). Each names the dated event that records the change instead.
 */
export const HISTORY_FIELDS = {
  multiplier: 'multiplier',
  parentId: 'parent',
  unit: 'replace',
  registerModulus: 'replace',
  direction: 'replace',
  energy: 'decommission',
} as const satisfies Partial<Record<keyof Meter, string>>;

/** A field of `HISTORY_FIELDS`. */
export type HistoryField = keyof typeof HISTORY_FIELDS;

/** A change of a history field of a known meter. */
export interface HistoryChange {
  readonly meterId: string;
  readonly field: HistoryField;
  readonly from: unknown;
  readonly to: unknown;
  /** The event type that records the change with its date. */
  readonly event: (typeof HISTORY_FIELDS)[HistoryField];
}

const HOW: Record<HistoryField, string> = {
  multiplier: 'record a multiplier event: POST /api/v1/meters/{id}/events {"type":"multiplier","ts","multiplier"}',
  parentId: 'record a parent event: POST /api/v1/meters/{id}/events {"type":"parent","ts","parentId"}',
  unit: 'a meter of another unit is a new register: record a replace event, or register a new meter',
  registerModulus: 'a register of another size is a new register: record a replace event',
  direction: 'a register that counts the other way is a new register: record a replace event',
  energy: 'a meter of another energy is another meter: decommission this one and register a new one',
};

/** What to do instead of changing `field` through the registry. */
export function historyAdvice(field: HistoryField): string {
  return HOW[field];
}

/** The history fields that a merged registry changes on meters of the current one, in meter order. */
export function historyChanges(current: Registry, merged: Registry): HistoryChange[] {
  const before = new Map(current.meters.map((m) => [m.id, m]));
  const out: HistoryChange[] = [];
  for (const m of merged.meters) {
    const old = before.get(m.id);
    if (old === undefined) continue;
    for (const field of Object.keys(HISTORY_FIELDS) as HistoryField[]) {
      const [was, is] =
        field === 'direction' ? [old.direction ?? 'import', m.direction ?? 'import'] : [old[field], m[field]];
      if (was !== is) {
        out.push({ meterId: m.id, field, from: old[field], to: m[field], event: HISTORY_FIELDS[field] });
      }
    }
  }
  return out;
}
