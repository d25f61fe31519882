import { expect, it } from 'vitest';
import type { Fact } from '../../core/domain/facts.js';
import type { MetadataStore } from '../../core/storage/store.js';
import { T0 } from './contract-fixtures.js';

const fact = (id: string, scope: string, from: string, values: Partial<Fact>, createdAtMs = T0): Fact => ({
  id,
  scope,
  from,
  ...values,
  createdAtMs,
  createdBy: 'officer',
});

/** Effective-dated facts (floor area, occupants): appended all or none, listed in the order they apply. */
export function factCases(store: () => MetadataStore): void {
  it('keeps facts with the values they give, by scope, day, recording time and id; of one scope on request', async () => {
    const facts = [
      fact('f-3', 'institution:i1', '2026-07-01', { floorAreaM2: 1500.25 }, T0 + 7),
      fact('f-1', 'institution:i1', '1970-01-01', { floorAreaM2: 1000, occupants: 10 }),
      fact('f-2', 'building:b1', '2026-03-15', { occupants: 0 }),
      fact('f-5', 'institution:i1', '2026-07-01', { occupants: 12 }, T0 + 3),
      fact('f-4', 'institution:i1', '2026-07-01', { occupants: 11 }, T0 + 3),
    ];
    await store().addFacts(facts.slice(0, 2));
    await store().addFacts(facts.slice(2));
    await store().addFacts([]);
    const [f3, f1, f2, f5, f4] = facts as [Fact, Fact, Fact, Fact, Fact];
    expect(await store().facts()).toEqual([f2, f1, f4, f5, f3]);
    expect(await store().facts('institution:i1')).toEqual([f1, f4, f5, f3]);
    expect(await store().facts('institution:i2')).toEqual([]);
  });

  it('refuses a batch with a known id whole, storing none of it', async () => {
    const first = fact('f-1', 'institution:i1', '2026-01-01', { floorAreaM2: 1200 });
    await store().addFacts([first]);
    const fresh = fact('f-2', 'institution:i2', '2026-01-01', { occupants: 30 });
    await expect(store().addFacts([fresh, { ...first, floorAreaM2: 9 }])).rejects.toThrow();
    expect(await store().facts()).toEqual([first]);
  });
}
