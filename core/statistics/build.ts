import { emissionFactor, equalValueFactor, type GridRegion } from '../domain/carbon.js';
import { INSTITUTION_NATURES, type InstitutionNature } from '../domain/credit-code.js';
import type { Energy } from '../domain/energy.js';
import { InstitutionTypeSchema } from '../domain/registry.js';
import type { InstitutionRow } from '../reports/model.js';
import {
  type ExactStatFigures,
  type ExactStatLine,
  presentFigures,
  rollUp,
  rollUps,
  type StatisticsInput,
  type StatisticsInstitution,
  type StatisticsModel,
} from './model.js';

/** Key of the nature roll-up of institutions without a nature. */
export const UNSPECIFIED_NATURE = 'unspecified';

/** The year's factors, looked up once per energy (and grid region) rather than per institution. */
interface Factors {
  readonly kgceEv: (energy: Energy) => number;
  /** Undefined for water (no CO₂ factor). */
  readonly kgco2: (energy: Energy, region: GridRegion) => number | undefined;
}

function factorsOf(year: number, input: StatisticsInput): Factors {
  const ev = new Map<Energy, number>();
  const co2 = new Map<string, number | undefined>();
  return {
    kgceEv: (energy) => {
      let f = ev.get(energy);
      if (f === undefined) {
        f = equalValueFactor(energy, year, input.tables, input.coefficients).value;
        ev.set(energy, f);
      }
      return f;
    },
    kgco2: (energy, region) => {
      const key = `${energy}\u0000${region}`;
      if (!co2.has(key)) co2.set(key, emissionFactor(energy, year, region, input.tables)?.value);
      return co2.get(key);
    },
  };
}

/**
 * The exact figures of one institution: per energy the report's exact amount and kgce (当量值), the
 * form's quantity, the cost, 等价值 kgce and CO₂ by the year's factors and the institution's grid
 * region, each `round(amountMicro × factor)` as the report rounds kgce (and as `kgco2MicroOf` does).
 */
function exactOf(
  row: InstitutionRow | undefined,
  id: string,
  region: GridRegion,
  factors: Factors,
  input: StatisticsInput,
): ExactStatFigures {
  const cost = input.costMicro.get(id);
  const reported = new Map<Energy, InstitutionRow['energies'][number]>();
  for (const l of row?.energies ?? []) if (!reported.has(l.energy)) reported.set(l.energy, l);
  const lines: (ExactStatLine & { energy: Energy })[] = [];
  for (const energy of input.layout.energies) {
    const line = reported.get(energy);
    const costMicro = cost?.get(energy) ?? 0;
    if (line === undefined && costMicro === 0) continue;
    const amountMicro = line?.exact.amountMicro ?? 0;
    const co2 = factors.kgco2(energy, region);
    lines.push({
      energy,
      amountMicro,
      formQuantityMicro: Math.round(amountMicro * input.layout.units[energy].perNative),
      costMicro,
      kgceMicro: line?.exact.kgceMicro ?? Math.round(amountMicro * input.coefficients.kgcePerUnit[energy]),
      kgceEvMicro: Math.round(amountMicro * factors.kgceEv(energy)),
      kgco2Micro: co2 === undefined ? null : Math.round(amountMicro * co2),
    });
  }
  return {
    floorAreaM2Micro: row?.exact.floorAreaM2Micro ?? 0,
    occupantsMicro: row?.exact.occupantsMicro ?? 0,
    lines,
  };
}

/**
 * Builds the statistics of a year from its annual report (identity from the registry, sign-offs
 * from the data audit, cost from `scopeCost`). Institutions keep the report's order (by district);
 * roll-ups are by district, by type, by nature and the whole scope, each the exact sum of its
 * institutions rounded once. Pure.
 */
export function buildStatistics(input: StatisticsInput): StatisticsModel {
  const { report, layout } = input;
  const year = Number(report.period);
  const byId = new Map(input.registry.institutions.map((i) => [i.id, i]));
  const signed = new Map(input.signoffs.map((s) => [s.scope, s]));
  const factors = factorsOf(year, input);
  const institutions = report.institutions.map((row): StatisticsInstitution => {
    const reg = byId.get(row.institutionId);
    const region = input.regionOf(row.institutionId);
    const nature = reg?.nature ?? null;
    const signoff = signed.get(`institution:${row.institutionId}`);
    return {
      institutionId: row.institutionId,
      name: row.name,
      creditCode: reg?.creditCode ?? null,
      nature,
      natureCode: nature === null ? null : INSTITUTION_NATURES[nature].code,
      districtId: row.districtId,
      districtName: row.districtName,
      type: row.type,
      gridRegion: region,
      completeness: row.completeness,
      signedOff: signoff === undefined ? null : { by: signoff.by, at: new Date(signoff.atMs).toISOString() },
      ...presentFigures(exactOf(row, row.institutionId, region, factors, input), layout),
    };
  });
  const present = new Set(institutions.flatMap((i) => i.lines.map((l) => l.energy)));
  const energies = layout.energies.filter((e) => present.has(e));
  const natures = Object.keys(INSTITUTION_NATURES) as InstitutionNature[];
  const total = rollUp('total', report.scopeName, institutions, layout);
  return {
    schema: 'jieneng.statistics/1',
    year: report.period,
    scope: report.scope,
    scopeName: report.scopeName,
    from: report.from,
    to: report.to,
    generatedAt: report.generatedAt,
    partial: report.partial,
    layout: { version: layout.version, follows: layout.follows, verification: layout.verification },
    coefficients: input.coefficients.version,
    equalValue: input.tables.equalValue.version,
    carbon: { grid: input.tables.grid.version, fuels: input.tables.fuels.version },
    densities: layout.densities,
    energies,
    institutions,
    byDistrict: rollUps(
      institutions,
      report.districts.map((d) => ({ key: d.scope.replace(/^district:/, ''), name: d.name })),
      (r) => r.districtId,
      layout,
    ),
    byType: rollUps(
      institutions,
      InstitutionTypeSchema.options.map((t) => ({ key: t, name: input.typeNames[t] })),
      (r) => r.type,
      layout,
    ),
    byNature: rollUps(
      institutions,
      [
        ...natures.map((n) => ({ key: n, name: INSTITUTION_NATURES[n].nameZh })),
        { key: UNSPECIFIED_NATURE, name: '未填写' },
      ],
      (r) => r.nature ?? UNSPECIFIED_NATURE,
      layout,
    ),
    total,
    notes: [
      '水为资源，以吨计，不计入综合能耗（标准煤）与二氧化碳排放；费用含水费。',
      '综合能耗当量值按 GB/T 2589-2020；等价值的电力折标系数按当年供电煤耗；其余能源等价值同当量值。',
      '建筑面积与用能人数为当年在用值，年内变更按天数加权。',
      '各合计、汇总与指标均由精确值计算后一次舍入，逐行相加可能与合计相差不超过每行 0.005。',
      '费用：有账单的时段按账单（按计量曲线分摊），其余按电价/水价 × 计量用量。',
      ...(report.partial ? ['本年尚未结束，数据截至生成时。'] : []),
    ],
  };
}
