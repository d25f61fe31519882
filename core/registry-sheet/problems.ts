/**
 * Problems of a registry workbook, placed where a user fixes them: the sheet, the spreadsheet's
 * 1-based row number and the column key of the key header row (issue 15, item 6).
 */
import { sheetTables } from './columns.js';

/** One problem of an import. */
export interface SheetProblem {
  /** Excel reference of the place: `meters!E7` (a cell), `meters!7:7` (a row), `meters` (a sheet), `body`. */
  readonly path: string;
  /** The sheet's name as in the workbook; '' for the workbook as a whole. */
  readonly sheet: string;
  /** The spreadsheet's 1-based row number; 0 for a whole sheet or the workbook. */
  readonly row: number;
  /** The column's key (the English header, e.g. `floorAreaM2`); '' for a whole row, sheet or workbook. */
  readonly column: string;
  readonly message: string;
}

/** Where the rows of one table were read: the sheet, each row's number, each column's letter. */
export interface SheetPlace {
  readonly sheet: string;
  /** Spreadsheet row number of each submitted row, in submission order. */
  readonly rows: readonly number[];
  /** Column letter of each column key found in the sheet. */
  readonly letters: ReadonlyMap<string, string>;
}

/** Where each table's rows came from, by table name. */
export type SheetPlaces = Readonly<Record<string, SheetPlace>>;

/** Most problems listed in one answer; a last entry says how many more there were. */
export const MAX_LISTED_PROBLEMS = 1000;

const quoted = (sheet: string) =>
  /^[A-Za-z_][A-Za-z0-9_.]*$/.test(sheet) ? sheet : `'${sheet.replaceAll("'", "''")}'`;

/** A problem of the body as a whole (not a workbook, too large). */
export function bodyProblem(message: string): SheetProblem {
  return { path: 'body', sheet: '', row: 0, column: '', message };
}

/** A problem at a cell (with a column), a row (column '') or a sheet (row 0). */
export function problemAt(sheet: string, row: number, column: string, message: string, letter?: string): SheetProblem {
  const ref = row === 0 ? '' : column !== '' && letter !== undefined ? `!${letter}${row}` : `!${row}:${row}`;
  return { path: `${quoted(sheet)}${ref}`, sheet, row, column, message };
}

/** The column key a field path (`['virtual', 'plus', 2]`) falls in: its longest column prefix. */
function columnOf(table: string, fields: readonly (string | number)[]): string {
  const keys =
    sheetTables()
      .find((t) => t.name === table)
      ?.columns.map((c) => c.key) ?? [];
  const names = fields.filter((f): f is string => typeof f === 'string');
  for (let n = names.length; n > 0; n--) {
    const key = names.slice(0, n).join('.');
    if (keys.includes(key)) return key;
  }
  if (names.length === 0) return '';
  return keys.find((k) => k.startsWith(`${names[0]}.`)) ?? names.join('.');
}

/** Places a problem given by a registry path (`['meters', 3, 'unit']`) in its sheet, row and column. */
export function locate(places: SheetPlaces, path: readonly PropertyKey[], message: string): SheetProblem {
  const [table, index, ...fields] = path;
  const place = typeof table === 'string' ? places[table] : undefined;
  if (place === undefined || typeof index !== 'number') return bodyProblem(`${path.map(String).join('.')}: ${message}`);
  const column = columnOf(
    table as string,
    fields.filter((f) => typeof f !== 'symbol'),
  );
  return problemAt(place.sheet, place.rows[index] ?? 0, column, message, place.letters.get(column));
}

/**
 * Places a problem reported by the registry service, whose path reads `meters[3].unit`,
 * `meters.3.unit` or `meters(m-1).parentId` (a row named by id).
 */
export function locateDetail(
  places: SheetPlaces,
  input: Readonly<Record<string, readonly Record<string, unknown>[]>>,
  detail: { readonly path: string; readonly message: string },
): SheetProblem {
  const byId = /^(\w+)\(([^)]*)\)\.?(.*)$/.exec(detail.path);
  const tokens: (string | number)[] = byId
    ? [
        byId[1] as string,
        (input[byId[1] as string] ?? []).findIndex((r) => r.id === byId[2]),
        ...(byId[3] ?? '').split(/[.[\]]+/),
      ]
    : detail.path.split(/[.[\]]+/);
  const path = tokens.filter((t) => t !== '').map((t) => (typeof t === 'string' && /^\d+$/.test(t) ? Number(t) : t));
  return locate(places, path, detail.message);
}

/**
 * The problems to answer, from checks run one after the other (cells, schemas, references): a
 * cell reported by an earlier check is not reported again by a later one (a cell that is not a
 * number is not also "expected number"), while one check may report several problems of a cell
 * (two unknown ids in a list). None for a column whose absence is already a problem; at most
 * MAX_LISTED_PROBLEMS and a last entry counting the rest.
 */
export function listProblems(...checks: readonly (readonly SheetProblem[])[]): SheetProblem[] {
  const all = checks.flat();
  const missingColumns = new Set(
    all.filter((p) => p.row === 0 && p.column !== '').map((p) => `${p.sheet}|${p.column}`),
  );
  const earlier = new Set<string>();
  const listed = new Set<string>();
  const out: SheetProblem[] = [];
  for (const check of checks) {
    const cells = new Set<string>();
    for (const p of check) {
      const cell = `${p.sheet}|${p.row}|${p.column}`;
      const key = `${cell}|${p.message}`;
      if (earlier.has(cell) || listed.has(key)) continue;
      if (p.row > 0 && missingColumns.has(`${p.sheet}|${p.column}`)) continue;
      cells.add(cell);
      listed.add(key);
      out.push(p);
    }
    for (const cell of cells) earlier.add(cell);
  }
  if (out.length <= MAX_LISTED_PROBLEMS) return out;
  const rest = out.length - MAX_LISTED_PROBLEMS;
  return [...out.slice(0, MAX_LISTED_PROBLEMS), bodyProblem(`${rest} more problem(s) not listed`)];
}
