import type { ReportLang, ReportModel } from './model.js';
import { aboutPairs, summaryTable, type Table } from './table.js';

/** The UTF-8 byte order mark: Excel reads a CSV as UTF-8 (Chinese labels intact) only with it. */
export const UTF8_BOM = '\uFEFF';

/** A text cell a spreadsheet would run as a formula (OWASP "CSV Injection"): `=`, `+`, `-`, `@`, tab, CR first. */
const FORMULA_START = /^[=+\-@\t\r]/;
/** A plain decimal number written as text (`-12.5`): a spreadsheet reads it as the number, not a formula. */
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * Text that a spreadsheet would not run: a cell starting like a formula gets a leading `'`
 * (OWASP CSV injection; an institution named `=HYPERLINK(…)` is shown as written). Numbers, and
 * text that is only a decimal number, stay as they are.
 */
export function neutraliseCell(text: string): string {
  return FORMULA_START.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
}

function field(value: string | number | null, decimals: number): string {
  if (value === null) return '';
  const s = typeof value === 'number' ? value.toFixed(decimals) : neutraliseCell(value);
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
