/**
 * The registry as an XLSX workbook (issue 15, item 6): the empty template, an export of the
 * registry, or any registry input (a test's or a bench's city). One sheet per table with a row of
 * Chinese labels and a row of column keys, then one row per record, and the instructions sheet.
 */
import ExcelJS from 'exceljs';
import type { Registry, RegistryInput } from '../domain/registry.js';
import { writeCell } from './cells.js';
import { type Column, type SheetTable, sheetTables } from './columns.js';
import { addInstructions } from './instructions.js';
import { columnLabel } from './labels.js';

/** Rows by table, as the registry or a registry input holds them (none: the template). */
export type RegistryRows = Partial<Registry> | Partial<RegistryInput>;

/** What a workbook is for. */
export type WorkbookKind =
  /** Columns for every field, secrets included (the template, or a city to import). */
  | 'input'
  /** Columns for what the platform serves: never a secret. */
  | 'export';

const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDE7F3' } };
const KEY_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFF2F2F2' } };

function valueAt(row: object, column: Column): unknown {
  return column.path.reduce<unknown>(
    (at, segment) => (at !== null && typeof at === 'object' ? (at as Record<string, unknown>)[segment] : undefined),
    row,
  );
}

/** Column width in characters: CJK characters count double. */
const widthOf = (text: string) => [...text].reduce((w, ch) => w + (/[\u3000-\u9fff\uff00-\uffef]/.test(ch) ? 2 : 1), 0);

function addTable(wb: ExcelJS.Workbook, table: SheetTable, rows: readonly object[], kind: WorkbookKind): void {
  const columns = table.columns.filter((c) => kind === 'input' || !c.writeOnly);
  const ws = wb.addWorksheet(table.name, { views: [{ state: 'frozen', ySplit: 2, xSplit: 1 }] });
  ws.columns = columns.map((c) => ({
    width: Math.min(40, Math.max(10, widthOf(columnLabel(c.key)) + 2, c.key.length + 2)),
    // Text columns stay text as users type: Excel would turn an id 0012 into 12, or 1-2 into a date.
    ...(c.kind === 'number' || c.kind === 'integer' || c.kind === 'boolean' ? {} : { style: { numFmt: '@' } }),
  }));
  const labels = ws.addRow(columns.map((c) => columnLabel(c.key)));
  const keys = ws.addRow(columns.map((c) => c.key));
  labels.font = { bold: true };
  keys.font = { bold: true, color: { argb: 'FF444444' } };
  labels.eachCell((cell) => {
    cell.fill = HEADER_FILL;
  });
  keys.eachCell((cell) => {
    cell.fill = KEY_FILL;
  });
  for (const row of rows) ws.addRow(columns.map((c) => writeCell(valueAt(row, c), c)));
}

/**
 * The registry workbook of `rows` (none for the template). `export` leaves write-only columns
 * out (a gateway's secret), so an export holds no secret whatever `rows` hold. Numbers stay
 * numbers, lists are comma-separated, absent fields are empty cells.
 */
export async function registryWorkbook(rows: RegistryRows, kind: WorkbookKind): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Jieneng';
  const tables = sheetTables();
  const byTable = rows as Readonly<Record<string, readonly object[] | undefined>>;
  for (const table of tables) addTable(wb, table, byTable[table.name] ?? [], kind);
  addInstructions(wb, tables);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
