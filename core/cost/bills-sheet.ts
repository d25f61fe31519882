/**
 * Bills from an XLSX body (issue "The statutory year", item 1): the first sheet named `bills` (or
 * else the first sheet), a header row of the keys `accountNo energy from to quantity amountYuan`
 * within rows 1–5 (a header's last word is its key, so `户号 accountNo` reads `accountNo`), one bill
 * per row below. The body goes through the registry import's zip guard first (zip bombs, damaged
 * archives); formulas are read by their saved result.
 */
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { workbookZip } from '../registry-sheet/zip-guard.js';

/** The columns of a bills sheet. */
export const BILL_COLUMNS = ['accountNo', 'energy', 'from', 'to', 'quantity', 'amountYuan'] as const;

/** Most data rows read. */
const MAX_ROWS = 10_000;
/** Most bytes the workbook may inflate to. */
const MAX_INFLATED_BYTES = 32 * 2 ** 20;
const HEADER_SEARCH_ROWS = 5;

/** The rows read (raw values for `BillInputSchema`) and each one's sheet row number, or why the body is unreadable. */
export type BillsSheet =
  | { readonly bills: Record<string, unknown>[]; readonly rows: number[] }
  | { readonly problem: string };

/** A cell's plain value: text, number or a local date `YYYY-MM-DD` for a date cell. */
function cellValue(raw: ExcelJS.CellValue): unknown {
  if (raw === null || raw === undefined) return undefined;
  // Excel stores wall-clock dates without a zone; exceljs hands them over as that time in UTC.
  if (raw instanceof Date) return raw.toISOString().slice(0, 10);
  if (typeof raw === 'string') return raw.trim() === '' ? undefined : raw.trim();
  if (typeof raw !== 'object') return raw;
  if ('richText' in raw)
    return raw.richText
      .map((r) => r.text)
      .join('')
      .trim();
  if ('formula' in raw || 'sharedFormula' in raw) return cellValue((raw.result ?? null) as ExcelJS.CellValue);
  if ('text' in raw) return cellValue(raw.text as ExcelJS.CellValue);
  return undefined;
}

/** A number typed as text is read as the number; other text stays text (the schema names it). */
function numeric(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const t = v.normalize('NFKC').replaceAll(',', '').trim();
  return /^[+-]?(\d+\.?\d*|\.\d+)$/.test(t) ? Number(t) : v;
}

type SheetReader = AsyncIterable<ExcelJS.Row> & { readonly name: string };

/** Reads a bills workbook, streaming, never more than 10,000 rows; never throws. */
export async function readBillsWorkbook(body: Buffer): Promise<BillsSheet> {
  const zip = workbookZip(body, { maxEntries: 1000, maxInflatedBytes: MAX_INFLATED_BYTES });
  if ('problem' in zip) return zip;
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([zip.zip]), {
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    worksheets: 'emit',
    entries: 'ignore',
  });
  let read: { bills: Record<string, unknown>[]; rows: number[] } | undefined;
  try {
    for await (const ws of reader as unknown as AsyncIterable<SheetReader>) {
      const named =
        String(ws.name ?? '')
          .trim()
          .toLowerCase() === 'bills';
      // Every sheet is read through (the streaming reader needs it); the one named `bills` wins.
      const sheet = await readSheet(ws);
      if (read === undefined || named) read = sheet;
    }
  } catch (error) {
    return { problem: `not a readable XLSX workbook: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (read === undefined) return { problem: 'the workbook has no sheet' };
  if (read.rows.length === 0 && read.bills.length === 0)
    return { problem: `no header row with the keys ${BILL_COLUMNS.join(', ')} in rows 1–5, or no bill below it` };
  return read;
}

async function readSheet(ws: SheetReader): Promise<{ bills: Record<string, unknown>[]; rows: number[] }> {
  const bills: Record<string, unknown>[] = [];
  const rows: number[] = [];
  let columns: Map<number, string> | undefined;
  for await (const row of ws) {
    if (columns === undefined) {
      if (row.number > HEADER_SEARCH_ROWS) continue;
      const found = new Map<number, string>();
      row.eachCell((cell, n) => {
        const key =
          String(cellValue(cell.value) ?? '')
            .split(/\s+/)
            .pop() ?? '';
        if ((BILL_COLUMNS as readonly string[]).includes(key)) found.set(n, key);
      });
      if (found.size > 0) columns = found;
      continue;
    }
    // One past the most: the body's schema refuses it, naming the limit.
    if (bills.length > MAX_ROWS) continue;
    const bill: Record<string, unknown> = {};
    for (const [n, key] of columns) {
      const v = cellValue(row.getCell(n).value);
      if (v !== undefined) bill[key] = key === 'quantity' || key === 'amountYuan' ? numeric(v) : String(v);
    }
    if (Object.keys(bill).length === 0) continue;
    bills.push(bill);
    rows.push(row.number);
  }
  return { bills, rows };
}
