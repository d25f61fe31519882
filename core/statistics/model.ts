/**
 * The annual statistics of a scope (issue 16, item 3): per institution its identity, floor area
 * and energy-using persons in force over the year, and per energy the quantity in the form's unit,
 * the cost and the standard coal both ways; headline indicators; roll-ups by district, type and
 * nature. Every figure is an exact integer of micro-units rounded once (issue 16, item 7). Pure.
 */
import type { AuditSignoff } from '../domain/audit-flags.js';
import type { CarbonTables, GridRegion } from '../domain/carbon.js';
import type { InstitutionNature } from '../domain/credit-code.js';
import { type CoefficientTable, ENERGY_INFO, type Energy } from '../domain/energy.js';
import type { InstitutionType, Registry } from '../domain/registry.js';
import { AMOUNT_DECIMALS, fromMicro, INTENSITY_DECIMALS, type ReportModel } from '../reports/model.js';
import type { StatisticsLayout } from './forms.js';

/** Decimals of tce figures: kgce has 2, so tce = kgce / 1000 holds on the printed figures. */
export const TCE_DECIMALS = 5;

/** Exact figures of one energy, integers of micro-units. */
export interface ExactStatLine {
  readonly amountMicro: number;
  readonly formQuantityMicro: number;
  readonly costMicro: number;
  readonly kgceMicro: number;
  readonly kgceEvMicro: number;
  /** Null for water (no CO₂ factor). */
  readonly kgco2Micro: number | null;
}

/** One energy of an institution or roll-up, rounded once from `exact`. */
export interface StatisticsLine {
  readonly energy: Energy;
  /** The energy's statistical code (01 electricity, 02 water, …). */
  readonly code: string;
  readonly nameZh: string;
  readonly nativeUnit: string;
  /** In the native unit: what `GET /consumption` answers. */
  readonly quantityNative: number;
  /** The form's unit (layout table). */
  readonly formUnit: string;
  readonly formUnitZh: string;
  readonly quantity: number;
  readonly costYuan: number;
  /** Standard coal, 当量值 (calorific). */
  readonly kgce: number;
  readonly tce: number;
  /** Standard coal, 等价值 (equal value, the year's factor). */
  readonly kgceEv: number;
  readonly tceEv: number;
  readonly kgco2: number | null;
  /** False for water: not in the kgce and CO₂ totals. */
  readonly countsAsEnergy: boolean;
  readonly exact: ExactStatLine;
}

/** Exact figures of a row or roll-up. */
export interface ExactStatFigures {
  readonly floorAreaM2Micro: number;
  readonly occupantsMicro: number;
  readonly lines: readonly (ExactStatLine & { readonly energy: Energy })[];
}

/** Totals (water out of kgce and CO₂; in the cost) and the headline indicators. */
export interface StatisticsFigures {
  /** Floor area in force over the year, time-weighted (m²). */
  readonly floorAreaM2: number;
  /** Energy-using persons over the year, time-weighted. */
  readonly persons: number;
  readonly lines: readonly StatisticsLine[];
  readonly totalKgce: number;
  readonly totalTce: number;
  readonly totalKgceEv: number;
  readonly totalTceEv: number;
  readonly totalKgco2: number;
  /** Every energy's cost, water included. */
  readonly totalCostYuan: number;
  readonly waterM3: number;
  readonly indicators: {
    readonly kgcePerM2: number | null;
    readonly kgcePerPerson: number | null;
    readonly waterM3PerPerson: number | null;
    readonly kgco2PerM2: number | null;
    readonly kgceEvPerM2: number | null;
    readonly kgceEvPerPerson: number | null;
  };
  readonly exact: ExactStatFigures;
}

/** One institution of the statistics. */
export interface StatisticsInstitution extends StatisticsFigures {
  readonly institutionId: string;
  readonly name: string;
  readonly creditCode: string | null;
  readonly nature: InstitutionNature | null;
  /** The form's nature code (01, 021–026, 03). */
  readonly natureCode: string | null;
  readonly districtId: string;
  readonly districtName: string;
  readonly type: InstitutionType;
  readonly gridRegion: GridRegion;
  readonly completeness: number | null;
  /** The data-audit sign-off of the year (数据会审), null when not signed off. */
  readonly signedOff: { readonly by: string; readonly at: string } | null;
}

