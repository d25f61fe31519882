/**
 * A savings project's answer as XLSX and PDF, in Chinese or English (issue 18, item 3): the
 * summary (model, fit and ASHRAE 14 verdict, reporting-period savings with their 90 %
 * uncertainty, savings in kgce, kgCO₂ and yuan), the monthly series, and the adjustments. The
 * same tables in both formats; the figures are the JSON answer's, rounded only when printed.
 */
import ExcelJS from 'exceljs';
import type { SavingsAnswer } from '../domain/savings-projects.js';
import type { ReportLang } from '../reports/model.js';
import { drawTable, openPdf, PDF_MARGIN_PT, type PdfOptions } from '../reports/pdf.js';
import { CONTENT_TYPES, type RenderedReport } from '../reports/render.js';
import type { Column, Table } from '../reports/table.js';
import { addTable } from '../reports/xlsx.js';
import { SAVINGS_LABELS, type SavingsLabels } from './labels.js';

/** Formats a savings project is exported in. */
export const SAVINGS_EXPORT_FORMATS = ['xlsx', 'pdf'] as const;
/** A savings export format. */
export type SavingsExportFormat = (typeof SAVINGS_EXPORT_FORMATS)[number];

const num = (key: string, header: string, decimals: number): Column => ({ key, header, kind: 'number', decimals });
const text = (key: string, header: string): Column => ({ key, header, kind: 'text', decimals: 0 });
const pct = (x: number | null) => (x === null ? null : Math.round(x * 10000) / 100);

/** The title: `节能项目 …（测量与验证）`. */
export function savingsTitle(a: SavingsAnswer, lang: ReportLang): string {
  const l = SAVINGS_LABELS[lang];
  return `${l.title}: ${a.project.name} (${a.project.id})`;
}

/** The summary as item/value pairs. */
function summaryPairs(a: SavingsAnswer, l: SavingsLabels): [string, string | number | null][] {
  const r = a.reporting;
  const u = a.unit;
  const steps = (s: SavingsAnswer['reporting']['steps']) =>
    `${s.used} ${l.used}; ${l.missingTemperature} ${s.missingTemperature}; ${l.incomplete} ${s.incompleteConsumption}; ${l.unpredictable} ${s.unpredictable}`;
  return [
    [l.scope, a.project.scope],
    [l.energy, `${a.project.energy} (${u})`],
    [l.station, a.project.weatherStationId],
    [l.baselinePeriod, `${a.project.baselineFrom} – ${a.project.baselineTo}`],
    [l.reportingPeriod, `${r.from} – ${r.to}`],
    [l.model, `${a.model.type}: ${a.model.form}`],
    ['R²', a.model.fit.r2],
    ['CV(RMSE) (%)', pct(a.model.fit.cvrmse)],
    ['NMBE (%)', pct(a.model.fit.nmbe)],
    [l.n, a.model.fit.n],
    [
      l.ashrae,
      `${a.model.fit.meetsAshrae14 ? l.yes : l.no} (${a.model.acceptance.basis}) ${a.model.acceptance.reasons.join('; ')}`,
    ],
    [l.baselineSteps, steps(a.model.baselineSteps)],
    [l.reportingSteps, steps(r.steps)],
    [`${l.baseline} (${u})`, r.baseline],
    [`${l.actual} (${u})`, r.actual],
    [`${l.savings} (${u})`, r.savings],
    [`${l.savings} (%)`, r.savingsPct],
    [`${l.fsu} (%)`, pct(r.fsu90)],
    [`${l.uncertainty} (${u})`, r.uncertainty90],
    [l.significant, r.significant ? l.yes : l.no],
    [`${l.savings} (kgce)`, r.savingsConverted.kgce],
    [`${l.savings} (kgCO₂)`, r.savingsConverted.kgco2],
    [`${l.savings} (${l.yuan})`, r.savingsConverted.yuan],
    [l.kgceBasis, a.conversions.kgce],
    [l.kgco2Basis, a.conversions.kgco2 ?? l.none],
    [l.yuanBasis, a.conversions.yuan ?? l.none],
    ['', l.excludedNote],
  ];
}

