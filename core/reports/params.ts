import type { Registry } from '../domain/registry.js';
import { formatScope, parseScope, type Scope, scopeExists } from '../domain/scope.js';
import { localParts, localToEpochMs } from '../domain/time.js';
import { AppError, badRequest } from '../errors.js';
import { REPORT_FORMATS, REPORT_LANGS, type ReportFormat, type ReportKind, type ReportLang } from './model.js';

/** A calendar range [fromMs, toMs) with its label. */
export interface PeriodRange {
  readonly period: string;
  readonly fromMs: number;
  readonly toMs: number;
}

/** The period a report covers, with the periods it is compared with. */
export interface ReportPeriod extends PeriodRange {
  readonly kind: ReportKind;
  /** The previous month (monthly reports only). */
  readonly previous?: PeriodRange;
  /** The same period one year earlier. */
  readonly lastYear: PeriodRange;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

function monthRange(year: number, month: number, timeZone: string): PeriodRange {
  const y = month < 1 ? year - 1 : year;
  const m = month < 1 ? month + 12 : month;
  return {
    period: `${y}-${pad2(m)}`,
    fromMs: localToEpochMs(timeZone, y, m),
    toMs: localToEpochMs(timeZone, y, m + 1),
  };
}

function yearRange(year: number, timeZone: string): PeriodRange {
  return {
    period: String(year),
    fromMs: localToEpochMs(timeZone, year, 1),
    toMs: localToEpochMs(timeZone, year + 1, 1),
  };
}

/**
 * Parses the period of a report: `YYYY-MM` for a monthly report (field `month`), `YYYY` for an annual
 * one (field `year`). Throws a 400 naming the field for a malformed, impossible or future period; the
 * current period is allowed (the report then says it is partial).
 */
export function parseReportPeriod(
  kind: ReportKind,
  text: string | undefined,
  timeZone: string,
  nowMs: number,
): ReportPeriod {
  const field = kind === 'monthly' ? 'month' : 'year';
  if (text === undefined || text === '') throw badRequest(field, 'required');
  let range: PeriodRange;
  let previous: PeriodRange | undefined;
  let lastYear: PeriodRange;
  if (kind === 'monthly') {
    const m = /^(\d{4})-(\d{2})$/.exec(text);
    if (m === null) throw badRequest(field, `expected YYYY-MM, got "${text}"`);
    const [year, month] = [Number(m[1]), Number(m[2])];
    if (month < 1 || month > 12) throw badRequest(field, `no month ${m[2]} in a year (01–12)`);
    range = monthRange(year, month, timeZone);
    previous = monthRange(year, month - 1, timeZone);
    lastYear = monthRange(year - 1, month, timeZone);
  } else {
    if (!/^\d{4}$/.test(text)) throw badRequest(field, `expected YYYY, got "${text}"`);
    range = yearRange(Number(text), timeZone);
    lastYear = yearRange(Number(text) - 1, timeZone);
  }
  if (range.fromMs < localToEpochMs(timeZone, 2000, 1)) throw badRequest(field, 'before 2000');
  if (range.fromMs > nowMs) throw badRequest(field, `${text} is in the future`);
  return { kind, ...range, lastYear, ...(previous === undefined ? {} : { previous }) };
}

/** The month before the one containing `nowMs`, as `YYYY-MM` (what the scheduled job reports on). */
export function previousMonth(nowMs: number, timeZone: string): string {
  const p = localParts(nowMs, timeZone);
  return monthRange(p.year, p.month - 1, timeZone).period;
}

/** The 12 months ending with the period's last month, for the trend. */
export function trendRange(period: ReportPeriod, timeZone: string): PeriodRange {
  const p = localParts(period.toMs - 1, timeZone);
  return {
    period: `${p.year}-${pad2(p.month)}`,
    fromMs: monthRange(p.year, p.month - 11, timeZone).fromMs,
    toMs: period.toMs,
  };
}

/** Parses a report scope (`city`, `district:ID`, `institution:ID`); 400 naming `scope` otherwise. */
export function parseReportScope(text: string | undefined, registry: Registry): Scope {
  const scope = parseScope(text ?? 'city');
  if (scope === undefined || (scope.level !== 'city' && scope.level !== 'district' && scope.level !== 'institution'))
    throw badRequest('scope', `expected city, district:ID or institution:ID, got "${text}"`);
  if (!scopeExists(scope, registry)) {
    throw new AppError('JN_SCOPE_UNKNOWN', 400, `scope: unknown ${formatScope(scope)}`, {
      details: [{ path: 'scope', message: `unknown ${formatScope(scope)}` }],
    });
  }
  return scope;
}

/** Parses an export format (default `json`); 400 naming `format` otherwise. */
export function parseReportFormat(text: string | undefined, fallback: ReportFormat = 'json'): ReportFormat {
  if (text === undefined || text === '') return fallback;
  if (!(REPORT_FORMATS as readonly string[]).includes(text))
    throw badRequest('format', `expected ${REPORT_FORMATS.join(', ')}, got "${text}"`);
  return text as ReportFormat;
}

/** Parses a label language (default `zh`); 400 naming `lang` otherwise. */
export function parseReportLang(text: string | undefined): ReportLang {
  if (text === undefined || text === '') return 'zh';
  if (!(REPORT_LANGS as readonly string[]).includes(text))
    throw badRequest('lang', `expected ${REPORT_LANGS.join(' or ')}, got "${text}"`);
  return text as ReportLang;
}
