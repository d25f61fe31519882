/**
 * The statistics as tables in the forms' Chinese (issue 16, item 3): what the XLSX sheets and the
 * PDF sections print, the same figures in both.
 */
import { INSTITUTION_NATURES } from '../domain/credit-code.js';
import { ENERGY_INFO, type Energy } from '../domain/energy.js';
import { reportLabels } from '../reports/labels.js';
import type { Column, Table, TableRow } from '../reports/table.js';
import type { StatisticsLayout } from './forms.js';
import { type StatisticsFigures, type StatisticsModel, TCE_DECIMALS } from './model.js';

const text = (key: string, header: string): Column => ({ key, header, kind: 'text', decimals: 0 });
const num = (key: string, header: string, decimals: number): Column => ({ key, header, kind: 'number', decimals });

/** Chinese column headers of the statistics (also what tests look for). */
export const STAT_HEADERS = Object.freeze({
  name: '单位名称',
  creditCode: '统一社会信用代码',
  nature: '单位性质',
  district: '行政区域',
  type: '机构类型',
  floorArea: '建筑面积(平方米)',
  persons: '用能人数(人)',
  totalTce: '综合能耗-当量值(吨标准煤)',
  totalTceEv: '综合能耗-等价值(吨标准煤)',
  totalKgco2: '二氧化碳排放(千克)',
  totalCost: '能源资源费用合计(元)',
  kgcePerM2: '单位建筑面积能耗(千克标准煤/平方米)',
  kgcePerPerson: '人均综合能耗(千克标准煤/人)',
  waterPerPerson: '人均用水量(立方米/人)',
  kgco2PerM2: '单位建筑面积碳排放(千克二氧化碳/平方米)',
  signedOff: '数据会审签收',
  institutions: '单位数',
  energy: '能源品种',
  quantity: '实物量',
  unit: '计量单位',
  cost: '费用(元)',
  kgce: '折标准煤-当量值(千克)',
  kgceEv: '折标准煤-等价值(千克)',
  kgco2: '二氧化碳(千克)',
});

const H = STAT_HEADERS;

/** Columns per energy: quantity in the form's unit and cost; standard coal both ways for energies. */
function energyColumns(energies: readonly Energy[], layout: StatisticsLayout): Column[] {
  return energies.flatMap((e) => {
    const name = ENERGY_INFO[e].nameZh;
    const base = [
      num(`${e}.quantity`, `${name}消费量(${layout.units[e].unitZh})`, 2),
      num(`${e}.cost`, `${name}费用(元)`, 2),
    ];
    if (!ENERGY_INFO[e].countsAsEnergy) return base;
    return [
      ...base,
      num(`${e}.kgce`, `${name}折标准煤-当量值(千克)`, 2),
      num(`${e}.kgceEv`, `${name}折标准煤-等价值(千克)`, 2),
    ];
  });
}

function energyCells(f: StatisticsFigures, energies: readonly Energy[]): (number | null)[] {
  return energies.flatMap((e) => {
    const l = f.lines.find((x) => x.energy === e);
    const base = [l?.quantity ?? null, l?.costYuan ?? null];
    return ENERGY_INFO[e].countsAsEnergy ? [...base, l?.kgce ?? null, l?.kgceEv ?? null] : base;
  });
}

const totalColumns = (): Column[] => [
  num('totalTce', H.totalTce, TCE_DECIMALS),
  num('totalTceEv', H.totalTceEv, TCE_DECIMALS),
  num('totalKgco2', H.totalKgco2, 2),
  num('totalCost', H.totalCost, 2),
  num('kgcePerM2', H.kgcePerM2, 4),
  num('kgcePerPerson', H.kgcePerPerson, 4),
  num('waterPerPerson', H.waterPerPerson, 4),
  num('kgco2PerM2', H.kgco2PerM2, 4),
];

const totalCells = (f: StatisticsFigures) => [
  f.totalTce,
  f.totalTceEv,
  f.totalKgco2,
  f.totalCostYuan,
  f.indicators.kgcePerM2,
  f.indicators.kgcePerPerson,
  f.indicators.waterM3PerPerson,
  f.indicators.kgco2PerM2,
];

/**
 * The basic information and consumption form: one row per institution (identity, floor area and
 * persons in force, each energy's quantity, cost and standard coal, totals, indicators, sign-off),
 * then the scope's total.
 */
