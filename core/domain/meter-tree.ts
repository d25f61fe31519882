import type { Meter } from './registry.js';

/** A problem with a meter's place in a tree or its virtual formula: which meter, which field, why. */
export interface MeterTreeProblem {
  readonly meter: Pick<Meter, 'id'>;
  readonly field: string;
  readonly message: string;
}

type TreeMeter = Pick<Meter, 'id' | 'buildingId' | 'energy' | 'parentId' | 'virtual'>;

/**
 * The first meter id that comes round again following `parentOf` from `start`, or undefined when
 * the chain ends (a root). Bounded by the number of meters, so a cycle cannot loop forever.
 */
export function cycleFrom(start: string, parentOf: (id: string) => string | undefined, limit: number): boolean {
  let at: string | undefined = start;
  for (let step = 0; step <= limit; step++) {
    at = at === undefined ? undefined : parentOf(at);
    if (at === undefined) return false;
    if (at === start) return true;
  }
  return true;
}

/**
 * Checks the meter trees and virtual meters of a registry (issue "The meter model"): a parent
 * exists, is not the meter itself, is in the same building, of the same energy and not virtual, and
 * following parents never comes back to a meter (no cycle); a virtual meter's `plus` and `minus`
 * name existing, non-virtual meters of its energy, none twice. Every problem at once, in meter order.
 */
export function meterTreeProblems(meters: readonly TreeMeter[]): MeterTreeProblem[] {
  const byId = new Map(meters.map((m) => [m.id, m]));
  const problems: MeterTreeProblem[] = [];
  for (const m of meters) {
    if (m.parentId !== undefined) {
      const p = byId.get(m.parentId);
      const bad = (message: string) => problems.push({ meter: m, field: 'parentId', message });
      if (m.parentId === m.id) bad('a meter cannot be its own parent');
      else if (p === undefined) bad(`unknown meter "${m.parentId}"`);
      else if (p.virtual !== undefined) bad(`"${p.id}" is a virtual meter; a parent measures`);
      else if (p.buildingId !== m.buildingId)
        bad(`parent "${p.id}" is in building "${p.buildingId}", not "${m.buildingId}"`);
      else if (p.energy !== m.energy) bad(`parent "${p.id}" meters ${p.energy}, not ${m.energy}`);
      else if (cycleFrom(m.id, (id) => byId.get(id)?.parentId, meters.length)) bad(`parents of "${m.id}" form a cycle`);
    }
    if (m.virtual !== undefined) {
      const seen = new Set<string>();
      for (const side of ['plus', 'minus'] as const) {
        m.virtual[side].forEach((id, i) => {
          const field = `virtual.${side}[${i}]`;
          const ref = byId.get(id);
          if (seen.has(id)) problems.push({ meter: m, field, message: `"${id}" appears twice in the formula` });
          else if (ref === undefined) problems.push({ meter: m, field, message: `unknown meter "${id}"` });
          else if (ref.virtual !== undefined)
            problems.push({ meter: m, field, message: `"${id}" is virtual; a formula names measuring meters` });
          else if (ref.energy !== m.energy)
            problems.push({ meter: m, field, message: `"${id}" meters ${ref.energy}, not ${m.energy}` });
          seen.add(id);
        });
      }
    }
  }
  return problems;
}
