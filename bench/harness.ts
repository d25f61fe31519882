import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';

/** One benchmark figure, beside the baseline measured in the same run. */
export interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline?: { readonly name: string; readonly value: number };
  /** value / baseline (or baseline / value for latencies, so that higher is better). */
  readonly ratio?: number;
  readonly target?: string;
  readonly met?: boolean;
  readonly note?: string;
}

const startedMs = performance.now();
const startLoad = os.loadavg()[0] ?? Number.NaN;

/** One progress line on stderr, with the seconds since the bench started. */
export function progress(message: string): void {
  process.stderr.write(`[bench ${((performance.now() - startedMs) / 1000).toFixed(1).padStart(6)} s] ${message}\n`);
}

/** Percentile of a sample (nearest rank). */
export function percentile(sample: readonly number[], p: number): number {
  const sorted = [...sample].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/** The machine a run happened on, for the results table. */
export function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()}`;
}

const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toPrecision(3));

/** Writes the figures as JSON and a Markdown table under bench/results/, and prints the table. */
export async function report(figures: readonly Figure[], mode: string): Promise<string> {
  const when = new Date().toISOString();
  const load = `load average (1 min) ${startLoad.toFixed(2)} at start, ${os.loadavg()[0]?.toFixed(2)} at end`;
  const lines = [
    `Benchmarks (${mode}) on ${machine()}, ${when}; ${load}`,
    '',
    '| figure | value | baseline (same run) | ratio | target | met |',
    '|---|---|---|---|---|---|',
    ...figures.map(
      (f) =>
        `| ${f.name} | ${fmt(f.value)} ${f.unit} | ${f.baseline ? `${f.baseline.name}: ${fmt(f.baseline.value)} ${f.unit}` : '—'} | ${f.ratio === undefined ? '—' : f.ratio.toFixed(2)} | ${f.target ?? '—'} | ${f.met === undefined ? '—' : f.met ? 'yes' : '**no**'} |`,
    ),
    '',
    ...figures.filter((f) => f.note).map((f) => `- ${f.name}: ${f.note}`),
  ];
  const table = lines.join('\n');
  const dir = join(import.meta.dirname, 'results');
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, `latest-${mode}.json`),
    `${JSON.stringify({ mode, when, machine: machine(), load, figures }, null, 2)}\n`,
  );
  await writeFile(join(dir, `latest-${mode}.md`), `${table}\n`);
  console.log(`\n${table}`);
  return table;
}