/** A roll-up (by district, type or nature, or the whole scope): exact sums of its institutions, rounded once. */
export interface StatisticsRollUp extends StatisticsFigures {
  /** District id, type key, nature key (`unspecified` without one) or `total`. */
  readonly key: string;
  readonly name: string;
  readonly institutions: number;
  readonly signedOff: number;
}

/** The annual statistics of a scope. */
export interface StatisticsModel {
  readonly schema: 'jieneng.statistics/1';
  readonly year: string;
  readonly scope: string;
  readonly scopeName: string;
  readonly from: string;
  readonly to: string;
  readonly generatedAt: string;
  readonly partial: boolean;
  readonly layout: { readonly version: string; readonly follows: string; readonly verification: string };
  readonly coefficients: string;
  readonly equalValue: string;
  readonly carbon: { readonly grid: string; readonly fuels: string };
  readonly densities: string;
  readonly energies: readonly Energy[];
  readonly institutions: readonly StatisticsInstitution[];
  readonly byDistrict: readonly StatisticsRollUp[];
  readonly byType: readonly StatisticsRollUp[];
  readonly byNature: readonly StatisticsRollUp[];
  readonly total: StatisticsRollUp;
  readonly notes: readonly string[];
}

/** What the statistics are built from. */
export interface StatisticsInput {
  /** The year's annual report of the scope (figures only suffice). */
  readonly report: ReportModel;
  readonly registry: Registry;
  /** Cost of the year by institution and energy, micro-yuan. */
  readonly costMicro: ReadonlyMap<string, ReadonlyMap<Energy, number>>;
  readonly signoffs: readonly AuditSignoff[];
  readonly regionOf: (institutionId: string) => GridRegion;
  readonly layout: StatisticsLayout;
  readonly tables: CarbonTables;
  readonly coefficients: CoefficientTable;
  readonly typeNames: Readonly<Record<InstitutionType, string>>;
}

const amount = (micro: number) => fromMicro(micro, AMOUNT_DECIMALS);
const tce = (kgceMicro: number) => fromMicro(kgceMicro / 1000, TCE_DECIMALS);
const quotient = (num: number, den: number) => (den > 0 ? fromMicro((num / den) * 1e6, INTENSITY_DECIMALS) : null);
const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);

/** Rounds exact figures once into presented ones: lines, totals and indicators. */
export function presentFigures(exact: ExactStatFigures, layout: StatisticsLayout): StatisticsFigures {
  const lines = exact.lines.map((l): StatisticsLine => {
    const info = ENERGY_INFO[l.energy];
    const unit = layout.units[l.energy];
    return {
      energy: l.energy,
      code: info.code,
      nameZh: info.nameZh,
      nativeUnit: info.nativeUnit,
      quantityNative: amount(l.amountMicro),
      formUnit: unit.unit,
      formUnitZh: unit.unitZh,
      quantity: amount(l.formQuantityMicro),
      costYuan: amount(l.costMicro),
      kgce: amount(l.kgceMicro),
      tce: tce(l.kgceMicro),
      kgceEv: amount(l.kgceEvMicro),
      tceEv: tce(l.kgceEvMicro),
      kgco2: l.kgco2Micro === null ? null : amount(l.kgco2Micro),
      countsAsEnergy: info.countsAsEnergy,
      exact: {
        amountMicro: l.amountMicro,
        formQuantityMicro: l.formQuantityMicro,
        costMicro: l.costMicro,
        kgceMicro: l.kgceMicro,
        kgceEvMicro: l.kgceEvMicro,
        kgco2Micro: l.kgco2Micro,
      },
    };
  });
  const energy = exact.lines.filter((l) => ENERGY_INFO[l.energy].countsAsEnergy);
  const kgce = sum(energy.map((l) => l.kgceMicro));
  const kgceEv = sum(energy.map((l) => l.kgceEvMicro));
  const kgco2 = sum(energy.map((l) => l.kgco2Micro ?? 0));
  const water = sum(exact.lines.filter((l) => l.energy === 'water').map((l) => l.amountMicro));
  const { floorAreaM2Micro: area, occupantsMicro: persons } = exact;
  return {
    floorAreaM2: amount(area),
    persons: amount(persons),
    lines,
    totalKgce: amount(kgce),
    totalTce: tce(kgce),
    totalKgceEv: amount(kgceEv),
    totalTceEv: tce(kgceEv),
    totalKgco2: amount(kgco2),
    totalCostYuan: amount(sum(exact.lines.map((l) => l.costMicro))),
    waterM3: amount(water),
    indicators: {
      kgcePerM2: quotient(kgce, area),
      kgcePerPerson: quotient(kgce, persons),
      waterM3PerPerson: quotient(water, persons),
      kgco2PerM2: quotient(kgco2, area),
      kgceEvPerM2: quotient(kgceEv, area),
      kgceEvPerPerson: quotient(kgceEv, persons),
    },
    exact,
  };
}

