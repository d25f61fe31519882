import ExcelJS from 'exceljs';
import { addTable } from '../reports/xlsx.js';
import type { StatisticsLayout } from './forms.js';
import type { StatisticsModel } from './model.js';
import { aboutPairs, institutionsTable, rollUpTable } from './table.js';

/** The title of the statistics: `全市公共机构能源资源消费统计 2025`. */
export function statisticsTitle(model: StatisticsModel, layout: StatisticsLayout): string {
  return `${model.scope === 'city' ? '全市' : model.scopeName}${layout.title} ${model.year}`;
}

/**
 * The statistics as an XLSX workbook laid out as the forms are, in Chinese: the basic information
 * and consumption form (one row per institution), the roll-ups by administrative region, by
 * category (institution type) and by unit nature, and an "about" sheet naming the layout version
 * and every table used. Cells hold numbers.
 */
export async function statisticsXlsx(model: StatisticsModel, layout: StatisticsLayout): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Jieneng';
  wb.created = new Date(Date.parse(model.generatedAt));
  addTable(wb, institutionsTable(model, layout));
  addTable(wb, rollUpTable(model, layout, 'byDistrict'));
  addTable(wb, rollUpTable(model, layout, 'byType'));
  addTable(wb, rollUpTable(model, layout, 'byNature'));
  const about = wb.addWorksheet(layout.sheets.about);
  about.columns = [
    { header: '项目', key: 'item', width: 24 },
    { header: '内容', key: 'value', width: 110 },
  ];
  about.getRow(1).font = { bold: true };
  about.addRow([statisticsTitle(model, layout), '']);
  for (const pair of aboutPairs(model)) about.addRow(pair);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
