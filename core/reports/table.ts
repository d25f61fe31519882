import { type Energy, nativeUnitOf } from '../domain/energy.js';
import { energyName, reportLabels, unitText, withUnit } from './labels.js';
import {
  AMOUNT_DECIMALS,
  type EnergyLine,
  INTENSITY_DECIMALS,
  type InstitutionRow,
  type ReportLang,
  type ReportModel,
  roundTo,
  type Subtotal,
  type Totals,
} from './model.js';

/** A column of an export table: its header (with unit) and how its cells are printed. */
export interface Column {
  readonly key: string;
  readonly header: string;
  readonly kind: 'text' | 'number';
  readonly decimals: number;
}

/** A line of an export table: an institution, a district subtotal or the total. */
export interface TableRow {
  readonly kind: 'row' | 'subtotal' | 'total';
  readonly cells: readonly (string | number | null)[];
}

/** A table that CSV, XLSX and PDF exports all print: the same figures in every format. */
export interface Table {
  readonly name: string;
  readonly columns: readonly Column[];
  readonly rows: readonly TableRow[];
}

const pct = (x: number | null) => (x === null ? null : roundTo(x * 100, 2));
const text = (key: string, header: string): Column => ({ key, header, kind: 'text', decimals: 0 });
const num = (key: string, header: string, decimals: number): Column => ({ key, header, kind: 'number', decimals });

/** Rows in print order: each district's institutions then its subtotal (city reports), then the total. */
function ordered(model: ReportModel): { kind: TableRow['kind']; item: InstitutionRow | Subtotal }[] {
  const out: { kind: TableRow['kind']; item: InstitutionRow | Subtotal }[] = [];
  for (const d of model.districts) {
    for (const row of model.institutions.filter((r) => `district:${r.districtId}` === d.scope))
      out.push({ kind: 'row', item: row });
    if (model.scope === 'city') out.push({ kind: 'subtotal', item: d });
  }
  out.push({ kind: 'total', item: model.total });
  return out;
}

function heads(model: ReportModel, kind: TableRow['kind'], item: InstitutionRow | Subtotal, lang: ReportLang) {
  const l = reportLabels(lang);
  if ('institutionId' in item) return [item.districtName, item.name, l.types[item.type]];
  if (kind === 'subtotal') return [item.name, l.subtotal, ''];
  return [model.scope === 'city' ? l.city : item.name, l.total, ''];
}

function common(t: Totals | EnergyLine) {
  return [
    pct(t.momChange),
    pct(t.yoyChange),
    pct(t.target?.attainment ?? null),
    pct(t.completeness),
    pct(t.estimatedShare),
  ];
}

function commonColumns(lang: ReportLang): Column[] {
  const l = reportLabels(lang);
  return [
    num('mom', `${l.mom} (%)`, 2),
    num('yoy', `${l.yoy} (%)`, 2),
    num('target', `${l.target} (%)`, 2),
    num('completeness', `${l.completeness} (%)`, 2),
    num('estimated', `${l.estimated} (%)`, 2),
  ];
}

/** Whether a report carries cost and kgCO₂ (a full one does; a `figuresOnly` one does not). */
function hasCostCarbon(model: ReportModel): boolean {
  return model.total.totalCostYuan !== undefined;
}

/**
 * The summary: one line per institution with each energy in its native unit, total kgce (water
 * excluded), cost (water included) and kgCO₂ when the report has them, intensities, changes, target attainment, completeness, estimated share and anomalies.
 */
