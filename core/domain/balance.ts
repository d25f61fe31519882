import { z } from 'zod';
import { EnergySchema } from './energy.js';
import type { Meter } from './registry.js';

/** Default `BALANCE_TOLERANCE`: a parent meter whose sub-meters differ from it by more than 5 % is flagged. */
export const DEFAULT_BALANCE_TOLERANCE = 0.05;

/** The balance (总分表平衡) of one parent meter over a period, in its energy's native unit. */
export const BalanceLineSchema = z.object({
  meterId: z.string(),
  energy: EnergySchema,
  childIds: z.array(z.string()).describe('the sub-meters under it in the registry'),
  parent: z.number().describe('what the parent measured'),
  children: z.number().describe('what its sub-meters measured, summed'),
  difference: z.number().describe('parent − children: losses, unmetered loads, or a faulty meter'),
  share: z.number().nullable().describe('difference / parent; null when the parent measured nothing'),
  flagged: z.boolean().describe('|share| above the tolerance (or children without a parent reading)'),
});

/** The balance of one parent meter against its sub-meters. */
export type BalanceLine = z.infer<typeof BalanceLineSchema>;

const toMicro = (x: number) => Math.round(x * 1e6);

/**
 * The balance of each parent meter (a meter with sub-meters) among `meters`: its own amount against
 * the sum of its sub-meters', from exact store sums, the difference computed in integer
 * micro-units. Flagged when |difference / parent| exceeds `tolerance`, or when sub-meters measured
 * something and the parent nothing. Pure; in meter order.
 */
export function balanceLines(
  meters: readonly Pick<Meter, 'id' | 'energy' | 'parentId'>[],
  own: ReadonlyMap<string, number>,
  childrenSum: ReadonlyMap<string, number>,
  tolerance: number,
): BalanceLine[] {
  const children = new Map<string, string[]>();
  for (const m of meters) {
    if (m.parentId === undefined) continue;
    const list = children.get(m.parentId) ?? [];
    list.push(m.id);
    children.set(m.parentId, list);
  }
  return meters
    .filter((m) => children.has(m.id))
    .map((m) => {
      const parentMicro = toMicro(own.get(m.id) ?? 0);
      const childMicro = toMicro(childrenSum.get(m.id) ?? 0);
      const differenceMicro = parentMicro - childMicro;
      const share = parentMicro === 0 ? null : differenceMicro / parentMicro;
      return {
        meterId: m.id,
        energy: m.energy,
        childIds: children.get(m.id) ?? [],
        parent: parentMicro / 1e6,
        children: childMicro / 1e6,
        difference: differenceMicro / 1e6,
        share: share === null ? null : Number(share.toFixed(6)),
        flagged: share === null ? childMicro !== 0 : Math.abs(share) > tolerance,
      };
    });
}