export function institutionsTable(model: StatisticsModel, layout: StatisticsLayout): Table {
  const types = reportLabels('zh').types;
  // District then institution, as the reports' sheets: the XLSX freezes both, the PDF names totals by them.
  const columns: Column[] = [
    text('district', H.district),
    text('institution', H.name),
    text('creditCode', H.creditCode),
    text('nature', H.nature),
    text('type', H.type),
    num('floorArea', H.floorArea, 2),
    num('persons', H.persons, 2),
    ...energyColumns(model.energies, layout),
    ...totalColumns(),
    text('signedOff', H.signedOff),
  ];
  const rows: TableRow[] = model.institutions.map((r) => ({
    kind: 'row',
    cells: [
      r.districtName,
      r.name,
      r.creditCode ?? '',
      r.nature === null ? '' : `${INSTITUTION_NATURES[r.nature].code} ${INSTITUTION_NATURES[r.nature].nameZh}`,
      types[r.type],
      r.floorAreaM2,
      r.persons,
      ...energyCells(r, model.energies),
      ...totalCells(r),
      r.signedOff === null ? '未签收' : `已签收 ${r.signedOff.at.slice(0, 10)}`,
    ],
  }));
  const t = model.total;
  const total: TableRow = {
    kind: 'total',
    cells: [
      '',
      '合计',
      '',
      '',
      '',
      t.floorAreaM2,
      t.persons,
      ...energyCells(t, model.energies),
      ...totalCells(t),
      `${t.signedOff}/${t.institutions}`,
    ],
  };
  return { name: layout.sheets.institutions, columns, rows: [...rows, total] };
}

/** A roll-up form (by district, type or nature): one row per group and the total. */
export function rollUpTable(
  model: StatisticsModel,
  layout: StatisticsLayout,
  which: 'byDistrict' | 'byType' | 'byNature',
): Table {
  const head = { byDistrict: H.district, byType: H.type, byNature: H.nature }[which];
  const columns: Column[] = [
    text('group', head),
    num('institutions', H.institutions, 0),
    num('signedOff', `已签收${H.institutions}`, 0),
    num('floorArea', H.floorArea, 2),
    num('persons', H.persons, 2),
    ...energyColumns(model.energies, layout),
    ...totalColumns(),
  ];
  const line = (kind: TableRow['kind'], g: StatisticsModel['total'], name: string): TableRow => ({
    kind,
    cells: [
      name,
      g.institutions,
      g.signedOff,
      g.floorAreaM2,
      g.persons,
      ...energyCells(g, model.energies),
      ...totalCells(g),
    ],
  });
  const rows = [...model[which].map((g) => line('row', g, g.name)), line('total', model.total, '合计')];
  return { name: layout.sheets[which], columns, rows };
}

/** Every energy line of every institution, one per row: what the PDF prints beside the summary. */
export function energyLinesTable(model: StatisticsModel): Table {
  const columns: Column[] = [
    text('institution', H.name),
    text('energy', H.energy),
    num('quantity', H.quantity, 2),
    text('unit', H.unit),
    num('cost', H.cost, 2),
    num('kgce', H.kgce, 2),
    num('kgceEv', H.kgceEv, 2),
    num('kgco2', H.kgco2, 2),
  ];
  const rows: TableRow[] = model.institutions.flatMap((r) =>
    r.lines.map((l) => ({
      kind: 'row' as const,
      cells: [
        r.name,
        `${l.code} ${l.nameZh}`,
        l.quantity,
        l.formUnitZh,
        l.costYuan,
        l.countsAsEnergy ? l.kgce : null,
        l.countsAsEnergy ? l.kgceEv : null,
        l.kgco2,
      ],
    })),
  );
  return { name: '分能源品种消费', columns, rows };
}

/** The statistics' facts as label/value pairs: year, scope, layout version, tables used, notes. */
export function aboutPairs(model: StatisticsModel): [string, string][] {
  return [
    ['统计年度', `${model.year} (${model.from} – ${model.to})`],
    ['统计范围', model.scope === 'city' ? '全市' : `${model.scopeName} (${model.scope})`],
    ['生成时间', model.generatedAt],
    ['报表格式版本', `${model.layout.version}：${model.layout.follows}`],
    ['核对情况', model.layout.verification],
    ['折标系数(当量值)', model.coefficients],
    ['电力等价值', model.equalValue],
    ['电网排放因子', model.carbon.grid],
    ['燃料排放因子', model.carbon.fuels],
    ['油品密度(千克/升)', model.densities],
    ...model.notes.map((n): [string, string] => ['', n]),
  ];
}
