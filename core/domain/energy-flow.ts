import { z } from 'zod';
import { type CoefficientTable, ENERGY_INFO, type Energy, EnergySchema } from './energy.js';
import { SUB_ITEMS, UNMETERED } from './sub-items.js';

/**
 * The energy flow of a scope (issue 17, item 3: a Sankey diagram) in kgce: energy type → electricity
 * sub-item → building, and energy type → building for the other energies (sub-items are
 * electricity's, JGJ/T 285). Water is a resource, not energy: it is no node of the flow, and its
 * volume is given beside it. Every value is integer micro-kgce rounded once, and every node's value
 * is the sum of its links' micro-kgce, so links out of an energy add up exactly to its total and
 * links into a building to the building's.
 */

/** A node of the flow. */
export const FlowNodeSchema = z.object({
  id: z.string().describe('energy:KEY, subItem:CLASS (01A, 01B, … or unmetered) or building:ID'),
  kind: z.enum(['energy', 'subItem', 'building']),
  name: z.string().describe('Chinese name (a building: its registry name)'),
  nameEn: z.string().optional(),
  valueKgce: z.number(),
});
export type FlowNode = z.infer<typeof FlowNodeSchema>;

/** A link of the flow; a sub-item's remainder is negative when its sub-meters measured more than it. */
export const FlowLinkSchema = z.object({ source: z.string(), target: z.string(), valueKgce: z.number() });
export type FlowLink = z.infer<typeof FlowLinkSchema>;

/** `GET /api/v1/energy-flow`. */
export const EnergyFlowSchema = z.object({
  scope: z.string(),
  from: z.string(),
  to: z.string(),
  timezone: z.string(),
  unit: z.literal('kgce'),
  coefficients: z.string().describe('version of the kgce coefficient table'),
  nodes: z.array(FlowNodeSchema),
  links: z.array(FlowLinkSchema),
  totalKgce: z.number().describe('every energy but water'),
  waterM3: z.number().describe('the scope’s water, not part of the flow'),
  note: z.string(),
});
export type EnergyFlow = z.infer<typeof EnergyFlowSchema>;

/** One summed cell of consumption: an energy (with electricity, a sub-item class) in a building. */
export interface FlowCell {
  readonly energy: Energy;
  /** Electricity only: the sub-item class prefix (`01A`) or `unmetered` whose remainders these are. */
  readonly subItem?: string;
  readonly buildingId: string;
  /** In the energy's native unit. */
  readonly amount: number;
}

/** The sub-item class (`01A`) of a meter's sub-item code (`01A10`). */
export function subItemClass(code: string): string {
  return code.slice(0, 3);
}

const nodeId = {
  energy: (e: string) => `energy:${e}`,
  subItem: (s: string) => `subItem:${s}`,
  building: (b: string) => `building:${b}`,
};
/** The key of a node id (`01A` of `subItem:01A`). */
const keyOf = (id: string) => id.slice(id.indexOf(':') + 1);

function subItemNames(prefix: string): { name: string; nameEn: string } {
  if (prefix === UNMETERED) return { name: '未计量', nameEn: 'Unmetered' };
  const known = SUB_ITEMS[`${prefix}00`];
  return known === undefined ? { name: prefix, nameEn: prefix } : { name: known.nameZh, nameEn: known.nameEn };
}

/** Adds micro-units to a key of a map. */
function add<K>(m: Map<K, number>, key: K, micro: number): void {
  m.set(key, (m.get(key) ?? 0) + micro);
}

/**
 * The flow of cells: electricity cells carry their sub-item, the others none (a sub-item on them is
 * ignored). Links and nodes without any micro-kgce are left out; nodes are ordered energies (in
 * `EnergySchema` order), sub-items (by code, `unmetered` last), buildings (by id).
 */
export function energyFlow(
  cells: readonly FlowCell[],
  table: CoefficientTable,
  buildingNames: ReadonlyMap<string, string>,
): Pick<EnergyFlow, 'nodes' | 'links' | 'totalKgce' | 'waterM3'> {
  const links = new Map<string, { source: string; target: string; micro: number }>();
  const link = (source: string, target: string, micro: number) => {
    const key = `${source}\u0000${target}`;
    const l = links.get(key) ?? { source, target, micro: 0 };
    l.micro += micro;
    links.set(key, l);
  };
  let waterMicro = 0;
  for (const c of cells) {
    // Hourly amounts are stored with 6 decimals: a sum of them is a whole number of micro-units.
    const amountMicro = Math.round(c.amount * 1e6);
    if (!ENERGY_INFO[c.energy].countsAsEnergy) {
      waterMicro += amountMicro;
      continue;
    }
    const micro = Math.round(amountMicro * table.kgcePerUnit[c.energy]);
    if (micro === 0) continue;
    const building = nodeId.building(c.buildingId);
    if (c.energy === 'electricity' && c.subItem !== undefined) {
      link(nodeId.energy(c.energy), nodeId.subItem(c.subItem), micro);
      link(nodeId.subItem(c.subItem), building, micro);
    } else link(nodeId.energy(c.energy), building, micro);
  }
  const outOf = new Map<string, number>();
  const into = new Map<string, number>();
  const kept = [...links.values()].filter((l) => l.micro !== 0);
  for (const l of kept) {
    add(outOf, l.source, l.micro);
    add(into, l.target, l.micro);
  }
  const kgce = (micro: number) => micro / 1e6;
  const nodes: FlowNode[] = [];
  for (const energy of EnergySchema.options) {
    const micro = outOf.get(nodeId.energy(energy));
    if (micro === undefined) continue;
    const { nameZh, nameEn } = ENERGY_INFO[energy];
    nodes.push({ id: nodeId.energy(energy), kind: 'energy', name: nameZh, nameEn, valueKgce: kgce(micro) });
  }
  const subItems = [...new Set(kept.filter((l) => l.source.startsWith('subItem:')).map((l) => keyOf(l.source)))];
  subItems.sort((a, b) => (a === UNMETERED ? 1 : b === UNMETERED ? -1 : a < b ? -1 : a > b ? 1 : 0));
  for (const s of subItems)
    nodes.push({
      id: nodeId.subItem(s),
      kind: 'subItem',
      ...subItemNames(s),
      valueKgce: kgce(outOf.get(nodeId.subItem(s)) ?? 0),
    });
  const buildings = [...into.keys()].filter((id) => id.startsWith('building:')).sort();
  for (const id of buildings) {
    const name = buildingNames.get(keyOf(id)) ?? keyOf(id);
    nodes.push({ id, kind: 'building', name, valueKgce: kgce(into.get(id) ?? 0) });
  }
  const order = new Map(nodes.map((n, i) => [n.id, i]));
  kept.sort(
    (a, b) =>
      (order.get(a.source) ?? 0) - (order.get(b.source) ?? 0) ||
      (order.get(a.target) ?? 0) - (order.get(b.target) ?? 0),
  );
  let totalMicro = 0;
  for (const energy of EnergySchema.options) totalMicro += outOf.get(nodeId.energy(energy)) ?? 0;
  return {
    nodes,
    links: kept.map((l) => ({ source: l.source, target: l.target, valueKgce: kgce(l.micro) })),
    totalKgce: kgce(totalMicro),
    waterM3: waterMicro / 1e6,
  };
}
