import { describe, expect, it } from 'vitest';
import {
  fieldPath,
  ManualEntrySchema,
  manualSource,
  planDeliveries,
  planRegisterReadings,
} from '../../core/domain/manual-readings.js';

const DAY = 86_400_000;
const T0 = Date.parse('2026-10-01T00:00:00+08:00');
const at = (day: number) => T0 + day * DAY;
const values = (plan: { planned: { tsMs: number; value: number }[] }) =>
  plan.planned.map((p) => [(p.tsMs - T0) / DAY, p.value]);

describe('manual entries as register readings (issue 15, item 5)', () => {
  it('parses readings or amounts, not both, naming bad fields with indexes', () => {
    expect(ManualEntrySchema.safeParse({ readings: [{ ts: '2026-10-01T08:00:00+08:00', value: 1 }] }).success).toBe(
      true,
    );
    expect(ManualEntrySchema.safeParse({ amounts: [{ from: at(0), to: at(1), amount: 2 }] }).success).toBe(true);
    const both = ManualEntrySchema.safeParse({
      readings: [{ ts: at(0), value: 1 }],
      amounts: [{ from: at(0), to: at(1), amount: 2 }],
    });
    expect(both.error?.issues.map((i) => fieldPath(i.path))).toEqual(['readings']);
    expect(ManualEntrySchema.safeParse({}).success).toBe(false);
    const bad = ManualEntrySchema.safeParse({
      readings: [
        { ts: at(0), value: 1 },
        { ts: '2026-10-02', value: 2 },
        { ts: at(2), value: 'x' },
      ],
    });
    expect(bad.error?.issues.map((i) => fieldPath(i.path))).toEqual(['readings[1].ts', 'readings[2].value']);
    const backwards = ManualEntrySchema.safeParse({ amounts: [{ from: at(2), to: at(1), amount: 2 }] });
    expect(backwards.error?.issues.map((i) => fieldPath(i.path))).toEqual(['amounts[0].to']);
    const negative = ManualEntrySchema.safeParse({ amounts: [{ from: at(0), to: at(1), amount: -2 }] });
    expect(negative.error?.issues.map((i) => fieldPath(i.path))).toEqual(['amounts[0].amount']);
  });

  it('names the source of manual readings after the token', () => {
    expect(manualSource('tok-1')).toBe('manual:tok-1');
  });

  it('sorts register readings, drops a line typed twice and refuses two values for one instant', () => {
    const plan = planRegisterReadings([
      { ts: at(2), value: 30 },
      { ts: at(0), value: 10 },
      { ts: at(2), value: 30 },
      { ts: at(1), value: 20 },
      { ts: at(1), value: 21 },
    ]);
    expect(values(plan)).toEqual([
      [0, 10],
      [1, 20],
      [2, 30],
    ]);
    expect(plan.problems).toEqual([{ path: 'readings[4].value', message: expect.stringContaining('readings[3].ts') }]);
    expect(plan.planned[2]).toMatchObject({ tsPath: 'readings[0].ts', valuePath: 'readings[0].value' });
  });

  it('counts deliveries up from 0 for a new meter, flat between them, in any order', () => {
    const plan = planDeliveries(
      [
        { from: at(20), to: at(30), amount: 50 },
        { from: at(0), to: at(10), amount: 200 },
        { from: at(10), to: at(20), amount: 100 },
      ],
      {},
    );
    expect(plan.problems).toEqual([]);
    expect(values(plan)).toEqual([
      [0, 0],
      [10, 200],
      [20, 300],
      [30, 350],
    ]);
    expect(plan.planned[1]).toMatchObject({ tsPath: 'amounts[1].to', valuePath: 'amounts[1].amount' });
  });

  it('continues after the newest reading, with a flat interval across a gap', () => {
    const plan = planDeliveries([{ from: at(5), to: at(6), amount: 7 }], {
      first: { tsMs: at(0), value: 100 },
      last: { tsMs: at(3), value: 120 },
    });
    expect(values(plan)).toEqual([
      [5, 120],
      [6, 127],
    ]);
  });

  it('counts down before the oldest reading, for a delivery entered late', () => {
    const plan = planDeliveries(
      [
        { from: at(-30), to: at(-20), amount: 30 },
        { from: at(-10), to: at(0), amount: 10 },
      ],
      { first: { tsMs: at(0), value: 0 }, last: { tsMs: at(10), value: 200 } },
    );
    expect(plan.problems).toEqual([]);
    expect(values(plan)).toEqual([
      [-30, -40],
      [-20, -10],
      [-10, -10],
    ]);
  });

  it('refuses a delivery inside the stored register, and overlapping deliveries, naming them', () => {
    const stored = { first: { tsMs: at(0), value: 0 }, last: { tsMs: at(10), value: 200 } };
    const inside = planDeliveries([{ from: at(4), to: at(6), amount: 1 }], stored);
    expect(inside.planned).toEqual([]);
    expect(inside.problems.map((p) => p.path)).toEqual(['amounts[0].from']);
    const overlapping = planDeliveries(
      [
        { from: at(0), to: at(10), amount: 1 },
        { from: at(20), to: at(30), amount: 1 },
        { from: at(5), to: at(12), amount: 1 },
      ],
      {},
    );
    expect(overlapping.planned).toEqual([]);
    expect(overlapping.problems).toEqual([{ path: 'amounts[2].from', message: expect.stringContaining('amounts[0]') }]);
  });

  it('refuses a register beyond what the store holds, naming the amount', () => {
    const plan = planDeliveries([{ from: at(0), to: at(1), amount: 9e11 }], {
      last: { tsMs: at(-1), value: 5e11 },
      first: { tsMs: at(-1), value: 5e11 },
    });
    expect(plan.problems.map((p) => p.path)).toEqual(['amounts[0].amount']);
  });
});
