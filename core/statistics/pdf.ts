import { drawTable, openPdf, PDF_MARGIN_PT, type PdfOptions } from '../reports/pdf.js';
import type { Table } from '../reports/table.js';
import type { StatisticsLayout } from './forms.js';
import type { StatisticsModel } from './model.js';
import { aboutPairs, energyLinesTable, institutionsTable, rollUpTable } from './table.js';
import { statisticsTitle } from './xlsx.js';

const MARGIN = PDF_MARGIN_PT;
/** The PDF's sections of the institutions form: identity, then totals and indicators (the per-energy columns get their own table). */
const IDENTITY_KEYS = ['institution', 'creditCode', 'nature', 'district', 'type', 'floorArea', 'persons', 'signedOff'];
const TOTAL_KEYS = [
  'totalTce',
  'totalTceEv',
  'totalKgco2',
  'totalCost',
  'kgcePerM2',
  'kgcePerPerson',
  'waterPerPerson',
  'kgco2PerM2',
];
const ROLLUP_KEYS = ['group', 'institutions', 'signedOff', 'floorArea', 'persons', ...TOTAL_KEYS];

/**
 * The statistics as a PDF (A4 landscape, the WenQuanYi Micro Hei font embedded): the basic
 * information and totals per institution, every energy line (quantity in the form's unit, cost,
 * standard coal both ways, CO₂), the roll-ups and the notes.
 */
export async function statisticsPdf(
  model: StatisticsModel,
  layout: StatisticsLayout,
  options: PdfOptions = {},
): Promise<Buffer> {
  const title = statisticsTitle(model, layout);
  const { doc, done } = openPdf(title, model.generatedAt, options);
  for (const [k, v] of aboutPairs(model)) doc.text(k === '' ? v : `${k}: ${v}`);
  let y = doc.y + 6;
  const section = (table: Table, keys: readonly string[], title = table.name) => {
    if (y + 80 > doc.page.height - MARGIN) {
      doc.addPage();
      y = MARGIN;
    }
    doc.fontSize(10).fillColor('#000').text(title, MARGIN, y);
    y = drawTable(doc, table, keys, doc.y + 4);
  };
  const form = institutionsTable(model, layout);
  section(form, IDENTITY_KEYS, '基本信息');
  section(form, ['institution', ...TOTAL_KEYS], '综合能耗、费用与主要指标');
  const lines = energyLinesTable(model);
  section(
    lines,
    lines.columns.map((c) => c.key),
  );
  for (const which of ['byDistrict', 'byType', 'byNature'] as const)
    section(rollUpTable(model, layout, which), ROLLUP_KEYS);
  doc.end();
  return done;
}
