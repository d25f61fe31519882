import ExcelJS from 'exceljs';
import { reportLabels, reportTitle } from './labels.js';
import type { ReportLang, ReportModel } from './model.js';
import { aboutPairs, energyTable, summaryTable, type Table } from './table.js';

function numFmt(decimals: number): string {
  return decimals === 0 ? '#,##0' : `#,##0.${'0'.repeat(decimals)}`;
}

/** Adds a table as a sheet: bold header with units, numbers as numbers, subtotal and total lines shaded. */
export function addTable(wb: ExcelJS.Workbook, table: Table): void {
  const ws = wb.addWorksheet(table.name, { views: [{ state: 'frozen', ySplit: 1, xSplit: 2 }] });
  ws.columns = table.columns.map((c) => ({
    header: c.header,
    key: c.key,
    width: Math.max(10, Math.min(40, c.header.length * (/[\u3000-\u9fff]/.test(c.header) ? 2 : 1) + 2)),
    ...(c.kind === 'number' ? { style: { numFmt: numFmt(c.decimals) } } : {}),
  }));
  ws.getRow(1).font = { bold: true };
  ws.getRow(1).alignment = { wrapText: true, vertical: 'middle' };
  for (const row of table.rows) {
    // Numbers stay numbers (no text formatting), so that officers can sum and chart them in Excel.
    const added = ws.addRow(row.cells.map((v) => v ?? null));
    if (row.kind !== 'row') {
      added.font = { bold: true };
      added.fill = {
        type: 'pattern',
        pattern: 'solid',
        fgColor: { argb: row.kind === 'total' ? 'FFDDE7F3' : 'FFF2F2F2' },
      };
    }
  }
  ws.getColumn(2).width = 28;
}

/**
 * The report as an XLSX workbook: a summary sheet, one sheet per energy type (native unit and kgce),
 * and an "about" sheet with the period, the coefficient table and the notes. Headers carry units;
 * cells hold numbers.
 */
export async function reportXlsx(model: ReportModel, lang: ReportLang): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Jieneng';
  wb.created = new Date(Date.parse(model.generatedAt));
  addTable(wb, summaryTable(model, lang));
  for (const energy of model.energies) addTable(wb, energyTable(model, energy, lang));
  const l = reportLabels(lang);
  const about = wb.addWorksheet(l.about);
  about.columns = [
    { header: l.item, key: 'item', width: 24 },
    { header: l.value, key: 'value', width: 90 },
  ];
  about.getRow(1).font = { bold: true };
  about.addRow([reportTitle(model, lang), '']);
  for (const pair of aboutPairs(model, lang)) about.addRow(pair);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
