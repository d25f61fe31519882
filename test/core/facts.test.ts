import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bucketRanges,
  denominatorsOver,
  type Fact,
  type FactDraft,
  FactInputSchema,
  factStartMs,
  factSteps,
  factsOfRegistryChange,
  factTimelines,
  pinsFor,
  timeWeighted,
  valueInForce,
} from '../../core/domain/facts.js';
import type { Registry } from '../../core/domain/registry.js';
import { bucketStarts } from '../../core/domain/time.js';

const TZ = 'Asia/Shanghai';
const at = (local: string) => Date.parse(`${local}T00:00:00+08:00`);

const REGISTRY: Registry = {
  districts: [{ id: 'd1', name: 'D1' }],
  institutions: [
    { id: 'i1', name: 'I1', districtId: 'd1', type: 'office', floorAreaM2: 10_000, occupants: 100 },
    { id: 'i2', name: 'I2', districtId: 'd1', type: 'school', floorAreaM2: 5_000, occupants: 50 },
  ],
  buildings: [
    { id: 'b1', institutionId: 'i1', name: 'B1', floorAreaM2: 6_000 },
    { id: 'b2', institutionId: 'i1', name: 'B2', floorAreaM2: 4_000 },
  ],
  gateways: [],
  meters: [],
};

let seq = 0;
const stored = (d: FactDraft, createdAtMs = 0): Fact => ({ ...d, id: `f-${++seq}`, createdAtMs, createdBy: 't' });

