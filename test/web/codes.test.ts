import { describe, expect, it } from 'vitest';
import { ENERGY_INFO } from '../../core/domain/energy.js';
import { SUB_ITEMS } from '../../core/domain/sub-items.js';
import { ENERGIES, SUB_ITEM_NAMES } from '../../web/src/codes.js';

// web/src/codes.ts mirrors core's tables so that the page does not bundle zod: they must agree.
describe('the page’s names of domain codes', () => {
  it('has every energy type of core with the same unit, names and kgce rule', () => {
    const core = Object.fromEntries(
      Object.values(ENERGY_INFO).map((e) => [
        e.energy,
        { nativeUnit: e.nativeUnit, nameZh: e.nameZh, nameEn: e.nameEn, countsAsEnergy: e.countsAsEnergy },
      ]),
    );
    expect(ENERGIES).toEqual(core);
  });

  it('has every electricity sub-item of core with the same names', () => {
    expect(SUB_ITEM_NAMES).toEqual(SUB_ITEMS);
  });
});
