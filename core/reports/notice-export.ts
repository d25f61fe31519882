import ExcelJS from 'exceljs';
import { badRequest } from '../errors.js';
import { reportLabels, unitText } from './labels.js';
import type { ReportLang } from './model.js';
import { scopeSlug } from './model.js';
import { NOTICE_METRICS, type Notice, type NoticeMetric, type UnrankedReason } from './notice.js';
import { addNoticeTargetsSheet, drawNoticeTargets } from './notice-targets-export.js';
import { drawTable, openPdf, PDF_MARGIN_PT, type PdfOptions } from './pdf.js';
import { CONTENT_TYPES, type RenderedReport } from './render.js';
import type { Column, Table, TableRow } from './table.js';
import { addTable } from './xlsx.js';

/** Formats a notice is exported in (no CSV: the notice is a document, its figures are in the JSON). */
export const NOTICE_FORMATS = ['json', 'xlsx', 'pdf'] as const;
/** A notice export format. */
export type NoticeFormat = (typeof NOTICE_FORMATS)[number];

interface NoticeLabels {
  readonly title: string;
  readonly metrics: Readonly<Record<NoticeMetric, string>>;
  readonly average: string;
  readonly deviation: string;
  readonly lastYear: string;
  readonly note: string;
  readonly unranked: Readonly<Record<UnrankedReason, string>>;
  readonly incomplete: string;
  readonly averageNote: string;
  readonly rankNote: string;
  readonly yoyPartial: string;
  readonly yoyNormalized: string;
  readonly normalizedNote: (year: number, normalized: number) => string;
  readonly notNormalized: string;
}

const ZH: NoticeLabels = {
  title: '公共机构能源资源消费通报',
  metrics: { kgce_per_m2: '单位建筑面积能耗', kgce_per_person: '人均综合能耗', water_m3_per_person: '人均用水量' },
  average: '同类平均',
  deviation: '偏离同类平均',
  lastYear: '上年',
  note: '备注',
  unranked: {
    no_floor_area: '无建筑面积，不参与排名',
    no_persons: '无用能人数，不参与排名',
    no_data: '无数据，不参与排名',
  },
  incomplete: '数据完整率低于 90%',
  averageNote: '同类平均为同类参与排名单位的合计之比（如综合能耗合计 ÷ 建筑面积合计），不是各单位数值的算术平均。',
  rankNote: '同类单位按各项指标由高到低排名（1 为最高），数值相同者名次相同。',
  yoyPartial: '本年尚未结束，不计同比。',
  yoyNormalized: '气候修正同比',
  normalizedNote: (year, n) =>
    `气候修正同比：各单位本年按 ${year} 年气温折算（各能源各自的 CalTRACK 日模型与本单位气象站），${n} 家单位得到修正；未能修正的能源按实际值计入，水不修正。`,
  notNormalized: '未能气候修正',
};

const EN: NoticeLabels = {
  title: 'Public institutions: energy and resource notice',
  metrics: {
    kgce_per_m2: 'Energy per m² of floor area',
    kgce_per_person: 'Energy per person',
    water_m3_per_person: 'Water per person',
  },
  average: 'Type average',
  deviation: 'Deviation from type average',
  lastYear: 'Last year',
  note: 'Note',
  unranked: {
    no_floor_area: 'no floor area: not ranked',
    no_persons: 'no energy-using persons: not ranked',
    no_data: 'no data: not ranked',
  },
  incomplete: 'completeness below 90 %',
  averageNote:
    "A type's average is the ratio of its ranked institutions' totals (total kgce ÷ total floor area …), not the mean of their figures.",
  rankNote: 'Institutions are ranked within their type, highest first (1 = highest); equal figures share a rank.',
  yoyPartial: 'The year is not over: no year-on-year change.',
  yoyNormalized: 'Year on year, weather-normalised',
  normalizedNote: (year, n) =>
    `Weather-normalised year on year: each institution's year under ${year}'s weather (a CalTRACK daily model per energy, the institution's station); ${n} institutions normalised; energies not normalised count raw; water is not normalised.`,
  notNormalized: 'Not weather-normalised',
};

/** Parses a notice format (default `json`); 400 naming `format` otherwise (no CSV). */
export function parseNoticeFormat(text: string | undefined): NoticeFormat {
  if (text === undefined || text === '') return 'json';
  if (!(NOTICE_FORMATS as readonly string[]).includes(text))
    throw badRequest('format', `expected ${NOTICE_FORMATS.join(', ')}, got "${text}"`);
  return text as NoticeFormat;
}

const noticeLabels = (lang: ReportLang) => (lang === 'en' ? EN : ZH);
const pct = (x: number | null) => (x === null ? null : Math.round(x * 10000) / 100);
const unit = (u: string, lang: ReportLang) =>
  lang === 'zh' ? unitText(u, lang).replace('person', '人') : unitText(u, lang);

/** The title of a notice: `全市公共机构能源资源消费通报 2025`. */
export function noticeTitle(notice: Notice, lang: ReportLang): string {
  const where = notice.scope === 'city' ? reportLabels(lang).city : notice.scopeName;
  return lang === 'zh' ? `${where}${ZH.title} ${notice.year}` : `${EN.title}: ${where}, ${notice.year}`;
}

