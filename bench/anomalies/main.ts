/**
 * Scores every anomaly detector against a simulated city with labelled anomalies:
 * `npm run bench:anomalies -- --help`. Registers are simulated at every reading interval, turned
 * into hourly consumption by core's counter rules (`deriveHourly`), summed per institution, and
 * every detector runs on the result; events are matched to the scenario's labels (score.ts).
 */
import { Command } from 'commander';
import { type SeedReport, seedTable, writeReport } from './report.js';
import { type DetectorOverrides, runDetectors } from './run-detectors.js';
import { score, scoreOverTargetOutcome } from './score.js';
import { simulate } from './simulate.js';

const NOTES = `Definitions. An event is a true positive when it overlaps a label of its type on its scope (a
meter's event also matches a label of its institution); precision = TP events / events, recall =
labels found / labels. Label kinds map to types: after-hours→after_hours, spike→spike, stuck→flat,
leak→leak, step→step, month-over-target→over_target. "Lenient" precision excuses false positives
that overlap a label of another kind on the same scope, on the meter's institution, or for an
institution's event on one of its meters (e.g. a water step read as a leak: both are a new constant
night flow); for institution events this is generous, since most institution-months hold some
labelled anomaly. over_target is also scored against the outcome: the institution, energy and month
truly end above the target (model month × target factor), whatever the cause, since after-hours
waste, steps and leaks push months over target as well. continuous, offline and implausible have no
labels in these scenarios (faultRate 0): their events are listed, not scored. Anomalies are planned
only after the warm-up, so that every detector has history; the step detector runs once at the end
of the data, the month target at days 7, 14, 21, 28 and the month's (or data's) end, the others over
the whole series.`;

const program = new Command()
  .name('npm run bench:anomalies --')
  .description(
    'Scores the anomaly detectors on a simulated city with labelled anomalies; writes bench/results/anomalies.{json,md}',
  )
  .option('--seed <list>', 'comma-separated seeds; the first is the one thresholds were tuned on', '1,2')
  .option('--institutions <n>', 'institutions in the simulated city (about 10 meters each)', '80')
  .option('--days <n>', 'days of data, warm-up included', '60')
  .option('--warmup-days <n>', 'days of clean history before anomalies are planned', '21')
  .option('--anomaly-rate <x>', 'anomalies per 30 days per meter and per institution (planScenario anomalyRate)', '0.5')
  .option(
    '--label-from <date>',
    'first local day (YYYY-MM-DD) anomalies may start; data starts warm-up days earlier',
    '2026-11-01',
  )
  .option('--target-factor <x>', 'month target = anomaly-free model month total × this', '1.1')
  .option('--options <json>', 'detector option overrides, e.g. {"spike":{"k":5}}', '{}')
  .parse();

const raw = program.opts<Record<string, string>>();
const num = (name: string, integer = false) => {
  const x = Number(raw[name]);
  if (!Number.isFinite(x) || x < 0 || (integer && !Number.isInteger(x)))
    program.error(`--${name} must be a number ≥ 0`);
  return x;
};
const seeds = String(raw.seed)
  .split(',')
  .map((s) => Number(s.trim()));
if (seeds.some((s) => !Number.isInteger(s))) program.error('--seed must be integers, e.g. 1,2');
function parseOverrides(): DetectorOverrides {
  try {
    return JSON.parse(String(raw.options)) as DetectorOverrides;
  } catch {
    return program.error('--options must be JSON');
  }
}
const overrides = parseOverrides();
const options = {
  institutions: num('institutions', true),
  days: num('days', true),
  warmupDays: num('warmupDays', true),
  anomalyRate: num('anomalyRate'),
  labelFrom: String(raw.labelFrom),
  targetFactor: num('targetFactor'),
  timeZone: 'Asia/Shanghai',
};

const reports: SeedReport[] = [];
for (const [i, seed] of seeds.entries()) {
  const started = performance.now();
  process.stderr.write(
    `[bench:anomalies] seed ${seed}: simulating ${options.institutions} institutions, ${options.days} days\n`,
  );
  const data = simulate({ ...options, seed });
  const events = runDetectors(data, overrides);
  const report: SeedReport = {
    seed,
    role: i === 0 ? 'tuned' : 'held-out',
    seconds: (performance.now() - started) / 1000,
    meters: data.fleet.registry.meters.length,
    institutions: data.fleet.registry.institutions.length,
    scores: score(events, data.scenario.labels, data.institutionOf),
    overTargetOutcome: scoreOverTargetOutcome(events, data.targets, data.actualTotals),
    insufficientHistory: events.filter((e) => e.evidence.note === 'insufficient history').length,
  };
  reports.push(report);
  console.log(`\n${seedTable(report)}`);
}
await writeReport({ ...options, seeds, overrides }, reports, NOTES);
console.log('\nwritten: bench/results/anomalies.json, bench/results/anomalies.md');
