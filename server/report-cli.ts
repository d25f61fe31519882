/**
 * `npm run report -- --month 2026-10 --scope city --format xlsx --out file`: a monthly or annual
 * report, either downloaded through a running platform's API (`--api URL --token T`) or generated
 * from the store in DATA_DIR directly (only while the platform is stopped: the embedded DuckDB file
 * is locked by the process that has it open). Progress goes to stderr.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import pino from 'pino';
import { type Config, ConfigError, loadConfig } from '../core/config.js';
import { DEFAULT_COEFFICIENT_TABLE } from '../core/domain/energy.js';
import { AppError } from '../core/errors.js';
import { createMetrics } from '../core/metrics.js';
import { reportFor } from '../core/reports/generate.js';
import { type ReportFormat, type ReportKind, type ReportLang, reportFileName } from '../core/reports/model.js';
import { parseReportFormat, parseReportLang } from '../core/reports/params.js';
import { renderReport } from '../core/reports/render.js';
import { createStore } from '../core/storage/create-store.js';

interface Options {
  month?: string;
  year?: string;
  scope: string;
  format: string;
  lang: string;
  out?: string;
  api?: string;
  token?: string;
}

/** A failure to print as one line and exit 1 with. */
class CliError extends Error {}

const progress = (message: string) => process.stderr.write(`report: ${message}\n`);

async function viaApi(
  o: Options,
  req: { kind: ReportKind; period: string; format: ReportFormat; lang: ReportLang },
): Promise<Buffer> {
  if (o.token === undefined) throw new CliError('--api needs --token (an API token of the platform)');
  const q = new URLSearchParams({
    [req.kind === 'monthly' ? 'month' : 'year']: req.period,
    scope: o.scope,
    format: req.format,
    lang: req.lang,
  });
  const url = `${(o.api ?? '').replace(/\/+$/, '')}/api/v1/reports/${req.kind}?${q}`;
  progress(`downloading ${url}`);
  let res: Response;
  try {
    res = await fetch(url, { headers: { authorization: `Bearer ${o.token}` } });
  } catch (error) {
    throw new CliError(`cannot reach ${o.api}: ${(error as Error).message}`);
  }
  const body = Buffer.from(await res.arrayBuffer());
  if (!res.ok) {
    let message = body.toString('utf8');
    try {
      message = (JSON.parse(message) as { message?: string }).message ?? message;
    } catch {
      // not JSON: print as is
    }
    throw new CliError(`${res.status}: ${message}`);
  }
  return body;
}

async function direct(
  o: Options,
  req: { kind: ReportKind; period: string; format: ReportFormat; lang: ReportLang },
): Promise<Buffer> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    throw error instanceof ConfigError ? new CliError(error.message) : error;
  }
  if (config.STORE === 'embedded' && !existsSync(join(config.DATA_DIR, 'jieneng.duckdb')))
    throw new CliError(`no store in DATA_DIR (${config.DATA_DIR}): set DATA_DIR, or use --api URL --token T`);
  progress(`opening the store in ${config.DATA_DIR}`);
  let store: Awaited<ReturnType<typeof createStore>>;
  try {
    store = await createStore(config, { logger: pino({ level: 'silent' }), metrics: createMetrics() });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/lock/i.test(message))
      throw new CliError(`the store in ${config.DATA_DIR} is in use: stop the platform or use --api URL --token T`);
    throw error;
  }
  try {
    const registry = await store.loadRegistry();
    progress(`generating the ${req.kind} report ${req.period} of ${o.scope}`);
    const source = {
      store,
      registry: () => registry,
      timeZone: config.TIMEZONE,
      coefficients: DEFAULT_COEFFICIENT_TABLE,
      now: Date.now,
    };
    const model = await reportFor(source, { kind: req.kind, period: req.period, scope: o.scope });
    progress(`rendering ${req.format} (${req.lang})`);
    return (await renderReport(model, req.format, req.lang)).body;
  } finally {
    await store.close();
  }
}

async function main(argv: readonly string[]): Promise<void> {
  const program = new Command()
    .name('npm run report --')
    .description(
      'A monthly or annual energy report (json, csv, xlsx, pdf) of the city, a district or an institution. ' +
        'By default it reads the store in DATA_DIR (the platform must be stopped); with --api it downloads ' +
        'the report from a running platform.',
    )
    .option('--month <YYYY-MM>', 'a monthly report')
    .option('--year <YYYY>', 'an annual report')
    .option('--scope <scope>', 'city, district:ID or institution:ID', 'city')
    .option('--format <format>', 'json, csv, xlsx or pdf', 'xlsx')
    .option('--lang <lang>', 'labels: zh or en', 'zh')
    .option('--out <file>', 'output file [jieneng-<period>-<scope>.<format>]')
    .option('--api <url>', 'a running platform, e.g. http://localhost:8080')
    .option('--token <token>', 'API token (with --api)')
    .showHelpAfterError();
  program.parse([...argv], { from: 'user' });
  const o = program.opts<Options>();
  if ((o.month === undefined) === (o.year === undefined)) {
    program.error('give either --month YYYY-MM or --year YYYY', { exitCode: 2 });
  }
  const kind: ReportKind = o.month === undefined ? 'annual' : 'monthly';
  const period = o.month ?? o.year ?? '';
  const req = { kind, period, format: parseReportFormat(o.format, 'xlsx'), lang: parseReportLang(o.lang) };
  const body = o.api === undefined ? await direct(o, req) : await viaApi(o, req);
  const out = o.out ?? reportFileName(period, o.scope, req.format);
  await writeFile(out, body);
  progress(`wrote ${out} (${body.length} bytes)`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof CliError || error instanceof AppError) {
    process.stderr.write(`report: ${error.message}\n`);
  } else {
    process.stderr.write(`report: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exitCode = 1;
});