/** One indicator over every type: each type's institutions (ranked, then unranked) and its average line. */
export function noticeTable(notice: Notice, metric: NoticeMetric, lang: ReportLang): Table {
  const l = reportLabels(lang);
  const n = noticeLabels(lang);
  const u = unit(notice.groups[0]?.indicators.find((i) => i.metric === metric)?.unit ?? '', lang);
  const normalized = notice.weatherNormalization !== undefined;
  const num = (key: string, header: string, decimals: number): Column => ({ key, header, kind: 'number', decimals });
  const text = (key: string, header: string): Column => ({ key, header, kind: 'text', decimals: 0 });
  const columns: Column[] = [
    text('type', l.type),
    num('rank', l.typeRank, 0),
    text('district', l.district),
    text('institution', l.institution),
    num('value', `${n.metrics[metric]} (${u})`, 4),
    num('deviation', `${n.deviation} (%)`, 2),
    num('lastYear', `${n.lastYear} (${u})`, 4),
    num('yoy', `${l.yoy} (%)`, 2),
    ...(normalized ? [num('yoyNormalized', `${n.yoyNormalized} (%)`, 2)] : []),
    num('completeness', `${l.completeness} (%)`, 2),
    text('note', n.note),
  ];
  const rows: TableRow[] = notice.groups.flatMap((g) => {
    const ind = g.indicators.find((i) => i.metric === metric);
    if (ind === undefined) return [];
    const type = l.types[g.type];
    const entries = ind.entries.map((e) => ({
      kind: 'row' as const,
      cells: [
        type,
        e.rank,
        e.districtName,
        e.name,
        e.value,
        pct(e.deviation),
        e.lastYear,
        pct(e.yoyChange),
        ...(normalized ? [pct(e.yoyChangeNormalized ?? null)] : []),
        pct(e.completeness),
        e.unranked !== null
          ? n.unranked[e.unranked]
          : e.completeness !== null && e.completeness < notice.completenessThreshold
            ? n.incomplete
            : '',
      ],
    }));
    const average = {
      kind: 'subtotal' as const,
      cells: [
        type,
        null,
        '',
        n.average,
        ind.average,
        null,
        ind.averageLastYear,
        pct(ind.averageYoyChange),
        ...(normalized ? [null] : []),
        null,
        '',
      ],
    };
    return [...entries, average];
  });
  return { name: n.metrics[metric], columns, rows };
}

function aboutPairs(notice: Notice, lang: ReportLang): [string, string][] {
  const l = reportLabels(lang);
  const n = noticeLabels(lang);
  return [
    [l.period, `${notice.year} (${notice.from} – ${notice.to})`],
    [l.scope, notice.scope === 'city' ? l.city : `${notice.scopeName} (${notice.scope})`],
    [l.generatedAt, notice.generatedAt],
    [l.coefficients, notice.coefficients],
    ['', n.averageNote],
    ['', n.rankNote],
    ['', l.waterNote],
    ...(notice.partial ? [['', `${l.partial} ${n.yoyPartial}`] as [string, string]] : []),
    ...weatherPairs(notice, n),
  ];
}

/** The weather-normalisation note: how, and the institution-energies that count raw. */
function weatherPairs(notice: Notice, n: NoticeLabels): [string, string][] {
  const w = notice.weatherNormalization;
  if (w === undefined) return [];
  const raw = w.notNormalized.map((x) => `${x.name} (${x.energy}): ${x.code}`).join('; ');
  return [
    ['', n.normalizedNote(w.referenceYear, w.normalizedInstitutions)],
    ...(raw === '' ? [] : [[n.notNormalized, raw] as [string, string]]),
  ];
}

async function noticeXlsx(notice: Notice, lang: ReportLang): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Jieneng';
  wb.created = new Date(Date.parse(notice.generatedAt));
  for (const metric of NOTICE_METRICS) addTable(wb, noticeTable(notice, metric, lang));
  const targetsNote = addNoticeTargetsSheet(wb, notice, lang);
  const l = reportLabels(lang);
  const about = wb.addWorksheet(l.about);
  about.columns = [
    { header: l.item, key: 'item', width: 24 },
    { header: l.value, key: 'value', width: 100 },
  ];
  about.getRow(1).font = { bold: true };
  about.addRow([noticeTitle(notice, lang), '']);
  for (const pair of aboutPairs(notice, lang)) about.addRow(pair);
  if (targetsNote !== undefined) about.addRow(['', targetsNote]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

async function noticePdf(notice: Notice, lang: ReportLang, options: PdfOptions): Promise<Buffer> {
  const title = noticeTitle(notice, lang);
  const { doc, done } = openPdf(title, notice.generatedAt, options);
  for (const [k, v] of aboutPairs(notice, lang)) doc.text(k === '' ? v : `${k}: ${v}`);
  let y = doc.y + 6;
  for (const metric of NOTICE_METRICS) {
    const table = noticeTable(notice, metric, lang);
    if (y + 80 > doc.page.height - PDF_MARGIN_PT) {
      doc.addPage();
      y = PDF_MARGIN_PT;
    }
    doc.fontSize(10).fillColor('#000').text(table.name, PDF_MARGIN_PT, y);
    const keys = table.columns.map((c) => c.key).filter((k) => k !== 'district');
    y = drawTable(doc, table, keys, doc.y + 4);
  }
  drawNoticeTargets(doc, notice, lang, y);
  doc.end();
  return done;
}

/**
 * Renders a notice as XLSX (a sheet per indicator, a five-year targets sheet when the notice has
 * reduction targets, and an "about" sheet) or PDF (the same tables), in Chinese or English.
 */
export async function renderNotice(
  notice: Notice,
  format: Exclude<NoticeFormat, 'json'>,
  lang: ReportLang,
  options: PdfOptions = {},
): Promise<RenderedReport> {
  const body = format === 'xlsx' ? await noticeXlsx(notice, lang) : await noticePdf(notice, lang, options);
  return {
    body,
    contentType: CONTENT_TYPES[format],
    fileName: `jieneng-notice-${notice.year}-${scopeSlug(notice.scope)}.${format}`,
  };
}
