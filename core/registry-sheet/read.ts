/**
 * An uploaded registry workbook to the registry input of `PUT /api/v1/registry` (issue 15, item 6),
 * with every problem of its cells and headers. Hostile input is the normal case: a body that is
 * no workbook, a zip bomb, extra sheets and columns, formulas, dates, empty rows, a million rows.
 */
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { readCell } from './cells.js';
import { type Column, type SheetTable, sheetTables } from './columns.js';
import { bodyProblem, problemAt, type SheetPlace, type SheetPlaces, type SheetProblem } from './problems.js';
import { workbookZip } from './zip-guard.js';

/** Bounds of what an import reads. */
export interface ReadLimits {
  /** Most data rows of one sheet. */
  readonly maxRowsPerSheet: number;
  /** Most bytes the workbook's zip entries may inflate to, together. */
  readonly maxInflatedBytes: number;
}

/** Largest import body: 20 MiB (the workbook of a city of 6,710 meters is 0.5 MiB). */
export const IMPORT_BODY_LIMIT_BYTES = 20 * 2 ** 20;

/**
 * Default bounds: 100,000 rows a sheet, 32 MiB inflated (a city of 6,710 meters inflates to 5.3 MiB,
 * so about 40,000 meters fit).
 */
export const DEFAULT_READ_LIMITS: ReadLimits = Object.freeze({
  maxRowsPerSheet: 100_000,
  maxInflatedBytes: 32 * 2 ** 20,
});

/** A registry row as read, before validation. */
export type RawRow = Record<string, unknown>;

/** A workbook read: the registry input it holds, where each row came from, what is wrong. */
export interface WorkbookRead {
  /** Rows by table (`districts`, …), as `PUT /api/v1/registry` takes them. */
  readonly input: Readonly<Record<string, RawRow[]>>;
  readonly places: SheetPlaces;
  /** Problems of cells and headers (references and rules are checked by validate.ts). */
  readonly problems: readonly SheetProblem[];
  /** True when the body is no workbook of registry sheets: the problems name the body. */
  readonly unreadable: boolean;
}

/** Rows 1–5 are searched for the header row of column keys (the template's is row 2). */
const HEADER_SEARCH_ROWS = 5;

const unreadable = (message: string): WorkbookRead => ({
  input: {},
  places: {},
  problems: [bodyProblem(message)],
  unreadable: true,
});

/** What a column key looks like: `floorAreaM2`, `virtual.plus`. */
const KEY_LIKE = /^[A-Za-z][A-Za-z0-9_.]*$/;

/** A header cell's key: its text's last word, so `名称 name` and `name` both read `name`. */
function headerKey(cell: ExcelJS.Cell): string {
  const text = typeof cell.value === 'string' ? cell.value : cell.text;
  return (text ?? '').trim().split(/\s+/).pop() ?? '';
}

/** Sets a value at a dotted path in a row object. */
function setPath(row: RawRow, path: readonly string[], value: unknown): void {
  let at = row;
  for (const segment of path.slice(0, -1)) {
    at[segment] ??= {};
    at = at[segment] as RawRow;
  }
  at[path[path.length - 1] as string] = value;
}

/**
 * A required list left empty is an empty list (an export writes `[]` as an empty cell), when its
 * object is there at all; an optional one stays absent.
 */
function fillEmptyLists(row: RawRow, columns: readonly Column[]): void {
  for (const c of columns) {
    if (c.kind !== 'list' || !c.required || c.defaultValue !== undefined) continue;
    const parent = c.path.slice(0, -1).reduce<RawRow | undefined>((o, s) => o?.[s] as RawRow | undefined, row);
    const last = c.path[c.path.length - 1] as string;
    if (parent !== undefined && parent[last] === undefined) parent[last] = [];
  }
}

/** The columns of a header row by column number, and problems of unknown or repeated keys. */
function mapColumns(sheet: string, row: ExcelJS.Row, table: SheetTable) {
  const known = new Map(table.columns.map((c) => [c.key, c]));
  const byNumber = new Map<number, Column>();
  const letters = new Map<string, string>();
  const problems: SheetProblem[] = [];
  row.eachCell((cell, n) => {
    const key = headerKey(cell);
    // A heading that cannot be a key (备注, a blank) marks a column of notes: ignored.
    if (!KEY_LIKE.test(key)) return;
    const column = known.get(key);
    const letter = cell.address.replace(/\d+$/, '');
    if (column === undefined) {
      const list = table.columns.map((c) => c.key).join(', ');
      problems.push(problemAt(sheet, row.number, key, `unknown column "${key}"; columns: ${list}`, letter));
    } else if (letters.has(key)) {
      problems.push(problemAt(sheet, row.number, key, `column "${key}" appears twice`, letter));
    } else {
      byNumber.set(n, column);
      letters.set(key, letter);
    }
  });
  return { byNumber, letters, problems };
}

