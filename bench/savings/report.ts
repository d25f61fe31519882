/**
 * The savings bench's report: the out-of-sample table (2017 model, 2018 months, beside the naive
 * predictor), the planted-saving table and the timings, printed and written to
 * bench/results/savings.md and savings.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import type { Savings } from '../../core/mv/savings.js';
import type { Evaluation, PlantedResult } from './evaluate.js';

/** One meter's rows: a model's evaluation and its planted-saving result. */
export interface MeterRow {
  readonly building: string;
  readonly energy: string;
  readonly evaluation: Evaluation;
  readonly planted: PlantedResult;
}

/** The timing figures, ms. */
export interface Timings {
  readonly meter: string;
  readonly readMs: number;
  readonly parseMs: number;
  /** Files read and parsed (meter-years and weather years). */
  readonly files: number;
  readonly fitDailyMs: number;
  readonly fitHourlyMs: number;
  readonly repeats: number;
}

const pct = (x: number) => {
  if (!Number.isFinite(x)) return 'n/a';
  const text = (100 * Math.abs(x)).toFixed(1);
  return `${x < 0 && Number(text) !== 0 ? '−' : ''}${text} %`;
};
const pp = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? '+' : '−'}${Math.abs(100 * x).toFixed(1)} pp` : 'n/a');
const band = (s: Savings) =>
  `${pct(s.savingsShare)} ± ${Number.isFinite(s.uncertaintyShare) ? pct(s.uncertaintyShare) : 'n/a (n′ ≤ p)'}`;

/** The out-of-sample table. */
export function outOfSampleTable(rows: readonly MeterRow[]): string {
  return [
    '| building | energy | model | form | in-sample n | R² | CV(RMSE) | NMBE | ρ | verdict | 2018 monthly CV(RMSE) | NMBE | naive CV(RMSE) | naive NMBE | beats naive |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      ({ building, energy, evaluation: e }) =>
        `| ${[
          building,
          energy,
          e.model,
          e.form,
          e.inSample.n,
          e.inSample.r2.toFixed(2),
          pct(e.inSample.cvRmse),
          pct(e.inSample.nmbe),
          e.lag1Autocorrelation.toFixed(2),
          e.acceptable ? 'pass' : '**fail**',
          `**${pct(e.outOfSample.cvRmse)}**`,
          pct(e.outOfSample.nmbe),
          pct(e.naive.cvRmse),
          pct(e.naive.nmbe),
          e.outOfSample.cvRmse < e.naive.cvRmse ? 'yes' : '**no**',
        ].join(' | ')} |`,
    ),
  ].join('\n');
}

/** The planted-saving table. */
export function plantedTable(rows: readonly MeterRow[]): string {
  return [
    '| building | energy | model | nothing planted: savings ± U90 | within U90 | true share | recovered ± U90 | error |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map(({ building, energy, evaluation, planted: p }) => {
      const within = Number.isFinite(p.unplanted.uncertaintyKwh) ? (p.unplanted.significant ? '**no**' : 'yes') : 'n/a';
      return `| ${building} | ${energy} | ${evaluation.model} | ${band(p.unplanted)} | ${within} | ${pct(p.trueShare)} | ${band(p.planted)} | ${pp(p.planted.savingsShare - p.trueShare)} |`;
    }),
  ].join('\n');
}

/** The timing lines. */
export function timingTable(t: Timings): string {
  return [
    '| step | ms |',
    '|---|---|',
    `| read ${t.files} CSV files | ${t.readMs.toFixed(0)} |`,
    `| parse and align them (all meters, both years) | ${t.parseMs.toFixed(0)} |`,
    `| fit the daily model, ${t.meter} 2017 (median of ${t.repeats}) | ${t.fitDailyMs.toFixed(0)} |`,
    `| fit the hourly model, ${t.meter} 2017 (median of ${t.repeats}) | ${t.fitHourlyMs.toFixed(0)} |`,
  ].join('\n');
}

/** Writes the JSON and Markdown reports; returns the Markdown. */
export async function writeReport(
  options: Record<string, unknown>,
  rows: readonly MeterRow[],
  timings: Timings,
  notes: string,
): Promise<string> {
  const when = new Date().toISOString();
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, Node ${process.version}, load ${os.loadavg()[0]?.toFixed(2)}`;
  const md = [
    '# Savings you can prove: baseline models on real data',
    '',
    `Run ${when} on ${machine}. Options: \`${JSON.stringify(options)}\`.`,
    '',
    '## Fit on 2017, predict 2018 (monthly totals, out of sample)',
    '',
    outOfSampleTable(rows),
    '',
    `## A ${pct(Number(options.plantShare))} saving planted from ${String(options.plantFrom)}`,
    '',
    plantedTable(rows),
    '',
    '## Speed',
    '',
    timingTable(timings),
    '',
    notes,
  ].join('\n');
  const json = rows.map(({ building, energy, evaluation: e, planted }) => ({
    building,
    energy,
    model: e.model,
    form: e.form,
    inSample: e.inSample,
    verdict: e.fitted.baseline.verdict,
    lag1Autocorrelation: e.lag1Autocorrelation,
    outOfSample: e.outOfSample,
    naive: e.naive,
    months: e.months,
    planted,
  }));
  const dir = join(import.meta.dirname, '..', 'results');
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'savings.json'),
    `${JSON.stringify({ when, machine, options, rows: json, timings }, null, 2)}\n`,
  );
  await writeFile(join(dir, 'savings.md'), `${md}\n`);
  return md;
}
