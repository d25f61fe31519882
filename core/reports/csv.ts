import type { ReportLang, ReportModel } from './model.js';
import { aboutPairs, summaryTable, type Table } from './table.js';

/** The UTF-8 byte order mark: Excel reads a CSV as UTF-8 (Chinese labels intact) only with it. */
export const UTF8_BOM = '\uFEFF';

function field(value: string | number | null, decimals: number): string {
  if (value === null) return '';
  const s = typeof value === 'number' ? value.toFixed(decimals) : value;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A table as CSV lines (RFC 4180 quoting, numbers with their column's decimals, no thousands separator). */
export function tableCsv(table: Table): string[] {
  const header = table.columns.map((c) => field(c.header, 0)).join(',');
  const lines = table.rows.map((r) =>
    r.cells
      .map((v, i) => field(v, table.columns[i]?.kind === 'number' ? (table.columns[i]?.decimals ?? 0) : 0))
      .join(','),
  );
  return [header, ...lines];
}

/**
 * The report as CSV in UTF-8 with a BOM: the summary table (one line per institution, district
 * subtotals, the total), then a blank line and the report's facts (period, coefficients, notes).
 */
export function reportCsv(model: ReportModel, lang: ReportLang): Buffer {
  const about = aboutPairs(model, lang).map(([k, v]) => `${field(k, 0)},${field(v, 0)}`);
  const text = [...tableCsv(summaryTable(model, lang)), '', ...about].join('\r\n');
  return Buffer.from(`${UTF8_BOM}${text}\r\n`, 'utf8');
}
