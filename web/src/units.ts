/**
 * The units a page shows its figures in (issue "The statutory year", items 1 and 2; README "Cost"
 * and "Carbon"): standard coal 当量值 (`kgce`) and 等价值 (`kgce_ev`), cost (`yuan`) and CO₂
 * (`kgco2`), as `/consumption?unit=…` answers them, and each energy's native unit where a page
 * shows one energy.
 */
import { ENERGIES } from './codes.js';
import { lang } from './i18n.js';

/** Units that add up across energies: a scope's total can be asked in any of them. */
export const FIGURE_UNITS = ['kgce', 'kgce_ev', 'yuan', 'kgco2'] as const;
export type FigureUnit = (typeof FIGURE_UNITS)[number];
/** A figure unit, or the native unit of one energy (kWh, m³, …). */
export type PageUnit = FigureUnit | 'native';

/** Each unit's name in a unit choice (zh, en). */
const OPTION_NAMES: Readonly<Record<PageUnit, readonly [string, string]>> = {
  native: ['实物量', 'Native units'],
  kgce: ['标准煤 当量值 (kgce)', 'Standard coal, calorific (kgce)'],
  kgce_ev: ['标准煤 等价值 (kgce)', 'Standard coal, equal value (kgce)'],
  yuan: ['费用 (元)', 'Cost (yuan)'],
  kgco2: ['二氧化碳 (kgCO₂)', 'CO₂ (kgCO₂)'],
};

/** Each figure unit as shown after a number (zh, en): 等价值 is named, as kgce alone means 当量值. */
const SYMBOLS: Readonly<Record<FigureUnit, readonly [string, string]>> = {
  kgce: ['kgce', 'kgce'],
  kgce_ev: ['kgce（等价值）', 'kgce (equal value)'],
  yuan: ['元', 'yuan'],
  kgco2: ['kgCO₂', 'kgCO₂'],
};

const pick = (pair: readonly [string, string]): string => pair[lang() === 'zh' ? 0 : 1];

/** A unit of the query string, or `fallback` when absent or not one of `allowed`. */
export function unitOf<U extends PageUnit>(value: string | null, allowed: readonly U[], fallback: U): U {
  return allowed.find((u) => u === value) ?? fallback;
}

/** The name of a unit in a unit choice, e.g. 费用 (元). */
export function unitOptionName(unit: PageUnit): string {
  return pick(OPTION_NAMES[unit]);
}

/** A figure unit as shown after a number: kgce, kgce（等价值）, 元 / yuan, kgCO₂. */
export function unitSymbol(unit: FigureUnit): string {
  return pick(SYMBOLS[unit]);
}

/** The measure a unit's figures are, for titles: 能耗 / consumption, 费用 / cost, 碳排放 / CO₂ emissions. */
export function measureName(unit: PageUnit): string {
  if (unit === 'yuan') return pick(['费用', 'cost']);
  if (unit === 'kgco2') return pick(['碳排放', 'CO₂ emissions']);
  return pick(['能耗', 'consumption']);
}

/** Whether a unit as the API names it (`kgco2`, `yuan`, …) is a figure unit. */
export function isFigureUnit(unit: string): unit is FigureUnit {
  return (FIGURE_UNITS as readonly string[]).includes(unit);
}

/**
 * Whether an energy has a figure in a unit: water is not energy (no kgce, not in the kgce totals)
 * and has no CO₂ factor (`energy=water&unit=kgco2` is a 400), but it has a cost.
 */
export function unitApplies(unit: PageUnit, energy: string): boolean {
  if (unit === 'native' || unit === 'yuan') return true;
  return ENERGIES[energy]?.countsAsEnergy ?? true;
}

/** Decimals a figure is shown with: cost to the fen, the rest to one decimal. */
export function digitsOf(unit: PageUnit): number {
  return unit === 'yuan' ? 2 : 1;
}