interface SheetRead {
  readonly rows: RawRow[];
  readonly place: SheetPlace;
  readonly problems: SheetProblem[];
}

/** One data row as a registry row, or undefined when none of its known cells holds anything. */
function dataRow(
  row: ExcelJS.Row,
  byNumber: ReadonlyMap<number, Column>,
  place: { sheet: string; letters: ReadonlyMap<string, string> },
  table: SheetTable,
  timeZone: string,
  problems: SheetProblem[],
): RawRow | undefined {
  const out: RawRow = {};
  let filled = false;
  for (const [n, column] of byNumber) {
    const read = readCell(row.getCell(n).value, column, timeZone);
    if (read === undefined) continue;
    filled = true;
    if ('problem' in read)
      problems.push(problemAt(place.sheet, row.number, column.key, read.problem, place.letters.get(column.key)));
    else setPath(out, column.path, read.value);
  }
  if (!filled) return undefined;
  fillEmptyLists(out, table.columns);
  return out;
}

/**
 * Reads one sheet row by row: the key row within rows 1–5, then data rows. Stops at the row
 * limit, so a sheet of a million rows costs no more than the limit.
 */
async function readSheet(
  ws: AsyncIterable<ExcelJS.Row>,
  sheet: string,
  table: SheetTable,
  limits: ReadLimits,
  timeZone: string,
): Promise<SheetRead> {
  const rows: RawRow[] = [];
  const numbers: number[] = [];
  const problems: SheetProblem[] = [];
  let header: ReturnType<typeof mapColumns> | undefined;
  let seenRows = false;
  for await (const row of ws) {
    seenRows = true;
    if (header === undefined) {
      if (row.number > HEADER_SEARCH_ROWS) break;
      let isKeyRow = false;
      row.eachCell((cell) => {
        if (headerKey(cell) === 'id') isKeyRow = true;
      });
      if (isKeyRow) header = mapColumns(sheet, row, table);
      continue;
    }
    const out = dataRow(row, header.byNumber, { sheet, letters: header.letters }, table, timeZone, problems);
    if (out === undefined) continue;
    if (rows.length === limits.maxRowsPerSheet) {
      problems.push(problemAt(sheet, 0, '', `more than ${limits.maxRowsPerSheet} rows`));
      break;
    }
    rows.push(out);
    numbers.push(row.number);
  }
  const letters = header?.letters ?? new Map<string, string>();
  if (header === undefined) {
    if (seenRows) problems.push(problemAt(sheet, 0, '', 'no header row of column keys (a cell "id") in rows 1–5'));
  } else {
    problems.unshift(...header.problems);
    if (rows.length > 0)
      for (const c of table.columns) {
        // A gateway's secret may be left out: the import keeps the stored one (secrets are never exported).
        if (c.required && !c.nested && c.defaultValue === undefined && !c.writeOnly && !letters.has(c.key))
          problems.push(problemAt(sheet, 0, c.key, `missing column "${c.key}"`));
      }
  }
  return { rows, place: { sheet, rows: numbers, letters }, problems };
}

type SheetReader = AsyncIterable<ExcelJS.Row> & { readonly name: string };

/**
 * Reads a registry workbook (the template's layout: one sheet per table named as the table, a row
 * of column keys within rows 1–5, data below it), streaming: rows are read one at a time and never
 * more than the limits. Sheets of other names are ignored; a body that is no XLSX, inflates past
 * the limits or has none of the registry's sheets is `unreadable`. Never throws for any body.
 */
export async function readRegistryWorkbook(
  body: Buffer,
  timeZone: string,
  limits: ReadLimits = DEFAULT_READ_LIMITS,
): Promise<WorkbookRead> {
  const zip = workbookZip(body, { maxEntries: 1000, maxInflatedBytes: limits.maxInflatedBytes });
  if ('problem' in zip) return unreadable(zip.problem);
  const tables = sheetTables();
  const input: Record<string, RawRow[]> = {};
  const places: Record<string, SheetPlace> = {};
  const problems: SheetProblem[] = [];
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([zip.zip]), {
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    worksheets: 'emit',
    entries: 'ignore',
  });
  try {
    for await (const ws of reader as unknown as AsyncIterable<SheetReader>) {
      const name = String(ws.name ?? '');
      const table = tables.find((t) => t.name.toLowerCase() === name.trim().toLowerCase());
      if (table === undefined) continue;
      if (places[table.name] !== undefined) {
        problems.push(problemAt(name, 0, '', `a second sheet named ${table.name} (names are compared ignoring case)`));
        continue;
      }
      const sheet = await readSheet(ws, name, table, limits, timeZone);
      input[table.name] = sheet.rows;
      places[table.name] = sheet.place;
      problems.push(...sheet.problems);
    }
  } catch (error) {
    return unreadable(`not a readable XLSX workbook: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (Object.keys(places).length === 0)
    return unreadable(`no sheet named ${tables.map((t) => t.name).join(', ')}: start from the template`);
  return { input, places, problems, unreadable: false };
}
