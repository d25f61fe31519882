/**
 * Baseline models on the shared real data (issue 18): `npm run bench:savings -- --help`. For each
 * building and energy, the CalTRACK daily model and the hourly TOWT model are fitted on 2017 and
 * predict 2018 under 2018's weather; the monthly totals are compared with what was used, beside a
 * naive predictor (the same month of 2017, no weather). Then a saving is planted into 2018 and
 * measured; and fitting one meter-year is timed beside reading and parsing the data.
 */
import { Command } from 'commander';
import { BUILDINGS, DEFAULT_DATA_DIR, ENERGIES, parseRaw, readRaw } from './data.js';
import { evaluate, fitModel, type ModelKind, plantedRecovery } from './evaluate.js';
import { type MeterRow, outOfSampleTable, plantedTable, timingTable, writeReport } from './report.js';

const NOTES = `Definitions. In-sample: the model's fit to its 2017 days or hours, CV(RMSE) and NMBE with n − p
degrees of freedom (ASHRAE Guideline 14), ρ the lag-1 autocorrelation of the residuals; verdict: ASHRAE
14 hourly limits (CV(RMSE) ≤ 30 %, |NMBE| ≤ 10 %) for the hourly model, CalTRACK's CV(RMSE) ≤ 100 % (and
|NMBE| ≤ 10 %) for the daily one, since the Guideline sets none for daily data. Out of sample: 2018 monthly
totals over the days (daily model) or hours (hourly model) where use and temperature are both known,
model vs actual, p = 0. Naive: 2017's mean use per known day or hour of the same month, times the days
or hours compared. Gaps: a missing temperature or reading is left out; in a meter that is normally
non-zero (≤ 1 % zero hours in 2017) a run of ≥ 23 zero hours is a gap (data README). Days and months are
UTC; the hourly model's hour of the week is on the Europe/London clock. Planted saving: 2018 use cut by
the share from the date on; true share = planted kWh / 2018 use over the steps compared; recovered =
(adjusted baseline − actual) / adjusted baseline; U90 = ASHRAE 14 savings uncertainty at 90 % with the
lag-1 autocorrelation correction, as a share of the adjusted baseline; "n/a (n′ ≤ p)": the residuals are
so autocorrelated that the effective observations do not exceed the model's parameters.`;

const program = new Command()
  .name('npm run bench:savings --')
  .description(
    'Fits the CalTRACK daily and hourly (TOWT) baselines on 2017 of the shared Cambridge data, predicts 2018, ' +
      'compares monthly totals with a naive predictor, measures a planted saving; writes bench/results/savings.{json,md}',
  )
  .option('--data-dir <dir>', 'folder holding cambridge-mv/ and cambridge-weather/', DEFAULT_DATA_DIR)
  .option('--plant-from <date>', 'first day (UTC, YYYY-MM-DD) of the planted saving in 2018', '2018-04-01')
  .option('--plant-share <x>', 'share of use removed from that day on', '0.1')
  .option('--timing-meter <name>', 'meter whose 2017 fit is timed, building_energy', 'b27_electricity')
  .option('--repeats <n>', 'fits timed (the median is reported)', '5')
  .parse();

const raw = program.opts<Record<string, string>>();
const plantFromMs = Date.parse(`${raw.plantFrom}T00:00:00Z`);
if (!Number.isFinite(plantFromMs) || !String(raw.plantFrom).startsWith('2018-'))
  program.error('--plant-from must be a day of 2018, YYYY-MM-DD');
const plantShare = Number(raw.plantShare);
if (!(plantShare > 0 && plantShare < 1)) program.error('--plant-share must be between 0 and 1');
const repeats = Number(raw.repeats);
if (!Number.isInteger(repeats) || repeats < 1) program.error('--repeats must be a whole number ≥ 1');
const [timingBuilding, timingEnergy] = String(raw.timingMeter).split('_');
if (
  !BUILDINGS.includes(timingBuilding as (typeof BUILDINGS)[number]) ||
  !ENERGIES.includes(timingEnergy as (typeof ENERGIES)[number])
)
  program.error(`--timing-meter must be building_energy, e.g. b27_electricity (${BUILDINGS.join(', ')})`);

const progress = (m: string) => process.stderr.write(`[bench:savings] ${m}\n`);

let started = performance.now();
const rawData = await readRaw(String(raw.dataDir));
const readMs = performance.now() - started;
started = performance.now();
const meters = parseRaw(rawData);
const parseMs = performance.now() - started;
progress(
  `read ${rawData.meters.size + rawData.weather.size} files in ${readMs.toFixed(0)} ms, parsed in ${parseMs.toFixed(0)} ms`,
);

const rows: MeterRow[] = [];
for (const meter of meters) {
  for (const kind of ['daily', 'hourly'] as const) {
    const evaluation = evaluate(kind, meter);
    const planted = plantedRecovery(kind, meter, evaluation.fitted, plantFromMs, plantShare);
    rows.push({ building: meter.building, energy: meter.energy, evaluation, planted });
    progress(
      `${meter.building} ${meter.energy} ${kind}: ${evaluation.form}, fitted in ${evaluation.fitMs.toFixed(0)} ms`,
    );
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const timingMeter = meters.find((m) => m.building === timingBuilding && m.energy === timingEnergy);
const timeFit = (kind: ModelKind) =>
  median(
    Array.from({ length: repeats }, () => {
      const t = performance.now();
      fitModel(kind, timingEnergy ?? '', timingMeter?.years.get(2017) ?? []);
      return performance.now() - t;
    }),
  );
const timings = {
  meter: String(raw.timingMeter),
  readMs,
  parseMs,
  files: rawData.meters.size + rawData.weather.size,
  fitDailyMs: timeFit('daily'),
  fitHourlyMs: timeFit('hourly'),
  repeats,
};

console.log(`\nFit on 2017, predict 2018 (monthly totals, out of sample)\n\n${outOfSampleTable(rows)}`);
console.log(`\nA ${(100 * plantShare).toFixed(0)} % saving planted from ${raw.plantFrom}\n\n${plantedTable(rows)}`);
console.log(`\nSpeed\n\n${timingTable(timings)}`);
await writeReport({ dataDir: raw.dataDir, plantFrom: raw.plantFrom, plantShare, repeats }, rows, timings, NOTES);
console.log('\nwritten: bench/results/savings.json, bench/results/savings.md');
