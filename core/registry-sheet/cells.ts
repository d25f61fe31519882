/**
 * One spreadsheet cell to one registry field value, by column kind. Spreadsheets are typed by
 * hand: numbers arrive as text, ids as numbers, dates as date cells, values as formulas. Each is
 * read the way the user meant it, or becomes a problem message; nothing here throws.
 */
import type { CellValue } from 'exceljs';
import { formatLocalIso, localToEpochMs } from '../domain/time.js';
import type { Column } from './columns.js';

/** A cell read for a column: a value, a problem, or `undefined` for an empty cell. */
export type CellResult = { readonly value: unknown } | { readonly problem: string } | undefined;

type Plain = string | number | boolean | Date;

/** The value a cell shows: a formula's cached result, a rich text's text, a hyperlink's text. */
function plain(raw: CellValue): Plain | { problem: string } | undefined {
  if (raw === null || raw === undefined) return undefined;
  // A formula whose result is an error value is read as NaN.
  if (typeof raw === 'number' && !Number.isFinite(raw)) return { problem: 'the cell holds an error value' };
  if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean' || raw instanceof Date) return raw;
  if ('error' in raw) return { problem: `the cell holds the error ${raw.error}` };
  if ('richText' in raw) return raw.richText.map((r) => r.text).join('');
  if ('hyperlink' in raw) return typeof raw.text === 'string' ? raw.text : plain(raw.text as CellValue);
  if ('formula' in raw || 'sharedFormula' in raw) {
    // A formula's value is the result Excel cached when it saved the file; it is never evaluated here.
    if (raw.result === undefined || raw.result === null)
      return { problem: 'a formula without a computed value: save the file in Excel or paste values' };
    return plain(raw.result as CellValue);
  }
  return { problem: 'a cell of an unsupported type' };
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const GROUPED = /^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$/;

/** A number typed as text: full-width digits, spaces and thousands separators allowed. */
function numberOf(text: string): number | undefined {
  const t = text.normalize('NFKC').replace(/\s+/g, '');
  const bare = GROUPED.test(t) ? t.replaceAll(',', '') : t;
  if (!NUMBER.test(bare)) return undefined;
  const n = Number(bare);
  return Number.isFinite(n) ? n : undefined;
}

/** Days from Excel's day 0 (1899-12-30, in its 1900 date system) to 1970-01-01. */
const EXCEL_EPOCH_DAYS = 25_569;
const DAY_MS = 86_400_000;
const TRUE = new Set(['true', 'yes', 'y', '1', '是', '真']);
const FALSE = new Set(['false', 'no', 'n', '0', '否', '假']);
const LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/** An instant given as local wall-clock parts, as ISO 8601 with the zone's offset. */
function localIso(timeZone: string, parts: readonly number[]): string {
  const [y = 1970, mo = 1, d = 1, h = 0, mi = 0, s = 0] = parts;
  return formatLocalIso(localToEpochMs(timeZone, y, mo, d, h, mi) + s * 1000, timeZone);
}

/** A date-time cell: a date cell or a date without offset is local time of the platform's zone. */
function dateTimeOf(value: Plain, timeZone: string): CellResult {
  if (value instanceof Date) {
    // Excel stores wall-clock time without a zone; exceljs hands it over as that time in UTC.
    const d = value;
    return {
      value: localIso(timeZone, [
        d.getUTCFullYear(),
        d.getUTCMonth() + 1,
        d.getUTCDate(),
        d.getUTCHours(),
        d.getUTCMinutes(),
        d.getUTCSeconds(),
      ]),
    };
  }
  // A date cell whose format the reader did not see arrives as Excel's serial day number.
  if (typeof value === 'number') return dateTimeOf(new Date(Math.round((value - EXCEL_EPOCH_DAYS) * DAY_MS)), timeZone);
  if (typeof value !== 'string') return { problem: `${String(value)} is not a date-time` };
  const m = LOCAL.exec(value);
  if (m === null) return { value };
  const parts = m.slice(1).map((p) => Number(p ?? 0));
  const [y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0] = parts;
  const probe = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  if (probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== d || h > 23 || mi > 59 || s > 59)
    return { problem: `"${value}" is not a valid date-time` };
  return { value: localIso(timeZone, parts) };
}

/** Text of a number cell as a user would read it (an id typed as 1001). */
const numberText = (n: number) => String(n);

function textOf(value: Plain): CellResult {
  if (value instanceof Date)
    return { problem: 'a date where text is expected (Excel turned the text into a date: format the column as text)' };
  return { value: typeof value === 'number' ? numberText(value) : String(value) };
}

function byKind(value: Plain, column: Column, timeZone: string): CellResult {
  switch (column.kind) {
    case 'text':
      return textOf(value);
    case 'number':
    case 'integer': {
      if (typeof value === 'number') return { value };
      const n = typeof value === 'string' ? numberOf(value) : undefined;
      return n === undefined ? { problem: `${JSON.stringify(String(value))} is not a number` } : { value: n };
    }
    case 'boolean': {
      if (typeof value === 'boolean') return { value };
      const t = String(value).normalize('NFKC').trim().toLowerCase();
      if (TRUE.has(t)) return { value: true };
      if (FALSE.has(t)) return { value: false };
      return { problem: `${JSON.stringify(String(value))} is not true or false` };
    }
    case 'enum': {
      const text = textOf(value);
      if (text === undefined || !('value' in text)) return text;
      const t = String(text.value).normalize('NFKC').trim();
      const found =
        column.options?.find((o) => o === t) ?? column.options?.find((o) => o.toLowerCase() === t.toLowerCase());
      return { value: found ?? t };
    }
    case 'datetime':
      return dateTimeOf(value, timeZone);
    case 'list': {
      const text = textOf(value);
      if (text === undefined || !('value' in text)) return text;
      return {
        value: String(text.value)
          .split(/[,，;；\s]+/)
          .filter((s) => s !== ''),
      };
    }
    case 'json': {
      if (typeof value !== 'string') return { value };
      try {
        return { value: JSON.parse(value) };
      } catch {
        return { problem: 'not valid JSON' };
      }
    }
  }
}

/**
 * Reads a cell for a column: whitespace trimmed, an empty cell `undefined`, a number typed as
 * text read as a number, an id typed as a number read as text, a date cell in a date-time column
 * read as local time of `timeZone`, a formula by its cached result, an error value a problem.
 */
export function readCell(raw: CellValue, column: Column, timeZone: string): CellResult {
  const value = plain(raw);
  if (value === undefined) return undefined;
  if (typeof value === 'object' && !(value instanceof Date)) return value;
  const trimmed = typeof value === 'string' ? value.trim() : value;
  if (trimmed === '') return undefined;
  return byKind(trimmed, column, timeZone);
}

/** A field value as a cell: numbers stay numbers, lists become comma-separated text. */
export function writeCell(value: unknown, column: Column): Plain | null {
  if (value === undefined || value === null) return null;
  if (column.kind === 'list' && Array.isArray(value)) return value.length === 0 ? null : value.join(',');
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return JSON.stringify(value);
}
