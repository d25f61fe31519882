/**
 * The anomaly bench's report: a table per seed of precision, recall and F1 per anomaly type,
 * printed and written to bench/results/anomalies.json and anomalies.md.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import type { TypeScore } from './score.js';

/** The scores of one seed. */
export interface SeedReport {
  readonly seed: number;
  /** `tuned` for the seed the thresholds were set on, `held-out` otherwise. */
  readonly role: string;
  readonly seconds: number;
  readonly meters: number;
  readonly institutions: number;
  readonly scores: readonly TypeScore[];
  /** The month target scored against the true month totals rather than the labels. */
  readonly overTargetOutcome: TypeScore;
  /** Candidates whose evidence notes "insufficient history". */
  readonly insufficientHistory: number;
}

const f2 = (x: number | null) => (x === null ? '—' : x.toFixed(2));

/** Precision if false positives that coincide with another kind's label on the same scope were excused. */
export function lenient(s: TypeScore): { precision: number | null; f1: number | null } {
  const explained = Object.entries(s.explainedBy).reduce((n, [k, v]) => n + (k === 'none' ? 0 : v), 0);
  const counted = s.events - explained;
  const precision = counted === 0 ? null : s.truePositives / counted;
  const f1 =
    precision === null || s.recall === null || precision + s.recall === 0
      ? null
      : (2 * precision * s.recall) / (precision + s.recall);
  return { precision, f1 };
}

function row(s: TypeScore, name: string = s.type): string {
  const l = lenient(s);
  const other = Object.entries(s.explainedBy)
    .filter(([k]) => k !== 'none')
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const scored = s.labels > 0;
  return `| ${name} | ${s.labels} | ${s.events} | ${s.truePositives} | ${s.found} | ${f2(s.precision)} | ${f2(s.recall)} | ${scored ? `**${f2(s.f1)}**` : '—'} | ${other || '—'} | ${scored ? f2(l.precision) : '—'} | ${scored ? f2(l.f1) : '—'} |`;
}

/** The Markdown table of one seed. */
export function seedTable(r: SeedReport): string {
  return [
    `### Seed ${r.seed} (${r.role}): ${r.institutions} institutions, ${r.meters} meters, ${r.seconds.toFixed(1)} s`,
    '',
    '| type | labels | events | TP events | labels found | precision | recall | F1 | FPs on another kind’s label | lenient P | lenient F1 |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...r.scores.map((s) => row(s)),
    row(r.overTargetOutcome, 'over_target (vs true month totals)'),
    '',
    `Candidates noting "insufficient history": ${r.insufficientHistory}.`,
  ].join('\n');
}

/** Writes the JSON and Markdown reports and returns the Markdown. */
export async function writeReport(
  options: Record<string, unknown>,
  seeds: readonly SeedReport[],
  notes: string,
): Promise<string> {
  const when = new Date().toISOString();
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, Node ${process.version}`;
  const md = [
    '# Anomaly detection scores',
    '',
    `Run ${when} on ${machine}. Options: \`${JSON.stringify(options)}\`.`,
    '',
    ...seeds.flatMap((s) => [seedTable(s), '']),
    notes,
  ].join('\n');
  const dir = join(import.meta.dirname, '..', 'results');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'anomalies.json'), `${JSON.stringify({ when, machine, options, seeds }, null, 2)}\n`);
  await writeFile(join(dir, 'anomalies.md'), `${md}\n`);
  return md;
}
