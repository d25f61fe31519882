import { ENERGY_INFO, type Energy } from '../domain/energy.js';
import type { InstitutionType } from '../domain/registry.js';
import type { ReportKind, ReportLang } from './model.js';

/** Every label a report export shows, in one language. */
export interface ReportLabels {
  readonly title: Readonly<Record<ReportKind, string>>;
  readonly city: string;
  readonly period: string;
  readonly scope: string;
  readonly generatedAt: string;
  readonly coefficients: string;
  readonly waterNote: string;
  /** How totals are rounded, so that a reader adding up a printed column knows what to expect (issue 16, item 7). */
  readonly roundingNote: string;
  readonly partial: string;
  readonly incomplete: string;
  readonly about: string;
  readonly summary: string;
  readonly district: string;
  readonly institution: string;
  readonly type: string;
  readonly floorArea: string;
  readonly occupants: string;
  readonly totalKgce: string;
  /** Cost, with its unit (issue 16, item 1). */
  readonly costYuan: string;
  /** CO₂, with its unit (issue 16, item 2). */
  readonly kgco2: string;
  readonly perM2: string;
  readonly perCapita: string;
  readonly amount: string;
  readonly kgce: string;
  readonly mom: string;
  readonly yoy: string;
  readonly target: string;
  readonly completeness: string;
  readonly estimated: string;
  readonly anomalies: string;
  readonly meters: string;
  readonly subtotal: string;
  readonly total: string;
  readonly trend: string;
  readonly ranking: string;
  readonly rank: string;
  readonly typeRank: string;
  readonly typeMedian: string;
  readonly item: string;
  readonly value: string;
  readonly types: Readonly<Record<InstitutionType, string>>;
}

const ZH: ReportLabels = {
  title: { monthly: '公共机构能源资源消费月报', annual: '公共机构能源资源消费年报' },
  city: '全市',
  period: '统计期',
  scope: '范围',
  generatedAt: '生成时间',
  coefficients: '折标系数',
  waterNote: '注：水为资源，以其自身单位（m³）统计，不计入综合能耗（kgce）。',
  roundingNote:
    '注：各数（含小计、合计）均由精确值一次舍入而得，合计不是各行舍入值之和；逐行相加与合计可能相差，每行至多 0.005。精确值见 JSON 报表的 exact 字段（百万分之一单位）。',
  partial: '本期尚未结束：数据截至生成时间，为期中数。',
  incomplete: '数据完整率低于 90% 的单位',
  about: '说明',
  summary: '汇总',
  district: '区',
  institution: '单位',
  type: '类型',
  floorArea: '建筑面积',
  occupants: '用能人数',
  totalKgce: '综合能耗',
  costYuan: '费用 (元)',
  kgco2: '二氧化碳 (kgCO₂)',
  perM2: '单位面积能耗',
  perCapita: '人均能耗',
  amount: '消费量',
  kgce: '折标准煤',
  mom: '环比',
  yoy: '同比',
  target: '目标完成率',
  completeness: '数据完整率',
  estimated: '估算占比',
  anomalies: '异常',
  meters: '计量表',
  subtotal: '小计',
  total: '合计',
  trend: '近 12 个月综合能耗',
  ranking: '单位面积能耗排名',
  rank: '排名',
  typeRank: '同类排名',
  typeMedian: '同类中位数',
  item: '项目',
  value: '内容',
  types: { office: '机关办公', school: '学校', hospital: '医院', venue: '场馆', other: '其他' },
};

const EN: ReportLabels = {
  title: {
    monthly: 'Public institutions: monthly energy and resource report',
    annual: 'Public institutions: annual energy and resource report',
  },
  city: 'City',
  period: 'Period',
  scope: 'Scope',
  generatedAt: 'Generated at',
  coefficients: 'Standard-coal coefficients',
  waterNote: 'Note: water is a resource, reported in its own unit (m³) and not added into total energy (kgce).',
  roundingNote:
    'Note: every figure, subtotals and totals included, is its exact value rounded once; a total is not the sum of the rounded rows, so adding up a printed column may differ from its total by up to 0.005 per row. The exact values are in the JSON report (field exact, in micro-units).',
  partial: 'The period is not over: figures are to the generation time.',
  incomplete: 'Institutions below 90 % completeness',
  about: 'About',
  summary: 'Summary',
  district: 'District',
  institution: 'Institution',
  type: 'Type',
  floorArea: 'Floor area',
  occupants: 'Occupants',
  totalKgce: 'Total energy',
  costYuan: 'Cost (yuan)',
  kgco2: 'CO₂ (kg)',
  perM2: 'Per m²',
  perCapita: 'Per capita',
  amount: 'Consumption',
  kgce: 'Standard coal',
  mom: 'Month on month',
  yoy: 'Year on year',
  target: 'Target attainment',
  completeness: 'Completeness',
  estimated: 'Estimated share',
  anomalies: 'Anomalies',
  meters: 'Meters',
  subtotal: 'Subtotal',
  total: 'Total',
  trend: 'Total energy, last 12 months',
  ranking: 'Ranking by energy per m²',
  rank: 'Rank',
  typeRank: 'Rank in type',
  typeMedian: 'Type median',
  item: 'Item',
  value: 'Value',
  types: { office: 'Office', school: 'School', hospital: 'Hospital', venue: 'Venue', other: 'Other' },
};

/** The labels of a language. */
export function reportLabels(lang: ReportLang): ReportLabels {
  return lang === 'en' ? EN : ZH;
}

/** The name of an energy type in a language (电 / Electricity). */
export function energyName(energy: Energy, lang: ReportLang): string {
  return lang === 'en' ? ENERGY_INFO[energy].nameEn : ENERGY_INFO[energy].nameZh;
}

/** A unit as printed: `m3` → `m³`, `kgce/m2` → `kgce/m²`, `capita` → 人 in Chinese. */
export function unitText(unit: string, lang: ReportLang): string {
  const out = unit.replace(/m2\b/g, 'm²').replace(/m3\b/g, 'm³');
  return lang === 'zh' ? out.replace('capita', '人') : out;
}

/** A header with its unit: `电 (kWh)`. */
export function withUnit(label: string, unit: string, lang: ReportLang): string {
  return `${label} (${unitText(unit, lang)})`;
}

/** The title of a report: `全市公共机构能源资源消费月报 2026-10`, `…monthly … report: City, 2026-10`. */
export function reportTitle(
  report: { kind: ReportKind; scope: string; scopeName: string; period: string },
  lang: ReportLang,
): string {
  const l = reportLabels(lang);
  const where = report.scope === 'city' ? l.city : report.scopeName;
  return lang === 'zh'
    ? `${where}${l.title[report.kind]} ${report.period}`
    : `${l.title[report.kind]}: ${where}, ${report.period}`;
}