describe('effective-dated facts (pure)', () => {
  it('weights a year by the time each floor area was in force: 10,000 m² to 1 July, then 15,000 m²', () => {
    const facts = [stored({ scope: 'institution:i1', from: '2025-07-01', floorAreaM2: 15_000 })];
    const steps = factSteps(facts, 'institution:i1', 'floorAreaM2', TZ);
    const year = timeWeighted(steps, 10_000, at('2025-01-01'), at('2026-01-01'));
    expect(year).toBeCloseTo((10_000 * 181) / 365 + (15_000 * 184) / 365, 9);
    // Without a change inside the range, the value in force itself.
    expect(timeWeighted(steps, 10_000, at('2025-07-01'), at('2025-08-01'))).toBe(15_000);
    expect(timeWeighted(steps, 10_000, at('2025-06-01'), at('2025-07-01'))).toBe(10_000);
  });

  it('applies a fact from local midnight of its day, and of two facts of one day the one recorded last', () => {
    const facts = [
      stored({ scope: 'institution:i1', from: '2025-07-01', floorAreaM2: 15_000 }, 2),
      stored({ scope: 'institution:i1', from: '2025-07-01', floorAreaM2: 14_000 }, 1),
    ];
    const steps = factSteps(facts, 'institution:i1', 'floorAreaM2', TZ);
    expect(factStartMs('2025-07-01', TZ)).toBe(Date.parse('2025-06-30T16:00:00Z'));
    expect(valueInForce(steps, at('2025-07-01') - 1)).toBeUndefined();
    expect(valueInForce(steps, at('2025-07-01'))).toBe(15_000);
    expect(steps).toHaveLength(1);
  });

  it('gives each bucket its own denominators, time-weighted inside the bucket where a value changes', () => {
    const facts = [
      stored({ scope: 'building:b1', from: '2025-03-16', floorAreaM2: 8_000 }),
      stored({ scope: 'institution:i1', from: '2025-03-01', occupants: 120 }),
      stored({ scope: 'building:b2', from: '2025-04-01', occupants: 7 }),
    ];
    const timelines = factTimelines(facts, TZ);
    const [from, to] = [at('2025-02-01'), at('2025-05-01')];
    const ranges = bucketRanges(bucketStarts(from, to, 'month', TZ), from, to);
    const b1 = denominatorsOver({ level: 'building', id: 'b1' }, REGISTRY, timelines, ranges);
    expect(b1[0]?.floorAreaM2).toBe(6_000);
    expect(b1[1]?.floorAreaM2).toBeCloseTo((6_000 * 15 + 8_000 * 16) / 31, 9);
    expect(b1[2]?.floorAreaM2).toBe(8_000);
    // A building's occupants: its institution's shared by floor area, until a fact of its own.
    expect(b1[0]?.occupants).toBeCloseTo(100 * 0.6, 9);
    expect(b1[2]?.occupants).toBeCloseTo(120 * 0.8, 9);
    const b2 = denominatorsOver({ level: 'building', id: 'b2' }, REGISTRY, timelines, ranges);
    expect(b2[2]?.occupants).toBe(7);
    const city = denominatorsOver({ level: 'city' }, REGISTRY, timelines, ranges);
    expect(city.map((d) => d.occupants)).toEqual([150, 170, 170]);
    expect(city.map((d) => d.floorAreaM2)).toEqual([15_000, 15_000, 15_000]);
  });

  it('turns a registry change into facts from that day, and pins the old value before the first one', () => {
    const after: Registry = {
      ...REGISTRY,
      institutions: [
        { ...(REGISTRY.institutions[0] as Registry['institutions'][number]), floorAreaM2: 12_000 },
        { ...(REGISTRY.institutions[1] as Registry['institutions'][number]), occupants: 50 },
        { id: 'i3', name: 'I3', districtId: 'd1', type: 'other', floorAreaM2: 1, occupants: 1 },
      ],
      buildings: [{ ...(REGISTRY.buildings[0] as Registry['buildings'][number]), floorAreaM2: 7_000 }],
    };
    const drafts = factsOfRegistryChange(REGISTRY, after, '2026-12-06');
    expect(drafts).toEqual([
      { scope: 'institution:i1', from: '2026-12-06', floorAreaM2: 12_000 },
      { scope: 'building:b1', from: '2026-12-06', floorAreaM2: 7_000 },
    ]);
    expect(pinsFor(drafts, [], REGISTRY)).toEqual([
      { scope: 'institution:i1', from: '1970-01-01', floorAreaM2: 10_000 },
      { scope: 'building:b1', from: '1970-01-01', floorAreaM2: 6_000 },
    ]);
    const earlier = [stored({ scope: 'institution:i1', from: '2020-01-01', floorAreaM2: 9_000 })];
    expect(pinsFor(drafts, earlier, REGISTRY)).toEqual([
      { scope: 'building:b1', from: '1970-01-01', floorAreaM2: 6_000 },
    ]);
    // A fact from the epoch covers everything; a building keeps no occupants of its own to pin.
    expect(pinsFor([{ scope: 'institution:i2', from: '1970-01-01', occupants: 3 }], [], REGISTRY)).toEqual([]);
    expect(pinsFor([{ scope: 'building:b2', from: '2025-01-01', occupants: 3 }], [], REGISTRY)).toEqual([]);
  });

  it('keeps history: after any sequence of registry changes, every day has the value set last on or before it', () => {
    const change = fc.record({ day: fc.integer({ min: 0, max: 60 }), area: fc.integer({ min: 1, max: 9 }) });
    fc.assert(
      fc.property(fc.array(change, { maxLength: 8 }), (changes) => {
        const sorted = [...changes].sort((a, b) => a.day - b.day);
        let registry = REGISTRY;
        let facts: Fact[] = [];
        const day = (n: number) => new Date(Date.UTC(2025, 0, 1 + n)).toISOString().slice(0, 10);
        sorted.forEach((c, i) => {
          const inst = registry.institutions[0] as Registry['institutions'][number];
          const next = {
            ...registry,
            institutions: [{ ...inst, floorAreaM2: c.area * 1000 }, ...registry.institutions.slice(1)],
          };
          const drafts = factsOfRegistryChange(registry, next, day(c.day));
          facts = [...facts, ...[...pinsFor(drafts, facts, registry), ...drafts].map((d) => stored(d, i))];
          registry = next;
        });
        const steps = factSteps(facts, 'institution:i1', 'floorAreaM2', TZ);
        for (let n = -2; n <= 62; n++) {
          const set = sorted.filter((c) => c.day <= n).at(-1);
          const expected = set === undefined ? 10_000 : set.area * 1000;
          expect(valueInForce(steps, at(day(n))) ?? registry.institutions[0]?.floorAreaM2).toBe(expected);
        }
      }),
    );
  });

  it('validates the input: a real local date, at least one value, a positive area, whole occupants', () => {
    const issues = (body: unknown) => FactInputSchema.safeParse(body).error?.issues.map((i) => i.path.join('.'));
    expect(issues({ from: '2025-07-01', floorAreaM2: 15_000 })).toBeUndefined();
    expect(issues({ from: '2026-02-30', occupants: 3 })).toEqual(['from']);
    expect(issues({ from: '1969-12-31', occupants: 3 })).toEqual(['from']);
    expect(issues({ from: '2025-07-01' })).toEqual(['floorAreaM2']);
    expect(issues({ from: '2025-07-01', floorAreaM2: -1 })).toEqual(['floorAreaM2']);
    expect(issues({ from: '2025-07-01', occupants: 1.5 })).toEqual(['occupants']);
  });
});
