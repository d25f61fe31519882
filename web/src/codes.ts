/**
 * Names and units of the domain's codes, for the page. They mirror core/domain/energy.ts
 * (ENERGY_INFO) and core/domain/sub-items.ts (SUB_ITEMS), which cannot be bundled as they are
 * (they build zod schemas: +60 kB gzip); test/web/codes.test.ts fails when the two drift apart.
 */

/** Energy types: native unit, names, and whether they add into the kgce total (water does not). */
export const ENERGIES: Readonly<
  Record<
    string,
    { readonly nativeUnit: string; readonly nameZh: string; readonly nameEn: string; readonly countsAsEnergy: boolean }
  >
> = {
  electricity: { nativeUnit: 'kWh', nameZh: '电', nameEn: 'Electricity', countsAsEnergy: true },
  water: { nativeUnit: 'm3', nameZh: '水', nameEn: 'Water', countsAsEnergy: false },
  gas: { nativeUnit: 'm3', nameZh: '天然气', nameEn: 'Natural gas', countsAsEnergy: true },
  heat: { nativeUnit: 'GJ', nameZh: '热力', nameEn: 'District heat', countsAsEnergy: true },
  cooling: { nativeUnit: 'GJ', nameZh: '冷量', nameEn: 'District cooling', countsAsEnergy: true },
  diesel: { nativeUnit: 'kg', nameZh: '柴油', nameEn: 'Diesel', countsAsEnergy: true },
  steam: { nativeUnit: 'kg', nameZh: '蒸汽', nameEn: 'Steam', countsAsEnergy: true },
  lpg: { nativeUnit: 'kg', nameZh: '液化石油气', nameEn: 'LPG', countsAsEnergy: true },
  gasoline: { nativeUnit: 'kg', nameZh: '汽油', nameEn: 'Gasoline', countsAsEnergy: true },
  kerosene: { nativeUnit: 'kg', nameZh: '煤油', nameEn: 'Kerosene', countsAsEnergy: true },
  coal: { nativeUnit: 'kg', nameZh: '原煤', nameEn: 'Coal', countsAsEnergy: true },
  other: { nativeUnit: 'kgce', nameZh: '其他能源', nameEn: 'Other energy', countsAsEnergy: true },
};

/** Electricity sub-items (JGJ/T 285), as in core/domain/sub-items.ts. */
export const SUB_ITEM_NAMES: Readonly<Record<string, { readonly nameZh: string; readonly nameEn: string }>> = {
  '01A00': { nameZh: '照明插座用电', nameEn: 'Lighting & sockets' },
  '01A10': { nameZh: '室内照明与插座', nameEn: 'Indoor lighting & sockets' },
  '01A20': { nameZh: '走廊与应急照明', nameEn: 'Corridor & emergency lighting' },
  '01A30': { nameZh: '室外景观照明', nameEn: 'Outdoor lighting' },
  '01B00': { nameZh: '空调用电', nameEn: 'Air conditioning' },
  '01B10': { nameZh: '冷热站', nameEn: 'Cooling/heating plant' },
  '01B20': { nameZh: '空调末端', nameEn: 'Terminal units' },
  '01C00': { nameZh: '动力用电', nameEn: 'Power' },
  '01C10': { nameZh: '电梯', nameEn: 'Lifts' },
  '01C20': { nameZh: '水泵', nameEn: 'Pumps' },
  '01C30': { nameZh: '通风机', nameEn: 'Fans' },
  '01D00': { nameZh: '特殊用电', nameEn: 'Special' },
  '01D10': { nameZh: '信息中心', nameEn: 'IT centre' },
  '01D20': { nameZh: '厨房餐厅', nameEn: 'Kitchen' },
};