/** The monthly series: adjusted baseline, actual and savings. */
export function monthsTable(a: SavingsAnswer, lang: ReportLang): Table {
  const l = SAVINGS_LABELS[lang];
  const u = a.unit;
  return {
    name: l.months,
    columns: [
      text('month', l.month),
      num('baseline', `${l.baseline} (${u})`, 1),
      num('actual', `${l.actual} (${u})`, 1),
      num('savings', `${l.savings} (${u})`, 1),
      num('steps', l.steps, 0),
    ],
    rows: a.months.map((m) => ({ kind: 'row', cells: [m.month, m.baseline, m.actual, m.savings, m.steps] })),
  };
}

/** The adjustments as applied. */
export function adjustmentsTable(a: SavingsAnswer, lang: ReportLang): Table {
  const l = SAVINGS_LABELS[lang];
  return {
    name: l.adjustments,
    columns: [
      num('n', '#', 0),
      text('kind', l.kind),
      num('value', l.value, 2),
      text('from', l.from),
      text('to', l.to),
      text('reason', l.reason),
      num('applied', `${l.applied} (${a.unit})`, 1),
      text('by', l.by),
    ],
    rows: a.adjustments.map((x) => ({
      kind: 'row',
      cells: [
        x.n,
        x.kind === 'constant' ? l.constant : l.percent,
        x.value,
        x.from,
        x.to ?? '',
        x.reason,
        x.appliedAmount,
        `${x.createdBy} ${x.createdAt}`,
      ],
    })),
  };
}

async function savingsXlsx(a: SavingsAnswer, lang: ReportLang, generatedAt: string): Promise<Buffer> {
  const l = SAVINGS_LABELS[lang];
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Jieneng';
  wb.created = new Date(Date.parse(generatedAt));
  const summary = wb.addWorksheet(l.summary);
  summary.columns = [
    { header: l.item, key: 'item', width: 28 },
    { header: l.value, key: 'value', width: 90 },
  ];
  summary.getRow(1).font = { bold: true };
  summary.addRow([savingsTitle(a, lang), '']);
  for (const [k, v] of summaryPairs(a, l)) summary.addRow([k, v]);
  addTable(wb, monthsTable(a, lang));
  addTable(wb, adjustmentsTable(a, lang));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const printed = (v: string | number | null) =>
  v === null ? '—' : typeof v === 'number' ? v.toLocaleString('en-US', { maximumFractionDigits: 4 }) : v;

async function savingsPdf(
  a: SavingsAnswer,
  lang: ReportLang,
  generatedAt: string,
  options: PdfOptions,
): Promise<Buffer> {
  const l = SAVINGS_LABELS[lang];
  const { doc, done } = openPdf(savingsTitle(a, lang), generatedAt, options);
  for (const [k, v] of summaryPairs(a, l)) doc.text(k === '' ? printed(v) : `${k}: ${printed(v)}`);
  let y = doc.y + 8;
  for (const table of [monthsTable(a, lang), adjustmentsTable(a, lang)]) {
    if (y + 80 > doc.page.height - PDF_MARGIN_PT) {
      doc.addPage();
      y = PDF_MARGIN_PT;
    }
    doc.fontSize(10).fillColor('#000').text(table.name, PDF_MARGIN_PT, y);
    y = drawTable(
      doc,
      table,
      table.columns.map((c) => c.key),
      doc.y + 4,
      (c) => (c.key === 'reason' || c.key === 'by' ? 3 : 1),
    );
    doc.fontSize(8);
  }
  doc.end();
  return done;
}

/** Renders a project's answer as XLSX (summary, months, adjustments sheets) or PDF (the same), zh or en. */
export async function renderSavings(
  answer: SavingsAnswer,
  format: SavingsExportFormat,
  lang: ReportLang,
  generatedAt: string,
  options: PdfOptions = {},
): Promise<RenderedReport> {
  const body =
    format === 'xlsx'
      ? await savingsXlsx(answer, lang, generatedAt)
      : await savingsPdf(answer, lang, generatedAt, options);
  return {
    body,
    contentType: CONTENT_TYPES[format],
    fileName: `jieneng-savings-${answer.project.id}-${lang}.${format}`,
  };
}
