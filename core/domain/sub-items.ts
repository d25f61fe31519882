import { z } from 'zod';

/**
 * Electricity sub-item codes (分项), 5 characters: energy code `01`, a letter for the class and two
 * digits for the sub-class (JGJ/T 285-2014 App. B, to be verified; see DOMAIN.md).
 */
export const SUB_ITEMS: Readonly<Record<string, { readonly nameZh: string; readonly nameEn: string }>> = Object.freeze({
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
});

/** A sub-item code as stored on a meter: `01A00` (a class) or `01A10` (a sub-class). */
export const SubItemCodeSchema = z.string().regex(/^\d{2}[A-Z]\d{2}$/, 'sub-item code like 01A00 or 01A10');

/**
 * The sub-item `unmetered` (未计量): what parent meters measure beyond their sub-meters, and meters
 * without a code; with it the sub-items of a scope add up to its total (issue "The meter model").
 */
export const UNMETERED = 'unmetered';

/**
 * A sub-item filter as given in a query: `01A`, `01A00` (the whole class), `01A10` (one
 * sub-class) or `unmetered`.
 */
export const SubItemFilterSchema = z
  .string()
  .regex(/^(\d{2}[A-Z](\d{2})?|unmetered)$/, 'sub-item like 01A, 01A00 or 01A10, or unmetered');

/**
 * The code prefix a sub-item filter selects: `01A00` and `01A` select the class `01A`, `01A10`
 * selects itself only; `unmetered` stays itself (UNMETERED).
 */
export function subItemPrefix(filter: string): string {
  return filter.length === 5 && filter.endsWith('00') ? filter.slice(0, 3) : filter;
}

/** Whether a meter's sub-item code lies in the branch a filter selects (`unmetered`: a meter without a code). */
export function subItemMatches(code: string | undefined, filter: string): boolean {
  if (filter === UNMETERED) return code === undefined;
  return code?.startsWith(subItemPrefix(filter)) ?? false;
}
