import type ExcelJS from 'exceljs';
import type { ReductionStatus } from '../domain/reduction-targets.js';
import { parseTargetUnit, type ReductionTarget, type TargetUnit } from '../domain/targets.js';
import type { ReductionProgress } from '../reduction-progress.js';
import { energyName, reportLabels, unitText } from './labels.js';
import { INTENSITY_DECIMALS, type ReportLang } from './model.js';
import type { Notice } from './notice.js';
import { drawTable, PDF_MARGIN_PT } from './pdf.js';
import type { Column, Table, TableRow } from './table.js';
import { addTable } from './xlsx.js';

/** Reductions in % as `reductionProgress` rounds them; printed as they are, never rounded again. */
const PCT_DECIMALS = 2;

interface TargetLabels {
  readonly title: string;
  readonly indicator: string;
  readonly unit: string;
  readonly baseYear: string;
  readonly baseValue: string;
  readonly targetYear: string;
  readonly targetPct: string;
  readonly targetValue: string;
  readonly toDate: string;
  readonly soFarPct: string;
  readonly asOfYear: string;
  readonly status: string;
  readonly statuses: Readonly<Record<ReductionStatus, string>>;
  readonly note: string;
  /** A target unit's base (kgce, kgCO₂ …) and divisor as printed. */
  readonly perM2: string;
  readonly perCapita: string;
  readonly person: string;
  readonly equalValue: string;
}

const ZH: TargetLabels = {
  title: '五年节能目标',
  indicator: '指标',
  unit: '计量单位',
  baseYear: '基准年',
  baseValue: '基准值',
  targetYear: '目标年',
  targetPct: '目标降幅 (%)',
  targetValue: '目标值',
  toDate: '截至生成时间',
  soFarPct: '累计降幅 (%)',
  asOfYear: '降幅年度',
  status: '状态',
  statuses: { on_track: '符合进度', at_risk: '有风险', off_track: '滞后', no_data: '数据不足' },
  note: '五年节能目标：降幅 = (基准值 − 当年值) ÷ 基准值；累计降幅为最近一个完整年度（降幅年度）的降幅；目标值 = 基准值 × (1 − 目标降幅)。状态：符合进度 = 不低于基准年至目标年的直线进度；有风险 = 落后不超过一年的进度；滞后 = 落后更多，或目标年已过而未达目标；数据不足 = 无基准值或基准年后尚无完整年度。',
  perM2: '单位面积',
  perCapita: '人均',
  person: '人',
  equalValue: '等价值',
};

const EN: TargetLabels = {
  title: 'Five-year targets',
  indicator: 'Indicator',
  unit: 'Unit',
  baseYear: 'Base year',
  baseValue: 'Base value',
  targetYear: 'Target year',
  targetPct: 'Target reduction (%)',
  targetValue: 'Target value',
  toDate: 'to date',
  soFarPct: 'Reduction so far (%)',
  asOfYear: 'As of',
  status: 'Status',
  statuses: { on_track: 'On track', at_risk: 'At risk', off_track: 'Off track', no_data: 'No data' },
  note: "Five-year targets: reduction = (base value − the year's value) ÷ base value; the reduction so far is that of the latest complete year; target value = base value × (1 − target reduction). Status: on track = at or ahead of the straight line from base year to target year; at risk = behind it by at most one year's share; off track = further behind, or the target year is over and the target was missed; no data = no base value or no complete year after it yet.",
  perM2: 'per m²',
  perCapita: 'per person',
  person: 'person',
  equalValue: 'equal value',
};

const targetLabels = (lang: ReportLang) => (lang === 'en' ? EN : ZH);

/** What a target measures, e.g. 单位面积能耗 / Energy per m², 人均用水量 / Water per person. */
function indicatorText(t: Pick<ReductionTarget, 'energy' | 'unit'>, lang: ReportLang): string {
  const unit = parseTargetUnit(t.energy, t.unit);
  if (unit === undefined) return t.unit;
  const g = targetLabels(lang);
  const all = t.energy === 'all';
  const name = t.energy === 'all' ? '' : energyName(t.energy, lang);
  const per = unit.per === 'm2' ? g.perM2 : unit.per === 'capita' ? g.perCapita : '';
  if (lang === 'zh') {
    const zh: Record<TargetUnit['mode'], string> = {
      kgce: `${name}能耗`,
      kgce_ev: `${name}能耗(${g.equalValue})`,
      kgco2: `${name}碳排放`,
      native: t.energy === 'water' ? '用水量' : `${name}用量`,
    };
    return `${per}${zh[unit.mode]}`;
  }
  const en: Record<TargetUnit['mode'], string> = {
    kgce: all ? 'Energy' : `${name} energy`,
    kgce_ev: all ? `Energy (${g.equalValue})` : `${name} energy (${g.equalValue})`,
    kgco2: all ? 'CO₂' : `${name} CO₂`,
    native: name,
  };
  return `${en[unit.mode]} ${per}`.trim();
}

/** A target unit as printed: `kgce/m2` → kgce/m², `kgce/capita` → kgce/人 (kgce/person), `kgco2/m2` → kgCO₂/m². */
function unitOf(unit: string, lang: ReportLang): string {
  const g = targetLabels(lang);
  const [base = '', per] = unit.split('/');
  const top = base === 'kgco2' ? 'kgCO₂' : base === 'kgce_ev' ? `kgce(${g.equalValue})` : unitText(base, lang);
  const bottom = per === undefined ? undefined : per === 'capita' ? g.person : unitText(per, lang);
  return bottom === undefined ? top : `${top}/${bottom}`;
}