/** Adds exact figures: areas, persons and each energy's line, in layout order. One pass over the parts. */
export function addFigures(parts: readonly ExactStatFigures[], layout: StatisticsLayout): ExactStatFigures {
  const byEnergy = new Map<Energy, { -readonly [K in keyof ExactStatLine]: ExactStatLine[K] } & { co2Lines: number }>();
  let floorAreaM2Micro = 0;
  let occupantsMicro = 0;
  for (const p of parts) {
    floorAreaM2Micro += p.floorAreaM2Micro;
    occupantsMicro += p.occupantsMicro;
    for (const l of p.lines) {
      let s = byEnergy.get(l.energy);
      if (s === undefined) {
        s = {
          amountMicro: 0,
          formQuantityMicro: 0,
          costMicro: 0,
          kgceMicro: 0,
          kgceEvMicro: 0,
          kgco2Micro: 0,
          co2Lines: 0,
        };
        byEnergy.set(l.energy, s);
      }
      s.amountMicro += l.amountMicro;
      s.formQuantityMicro += l.formQuantityMicro;
      s.costMicro += l.costMicro;
      s.kgceMicro += l.kgceMicro;
      s.kgceEvMicro += l.kgceEvMicro;
      if (l.kgco2Micro !== null) {
        s.kgco2Micro = (s.kgco2Micro ?? 0) + l.kgco2Micro;
        s.co2Lines++;
      }
    }
  }
  const lines = layout.energies.flatMap((energy) => {
    const s = byEnergy.get(energy);
    if (s === undefined) return [];
    return [
      {
        energy,
        amountMicro: s.amountMicro,
        formQuantityMicro: s.formQuantityMicro,
        costMicro: s.costMicro,
        kgceMicro: s.kgceMicro,
        kgceEvMicro: s.kgceEvMicro,
        kgco2Micro: s.co2Lines === 0 ? null : s.kgco2Micro,
      },
    ];
  });
  return { floorAreaM2Micro, occupantsMicro, lines };
}

/** Roll-ups of institutions grouped by a key, in the order of `keys`, empty groups left out. */
export function rollUps(
  rows: readonly StatisticsInstitution[],
  keys: readonly { key: string; name: string }[],
  keyOf: (row: StatisticsInstitution) => string,
  layout: StatisticsLayout,
): StatisticsRollUp[] {
  // Grouped once: a province has ~100 districts and ~10,000 institutions (issue 19).
  const groups = new Map<string, StatisticsInstitution[]>();
  for (const r of rows) {
    const group = groups.get(keyOf(r));
    if (group === undefined) groups.set(keyOf(r), [r]);
    else group.push(r);
  }
  return keys.flatMap(({ key, name }) => {
    const members = groups.get(key) ?? [];
    return members.length === 0 ? [] : [rollUp(key, name, members, layout)];
  });
}

/** One roll-up of institutions. */
export function rollUp(
  key: string,
  name: string,
  members: readonly StatisticsInstitution[],
  layout: StatisticsLayout,
): StatisticsRollUp {
  return {
    key,
    name,
    institutions: members.length,
    signedOff: members.filter((m) => m.signedOff !== null).length,
    ...presentFigures(
      addFigures(
        members.map((m) => m.exact),
        layout,
      ),
      layout,
    ),
  };
}
