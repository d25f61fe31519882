import { badRequest } from '../errors.js';
import { scopeSlug } from '../reports/model.js';
import type { PdfOptions } from '../reports/pdf.js';
import { CONTENT_TYPES, type RenderedReport } from '../reports/render.js';
import type { StatisticsLayout } from './forms.js';
import type { StatisticsModel } from './model.js';
import { statisticsPdf } from './pdf.js';
import { statisticsXlsx } from './xlsx.js';

/** Formats the statistics are exported in (Chinese only: the forms are). */
export const STATISTICS_FORMATS = ['json', 'xlsx', 'pdf'] as const;
/** A statistics export format. */
export type StatisticsFormat = (typeof STATISTICS_FORMATS)[number];

/** Parses a statistics format (default `json`); 400 naming `format` otherwise. */
export function parseStatisticsFormat(text: string | undefined): StatisticsFormat {
  if (text === undefined || text === '') return 'json';
  if (!(STATISTICS_FORMATS as readonly string[]).includes(text))
    throw badRequest('format', `expected ${STATISTICS_FORMATS.join(', ')}, got "${text}"`);
  return text as StatisticsFormat;
}

/** Renders the statistics as XLSX or PDF, named `jieneng-statistics-<year>-<scope>.<ext>`. */
export async function renderStatistics(
  model: StatisticsModel,
  format: Exclude<StatisticsFormat, 'json'>,
  layout: StatisticsLayout,
  options: PdfOptions = {},
): Promise<RenderedReport> {
  const body = format === 'xlsx' ? await statisticsXlsx(model, layout) : await statisticsPdf(model, layout, options);
  return {
    body,
    contentType: CONTENT_TYPES[format],
    fileName: `jieneng-statistics-${model.year}-${scopeSlug(model.scope)}.${format}`,
  };
}