export function summaryTable(model: ReportModel, lang: ReportLang): Table {
  const l = reportLabels(lang);
  const money = hasCostCarbon(model);
  const columns: Column[] = [
    text('district', l.district),
    text('institution', l.institution),
    text('type', l.type),
    num('floorAreaM2', withUnit(l.floorArea, 'm2', lang), 2),
    num('occupants', withUnit(l.occupants, lang === 'zh' ? '人' : 'persons', lang), 0),
    ...model.energies.map((e) => num(e, withUnit(energyName(e, lang), nativeUnitOf(e), lang), 2)),
    num('totalKgce', withUnit(l.totalKgce, 'kgce', lang), AMOUNT_DECIMALS),
    ...(money ? [num('costYuan', l.costYuan, AMOUNT_DECIMALS), num('kgco2', l.kgco2, AMOUNT_DECIMALS)] : []),
    num('kgcePerM2', withUnit(l.perM2, 'kgce/m2', lang), INTENSITY_DECIMALS),
    num('kgcePerCapita', withUnit(l.perCapita, 'kgce/capita', lang), INTENSITY_DECIMALS),
    ...commonColumns(lang),
    num('anomalies', lang === 'zh' ? `${l.anomalies} (次)` : l.anomalies, 0),
  ];
  const rows = ordered(model).map(({ kind, item }) => ({
    kind,
    cells: [
      ...heads(model, kind, item, lang),
      item.floorAreaM2,
      item.occupants,
      ...model.energies.map((e) => item.energies.find((x) => x.energy === e)?.amount ?? null),
      item.totalKgce,
      ...(money ? [item.totalCostYuan ?? null, item.totalKgco2 ?? null] : []),
      item.kgcePerM2,
      item.kgcePerCapita,
      ...common(item),
      item.anomalies,
    ],
  }));
  return { name: l.summary, columns, rows };
}

/** One energy type: consumption in its native unit and kgce, cost and kgCO₂ when the report has them, changes, target, quality, meters. */
export function energyTable(model: ReportModel, energy: Energy, lang: ReportLang): Table {
  const l = reportLabels(lang);
  const money = hasCostCarbon(model);
  const unit = nativeUnitOf(energy);
  const columns: Column[] = [
    text('district', l.district),
    text('institution', l.institution),
    text('type', l.type),
    num('amount', withUnit(l.amount, unit, lang), AMOUNT_DECIMALS),
    num('kgce', withUnit(l.kgce, 'kgce', lang), AMOUNT_DECIMALS),
    ...(money ? [num('costYuan', l.costYuan, AMOUNT_DECIMALS), num('kgco2', l.kgco2, AMOUNT_DECIMALS)] : []),
    ...commonColumns(lang),
    num('meters', lang === 'zh' ? `${l.meters} (个)` : l.meters, 0),
  ];
  const rows = ordered(model).flatMap(({ kind, item }) => {
    const line = item.energies.find((x) => x.energy === energy);
    if (line === undefined) return [];
    const costCarbon = money ? [line.costYuan ?? null, line.kgco2 ?? null] : [];
    const cells = [
      ...heads(model, kind, item, lang),
      line.amount,
      line.kgce,
      ...costCarbon,
      ...common(line),
      line.meters,
    ];
    return [{ kind, cells }];
  });
  return { name: energyName(energy, lang), columns, rows };
}

/** The report's facts as label/value pairs: period, scope, time, coefficient table, notes. */
export function aboutPairs(model: ReportModel, lang: ReportLang): [string, string][] {
  const l = reportLabels(lang);
  const names = new Map(model.institutions.map((r) => [r.institutionId, r.name]));
  return [
    [l.period, `${model.period} (${model.from} – ${model.to})`],
    [l.scope, model.scope === 'city' ? l.city : `${model.scopeName} (${model.scope})`],
    [l.generatedAt, model.generatedAt],
    [l.coefficients, model.coefficients.version],
    ...Object.entries(model.coefficients.kgcePerUnit).map(([e, k]): [string, string] => [
      energyName(e as Energy, lang),
      `${k} kgce/${unitText(nativeUnitOf(e as Energy), lang)}`,
    ]),
    ['', l.waterNote],
    ['', l.roundingNote],
    ...(model.partial ? [['', l.partial] as [string, string]] : []),
    ...(model.incomplete.length > 0
      ? [[l.incomplete, model.incomplete.map((id) => names.get(id) ?? id).join(', ')] as [string, string]]
      : []),
  ];
}
