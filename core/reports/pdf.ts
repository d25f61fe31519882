import { existsSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import { reportLabels, reportTitle } from './labels.js';
import type { ReportLang, ReportModel } from './model.js';
import { rankInstitutions } from './ranking.js';
import { type Column, summaryTable, type Table } from './table.js';

/** Debian `fonts-wqy-microhei`: a CJK font embedded (subset) in every PDF so that Chinese renders anywhere. */
export const DEFAULT_CJK_FONT = '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc';
const FONT_FAMILY = 'WenQuanYiMicroHei';

type Doc = PDFKit.PDFDocument;
/** Page margin of Jieneng's PDFs, in points. */
export const PDF_MARGIN_PT = 36;
const MARGIN = PDF_MARGIN_PT;
const ROW_H = 13;

/** Options of the PDF export. */
export interface PdfOptions {
  /** A TrueType/TTC font with CJK glyphs [DEFAULT_CJK_FONT]. */
  readonly fontPath?: string;
}

function fmt(v: string | number | null, decimals: number): string {
  if (v === null) return '—';
  if (typeof v === 'string') return v;
  return v.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

function ellipsize(doc: Doc, s: string, width: number): string {
  if (doc.widthOfString(s) <= width) return s;
  let t = s;
  while (t.length > 1 && doc.widthOfString(`${t}…`) > width) t = t.slice(0, -1);
  return `${t}…`;
}

/** The default share of the page width a column takes: the institution's name most, text more than numbers. */
const defaultWeight = (c: Column) => (c.key === 'institution' ? 3 : c.kind === 'text' ? 1.4 : 1);

/**
 * Draws a table from y, breaking pages and repeating the header; returns the y below it. Columns
 * share the page width in proportion to `weightOf` (default: institution 3, text 1.4, number 1).
 */
export function drawTable(
  doc: Doc,
  table: Table,
  keys: readonly string[],
  y0: number,
  weightOf: (c: Column) => number = defaultWeight,
): number {
  const cols = keys.flatMap((k) => {
    const i = table.columns.findIndex((c) => c.key === k);
    const c = table.columns[i];
    return c === undefined ? [] : [{ c, i }];
  });
  const pageW = doc.page.width - 2 * MARGIN;
  const weights = cols.map(({ c }) => weightOf(c));
  const unit = pageW / weights.reduce((s, w) => s + w, 0);
  const widths = weights.map((w) => w * unit);
  const header = (y: number) => {
    doc.fontSize(6.5).fillColor('#000');
    let x = MARGIN;
    cols.forEach(({ c }, k) => {
      doc.text(c.header, x + 2, y, { width: (widths[k] ?? 0) - 4, align: c.kind === 'number' ? 'right' : 'left' });
      x += widths[k] ?? 0;
    });
    doc
      .moveTo(MARGIN, y + 2 * ROW_H)
      .lineTo(MARGIN + pageW, y + 2 * ROW_H)
      .lineWidth(0.5)
      .stroke();
    return y + 2 * ROW_H + 3;
  };
  let y = header(y0);
  doc.fontSize(7);
  for (const row of table.rows) {
    if (y + ROW_H > doc.page.height - MARGIN) {
      doc.addPage();
      y = header(MARGIN);
      doc.fontSize(7);
    }
    if (row.kind !== 'row') doc.rect(MARGIN, y - 2, pageW, ROW_H).fill(row.kind === 'total' ? '#dde7f3' : '#f2f2f2');
    doc.fillColor('#000');
    let x = MARGIN;
    cols.forEach(({ c, i }, k) => {
      let v = row.cells[i] ?? null;
      // Without a district column, a subtotal line names its district beside "subtotal".
      if (c.key === 'institution' && row.kind !== 'row') v = `${row.cells[0] ?? ''} ${v ?? ''}`.trim();
      const w = (widths[k] ?? 0) - 4;
      doc.text(ellipsize(doc, fmt(v, c.decimals), w), x + 2, y, {
        width: w,
        align: c.kind === 'number' ? 'right' : 'left',
        lineBreak: false,
      });
      x += widths[k] ?? 0;
    });
    y += ROW_H;
  }
  return y + 6;
}

/** A bar chart of the scope's monthly kgce, drawn with vector primitives. */
function drawTrend(doc: Doc, model: ReportModel, title: string, y0: number): number {
  const x0 = MARGIN + 40;
  const w = doc.page.width - 2 * MARGIN - 50;
  const h = 150;
  const top = y0 + 18;
  doc.fontSize(10).fillColor('#000').text(title, MARGIN, y0);
  const max = Math.max(1, ...model.trend.map((p) => p.kgce));
  const step = 10 ** Math.floor(Math.log10(max / 4));
  const tick = Math.ceil(max / 4 / step) * step;
  doc.fontSize(6.5).lineWidth(0.3).strokeColor('#bbbbbb');
  for (let k = 0; k <= 4; k++) {
    const y = top + h - (k * tick * h) / (4 * tick);
    doc
      .moveTo(x0, y)
      .lineTo(x0 + w, y)
      .stroke();
    doc.fillColor('#555').text(fmt(k * tick, 0), MARGIN - 4, y - 3, { width: 40, align: 'right', lineBreak: false });
  }
  const slot = w / Math.max(1, model.trend.length);
  model.trend.forEach((p, k) => {
    const bh = (p.kgce / (4 * tick)) * h;
    const x = x0 + k * slot + slot * 0.15;
    doc.rect(x, top + h - bh, slot * 0.7, bh).fill(p.month === model.period ? '#c0504d' : '#4f81bd');
    doc
      .fillColor('#000')
      .text(p.month, x - 4, top + h + 4, { width: slot * 0.7 + 8, align: 'center', lineBreak: false });
    // A month without data is left blank rather than labelled 0.
    if (p.kgce > 0)
      doc.text(fmt(p.kgce, 0), x - 6, top + h - bh - 9, { width: slot * 0.7 + 12, align: 'center', lineBreak: false });
  });
  doc
    .strokeColor('#000')
    .lineWidth(0.8)
    .moveTo(x0, top + h)
    .lineTo(x0 + w, top + h)
    .stroke();
  return top + h + 22;
}

function rankingTable(model: ReportModel, lang: ReportLang): Table {
  const l = reportLabels(lang);
  const r = rankInstitutions(model, 'kgce_per_m2');
  const median = new Map(r.peerGroups.map((g) => [g.type, g.median]));
  const unit = 'kgce/m²';
  return {
    name: l.ranking,
    columns: [
      { key: 'rank', header: l.rank, kind: 'number', decimals: 0 },
      { key: 'institution', header: l.institution, kind: 'text', decimals: 0 },
      { key: 'type', header: l.type, kind: 'text', decimals: 0 },
      { key: 'value', header: `${l.perM2} (${unit})`, kind: 'number', decimals: 4 },
      { key: 'typeRank', header: l.typeRank, kind: 'number', decimals: 0 },
      { key: 'median', header: `${l.typeMedian} (${unit})`, kind: 'number', decimals: 4 },
      { key: 'completeness', header: `${l.completeness} (%)`, kind: 'number', decimals: 2 },
    ],
    rows: r.entries.map((e) => ({
      kind: 'row' as const,
      cells: [
        e.rank,
        e.name,
        l.types[e.type],
        e.value,
        e.typeRank,
        median.get(e.type) ?? null,
        e.completeness === null ? null : Math.round(e.completeness * 10000) / 100,
      ],
    })),
  };
}

/** A landscape A4 document with the CJK font, its title written, and the buffer it ends as. */
export interface OpenedPdf {
  readonly doc: PDFKit.PDFDocument;
  /** Resolves to the whole file once `doc.end()` has been called. */
  readonly done: Promise<Buffer>;
}

/**
 * Opens a PDF for Jieneng's reports, notice and statistics: A4 landscape, the CJK font of
 * `options` (refused with a message naming the Debian package when absent), `title` at the top and
 * small grey body text after it.
 */
export function openPdf(title: string, generatedAt: string, options: PdfOptions = {}): OpenedPdf {
  const fontPath = options.fontPath ?? DEFAULT_CJK_FONT;
  if (!existsSync(fontPath)) throw new Error(`CJK font not found at ${fontPath}: install fonts-wqy-microhei`);
  const doc = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    margin: MARGIN,
    info: { Title: title, Creator: 'Jieneng', CreationDate: new Date(Date.parse(generatedAt)) },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont(FONT_FAMILY, fontPath, FONT_FAMILY);
  doc.font(FONT_FAMILY);
  doc.fontSize(15).text(title, MARGIN, MARGIN);
  doc.fontSize(8).fillColor('#333');
  return { doc, done };
}

/**
 * The report as a PDF (A4 landscape, embedded CJK font): title and facts, the summary table with
 * subtotals, a trend chart of the last 12 months' kgce, and the ranking by kgce per m² with peers.
 */
export async function reportPdf(model: ReportModel, lang: ReportLang, options: PdfOptions = {}): Promise<Buffer> {
  const l = reportLabels(lang);
  const title = reportTitle(model, lang);
  const { doc, done } = openPdf(title, model.generatedAt, options);
  doc.text(`${l.period}: ${model.from} – ${model.to}    ${l.generatedAt}: ${model.generatedAt}`);
  doc.text(`${l.coefficients}: ${model.coefficients.version}`);
  doc.text(l.waterNote);
  doc.text(l.roundingNote);
  doc.fillColor('#c0504d');
  if (model.partial) doc.text(l.partial);
  if (model.incomplete.length > 0) {
    const names = new Map(model.institutions.map((r) => [r.institutionId, r.name]));
    doc.text(`${l.incomplete}: ${model.incomplete.map((id) => names.get(id) ?? id).join(', ')}`);
  }
  const summary = summaryTable(model, lang);
  const keys = summary.columns
    .map((c) => c.key)
    .filter((k) => !['district', 'floorAreaM2', 'occupants', 'estimated'].includes(k));
  let y = drawTable(doc, summary, keys, doc.y + 8);
  if (y + 200 > doc.page.height - MARGIN) {
    doc.addPage();
    y = MARGIN;
  }
  y = drawTrend(doc, model, `${l.trend} (kgce)`, y);
  if (y + 60 > doc.page.height - MARGIN) {
    doc.addPage();
    y = MARGIN;
  }
  doc.fontSize(10).fillColor('#000').text(l.ranking, MARGIN, y);
  const ranking = rankingTable(model, lang);
  drawTable(
    doc,
    ranking,
    ranking.columns.map((c) => c.key),
    doc.y + 4,
  );
  doc.end();
  return done;
}