/**
 * The notice's five-year reduction targets as one table (issue 16, item 6): the scope's own first,
 * then each institution type's institutions', each with its indicator and unit, base year and
 * value, target, every year's value after the base year up to the notice's year (one column per
 * year any target has; empty where a target has none), the reduction so far and the status.
 * Figures are the model's, each already rounded once from exact ones. Undefined when the notice
 * has no reduction target.
 */
export function noticeTargetsTable(notice: Notice, lang: ReportLang): Table | undefined {
  const l = reportLabels(lang);
  const g = targetLabels(lang);
  const own = notice.targets ?? [];
  const all = [...own, ...notice.groups.flatMap((gr) => gr.targets ?? [])];
  if (all.length === 0) return undefined;
  const years = [...new Set(all.flatMap((p) => p.years.map((y) => y.year)))].sort((a, b) => a - b);
  const toDate = new Set(all.flatMap((p) => p.years.filter((y) => y.partial).map((y) => y.year)));
  const num = (key: string, header: string, decimals: number): Column => ({ key, header, kind: 'number', decimals });
  const text = (key: string, header: string): Column => ({ key, header, kind: 'text', decimals: 0 });
  const columns: Column[] = [
    text('type', l.type),
    text('district', l.district),
    text('institution', l.institution),
    text('indicator', g.indicator),
    text('unit', g.unit),
    // Years are text: a year printed as a number would get a thousands separator.
    text('baseYear', g.baseYear),
    num('baseValue', g.baseValue, INTENSITY_DECIMALS),
    text('targetYear', g.targetYear),
    num('targetPct', g.targetPct, PCT_DECIMALS),
    num('targetValue', g.targetValue, INTENSITY_DECIMALS),
    ...years.map((y) => num(`y${y}`, toDate.has(y) ? `${y} (${g.toDate})` : String(y), INTENSITY_DECIMALS)),
    num('soFarPct', g.soFarPct, PCT_DECIMALS),
    text('asOfYear', g.asOfYear),
    text('status', g.status),
  ];
  const line = (kind: TableRow['kind'], where: readonly string[], p: ReductionProgress): TableRow => ({
    kind,
    cells: [
      ...where,
      indicatorText(p, lang),
      unitOf(p.unit, lang),
      String(p.base.year),
      p.base.value,
      p.period,
      p.reductionPct,
      p.targetValue,
      ...years.map((y) => p.years.find((v) => v.year === y)?.value ?? null),
      p.reductionSoFarPct,
      p.asOfYear === null ? null : String(p.asOfYear),
      g.statuses[p.status],
    ],
  });
  const scopeName = notice.scope === 'city' ? l.city : notice.scopeName;
  const rows = [
    ...own.map((p) => line('total', ['', '', scopeName], p)),
    ...notice.groups.flatMap((gr) => {
      const names = new Map(gr.indicators.flatMap((i) => i.entries).map((e) => [e.institutionId, e]));
      return (gr.targets ?? []).map((p) => {
        const id = p.scope.slice('institution:'.length);
        const e = names.get(id);
        return line('row', [l.types[gr.type], e?.districtName ?? '', e?.name ?? id], p);
      });
    }),
  ];
  return { name: g.title, columns, rows };
}

/**
 * Adds the five-year targets sheet to a notice workbook, and returns the note that explains it
 * (for the "about" sheet); adds nothing and returns undefined when the notice has no target.
 */
export function addNoticeTargetsSheet(wb: ExcelJS.Workbook, notice: Notice, lang: ReportLang): string | undefined {
  const table = noticeTargetsTable(notice, lang);
  if (table === undefined) return undefined;
  addTable(wb, table);
  const ws = wb.getWorksheet(table.name);
  const widths = { institution: 28, indicator: 22, status: 12 };
  for (const [key, width] of Object.entries(widths)) if (ws !== undefined) ws.getColumn(key).width = width;
  return targetLabels(lang).note;
}

/** Columns the PDF leaves out for width (the XLSX has them). */
const PDF_OMITTED = new Set(['district', 'targetYear']);
/** Widths of the PDF's text columns, in points at 7 pt before scaling to the page; a number takes 44 (`1,234.5678`). */
const PDF_WIDTHS: Readonly<Record<string, number>> = {
  type: 34,
  institution: 96,
  indicator: 72,
  unit: 58,
  baseYear: 26,
  asOfYear: 28,
  status: 36,
};

/**
 * Draws the five-year targets section of a notice PDF from `y` (title, note, table), on a new
 * page when little room is left; returns the y below it, or `y` when the notice has no target.
 */
export function drawNoticeTargets(doc: PDFKit.PDFDocument, notice: Notice, lang: ReportLang, y: number): number {
  const table = noticeTargetsTable(notice, lang);
  if (table === undefined) return y;
  let top = y;
  if (top + 100 > doc.page.height - PDF_MARGIN_PT) {
    doc.addPage();
    top = PDF_MARGIN_PT;
  }
  doc.fontSize(10).fillColor('#000').text(table.name, PDF_MARGIN_PT, top);
  doc
    .fontSize(7)
    .fillColor('#333')
    .text(targetLabels(lang).note, PDF_MARGIN_PT, doc.y + 2, { width: doc.page.width - 2 * PDF_MARGIN_PT });
  const keys = table.columns.map((c) => c.key).filter((k) => !PDF_OMITTED.has(k));
  return drawTable(doc, table, keys, doc.y + 4, (c) => PDF_WIDTHS[c.key] ?? 44);
}
