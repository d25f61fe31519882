import { reportCsv } from './csv.js';
import { type ReportFormat, type ReportLang, type ReportModel, reportFileName } from './model.js';
import { type PdfOptions, reportPdf } from './pdf.js';
import { reportXlsx } from './xlsx.js';

/** A rendered export: its bytes, content type and download file name. */
export interface RenderedReport {
  readonly body: Buffer;
  readonly contentType: string;
  readonly fileName: string;
}

/** Content types of the export formats. */
export const CONTENT_TYPES: Readonly<Record<ReportFormat, string>> = Object.freeze({
  json: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
});

/** Renders a report model in a format and language. */
export async function renderReport(
  model: ReportModel,
  format: ReportFormat,
  lang: ReportLang,
  options: PdfOptions = {},
): Promise<RenderedReport> {
  const body =
    format === 'json'
      ? Buffer.from(JSON.stringify(model, null, 2), 'utf8')
      : format === 'csv'
        ? reportCsv(model, lang)
        : format === 'xlsx'
          ? await reportXlsx(model, lang)
          : await reportPdf(model, lang, options);
  return { body, contentType: CONTENT_TYPES[format], fileName: reportFileName(model.period, model.scope, format) };
}
