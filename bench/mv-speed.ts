/**
 * Speed of the baseline models (issue 18, "Speed"): fitting the CalTRACK daily model and the hourly
 * TOWT model for one meter-year, and for every meter of a city through the `fit-baselines` job's
 * own code (read, fit, store), each beside the time it takes to read the same data from the
 * embedded store through its aggregate API.
 * Weather: the simulator's temperatures, which the synthetic city's load follows.
 */
import { formatLocalIso, localToEpochMs } from '../core/domain/time.js';
import { fitDailyModel, fitHourlyModel } from '../core/mv/index.js';
import { type BaselineBatchOutcome, fitBaselines } from '../core/savings/baseline-batch.js';
import { EmbeddedStore } from '../core/storage/duckdb/embedded-store.js';
import type { AggregateQuery, AggregateRow, MeterFilter } from '../core/storage/store.js';
import type { CitySize } from './city-store.js';
import { type Figure, percentile, progress } from './harness.js';
import { dailyObservations, hourlyObservations, mvCity, weatherOf } from './mv-city.js';
import { removeTempDir } from './proc.js';

const TIME_ZONE = 'Asia/Shanghai';
/** The weather station the batch reads: the simulator's temperatures, stored in the city's copy. */
const STATION = 'sim';

interface MvSize extends CitySize {
  readonly label: string;
  /** Repeats of the one-meter timings (the median is reported). */
  readonly repeats: number;
  /** Institutions whose meters get an hourly model in the batch (evenly spread over the registry). */
  readonly hourlySampleInstitutions: number;
}

function sizeOf(quick: boolean): MvSize {
  const fromMs = localToEpochMs(TIME_ZONE, 2025, 1, 1);
  // The full city is the statutory bench's city-year (its cache is reused): 6,722 meters.
  return quick
    ? {
        seed: 11,
        districts: 4,
        institutions: 30,
        metersTarget: 240,
        fromMs,
        hours: (localToEpochMs(TIME_ZONE, 2025, 4, 1) - fromMs) / 3_600_000,
        timeZone: TIME_ZONE,
        label: 'quick: Jan–Mar 2025',
        repeats: 3,
        hourlySampleInstitutions: 2,
      }
    : {
        seed: 11,
        districts: 12,
        institutions: 760,
        metersTarget: 5974,
        fromMs,
        hours: (localToEpochMs(TIME_ZONE, 2026, 1, 1) - fromMs) / 3_600_000,
        timeZone: TIME_ZONE,
        label: 'city-year 2025',
        repeats: 3,
        hourlySampleInstitutions: 8,
      };
}

const ms = async <T>(fn: () => Promise<T> | T): Promise<[number, T]> => {
  const t0 = performance.now();
  const out = await fn();
  return [performance.now() - t0, out];
};

const median = (sample: readonly number[]) => percentile(sample, 50);
const MB = 2 ** 20;
const n = (x: number) => x.toLocaleString('en');

/** Peak RSS while `fn` runs, sampled every 50 ms (DuckDB's memory is in the RSS too). */
async function peakRss<T>(fn: () => Promise<T>): Promise<[number, T]> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 50);
  try {
    const out = await fn();
    return [Math.max(peak, process.memoryUsage.rss()), out];
  } finally {
    clearInterval(timer);
  }
}

type Reader = (filter: MeterFilter, interval: 'hour' | 'day') => Promise<AggregateRow[]>;

/** Each meter's own consumption, by hour or by local day, through the store's aggregate API. */
function readerOf(store: EmbeddedStore, size: MvSize, toMs: number): Reader {
  return (filter, interval) => {
    const q: AggregateQuery = {
      filter,
      fromMs: size.fromMs,
      toMs,
      interval,
      timeZone: TIME_ZONE,
      groupBy: 'meter',
      sums: [],
    };
    return store.aggregate(q);
  };
}

/** One meter-year: reading its hours (the baseline), fitting the daily and the hourly model. */
async function oneMeter(read: Reader, meterId: string, size: MvSize, days: number): Promise<Figure[]> {
  const weather = weatherOf(TIME_ZONE);
  const reads: number[] = [];
  const daily: number[] = [];
  const hourly: number[] = [];
  let hours = 0;
  let cvRmse = Number.NaN;
  let type = '';
  for (let i = 0; i < size.repeats; i++) {
    const [readMs, rows] = await ms(() => read({ meterId }, 'hour'));
    const dayRows = await read({ meterId }, 'day');
    const [dailyMs, dm] = await ms(() => fitDailyModel(dailyObservations(dayRows, weather.day)));
    const [hourlyMs, hm] = await ms(() =>
      fitHourlyModel(hourlyObservations(rows, weather.hour), { timeZone: TIME_ZONE }),
    );
    reads.push(readMs);
    daily.push(dailyMs);
    hourly.push(hourlyMs);
    hours = rows.length;
    cvRmse = hm.baseline.statistics.cvRmse;
    type = dm.type;
  }
  const baseline = { name: `read its ${n(hours)} hours (store aggregate)`, value: median(reads) };
  const what = `one meter, ${size.label}`;
  const note = `median of ${size.repeats} runs; meter ${meterId}; daily model ${type} (${days} local days, from the daily rollup), hourly CV(RMSE) ${(cvRmse * 100).toFixed(1)} %`;
  return [
    {
      name: `mv: fit daily model (CalTRACK), ${what}`,
      value: median(daily),
      unit: 'ms',
      baseline,
      ratio: baseline.value / median(daily),
      note,
    },
    {
      name: `mv: fit hourly model (TOWT), ${what}`,
      value: median(hourly),
      unit: 'ms',
      baseline,
      ratio: baseline.value / median(hourly),
    },
  ];
}

interface BatchResult {
  readonly meters: number;
  /** Reading every meter's days, one query per district, as the job reads them. */
  readonly readDailyS: number;
  /** The job's batch (core/savings/baseline-batch.ts): wall time, and its own read, fit and store times. */
  readonly jobS: number;
  readonly outcome: BaselineBatchOutcome;
  readonly types: Map<string, number>;
  readonly sampleMeters: number;
  readonly sampleInstitutions: number;
  readonly readHourlyS: number;
  readonly fitHourlyS: number;
}

/** The simulator's hourly temperatures of the period, stored as a weather station's (the job reads them there). */
async function storeWeather(store: EmbeddedStore, size: MvSize, toMs: number): Promise<void> {
  const weather = weatherOf(TIME_ZONE);
  const observations = [];
  for (let h = size.fromMs; h < toMs; h += 3_600_000) observations.push({ tsMs: h, temperatureC: weather.hour(h) });
  await store.weather.putObservations(STATION, observations);
}

/**
 * The batch through the `fit-baselines` job's code (`fitBaselines`, core/savings/baseline-batch.ts):
 * daily models for every meter (read a district per query, fitted, stored), beside reading the same
 * days alone; then hourly models for the meters of a sample of institutions, one job run each.
 */
async function batch(
  store: EmbeddedStore,
  read: Reader,
  city: Awaited<ReturnType<typeof mvCity>>,
  size: MvSize,
): Promise<BatchResult> {
  // The registry as the store holds it (the fleet's, hashed): what the job reads at run time.
  const registry = await store.loadRegistry();
  // Every institution answers to the one station whose temperatures the simulated load follows.
  const source = {
    store,
    registry: {
      ...registry,
      weatherStations: [{ id: STATION, name: 'simulator' }],
      institutions: registry.institutions.map((i) => ({ ...i, weatherStationId: STATION })),
    },
    timeZone: TIME_ZONE,
    nowMs: city.toMs,
    log: {
      info: (f: { groupsDone?: number; groups?: number; meters?: number }, m: string) => {
        if (f.groupsDone !== undefined)
          progress(`mv: fit-baselines, group ${f.groupsDone}/${f.groups}: ${n(f.meters ?? 0)} meters`);
        else progress(`mv: ${m}`);
      },
      warn: (_: object, m: string) => progress(`mv: ${m}`),
    },
  };
  const from = formatLocalIso(size.fromMs, TIME_ZONE).slice(0, 10);
  const to = formatLocalIso(city.toMs, TIME_ZONE).slice(0, 10);
  const request = { from, to, fromMs: size.fromMs, toMs: city.toMs, model: 'daily' as const };
  let readDailyMs = 0;
  for (const district of registry.districts) {
    const [readMs] = await ms(() => read({ districtId: district.id }, 'day'));
    readDailyMs += readMs;
  }
  const [jobMs, outcome] = await ms(() => fitBaselines(source, request));
  const types = new Map<string, number>();
  for (const b of await store.baselines.list({ model: 'daily' })) {
    const type = b.coefficients?.kind === 'daily' ? b.coefficients.type : (b.failure?.code ?? 'failed');
    types.set(type, (types.get(type) ?? 0) + 1);
  }
  const { institutions } = registry;
  const sample = Array.from(
    { length: Math.min(size.hourlySampleInstitutions, institutions.length) },
    (_, i) => institutions[Math.floor((i * institutions.length) / size.hourlySampleInstitutions)],
  ).filter((x) => x !== undefined);
  let sampleMeters = 0;
  let readHourlyMs = 0;
  let fitHourlyMs = 0;
  for (const institution of sample) {
    const [readMs] = await ms(() => read({ institutionId: institution.id }, 'hour'));
    readHourlyMs += readMs;
    const [fitMs, hourly] = await ms(() =>
      fitBaselines(source, { ...request, model: 'hourly', scope: { level: 'institution', id: institution.id } }),
    );
    fitHourlyMs += fitMs;
    sampleMeters += hourly.scopes;
    progress(`mv: hourly sample: ${n(sampleMeters)} meters`);
  }
  return {
    meters: outcome.scopes,
    readDailyS: readDailyMs / 1000,
    jobS: jobMs / 1000,
    outcome,
    types,
    sampleMeters,
    sampleInstitutions: sample.length,
    readHourlyS: readHourlyMs / 1000,
    fitHourlyS: fitHourlyMs / 1000,
  };
}

function batchFigures(b: BatchResult, size: MvSize, districts: number, rss: { beforeMb: number; peakMb: number }) {
  const scope = `${n(b.meters)} meters, ${size.label}`;
  const scale = b.meters / Math.max(1, b.sampleMeters);
  const extrapolated = `extrapolated ×${scale.toFixed(0)} from ${n(b.sampleMeters)} meters of ${b.sampleInstitutions} institutions`;
  const readDaily = { name: `read the meters' days (${districts} queries, one per district)`, value: b.readDailyS };
  const hourlyS = b.fitHourlyS * scale;
  const readHourly = {
    name: 'read their hours (one query per institution), extrapolated',
    value: b.readHourlyS * scale,
  };
  const types = [...b.types.entries()].map(([t, count]) => `${t} ${n(count)}`).join(', ');
  const o = b.outcome;
  return [
    {
      name: `mv: city batch, fit-baselines job (daily models), ${scope}`,
      value: b.jobS,
      unit: 's',
      baseline: readDaily,
      ratio: readDaily.value / b.jobS,
      note: `the job's code (core/savings/baseline-batch.ts): read ${(o.readMs / 1000).toFixed(1)} s, fit ${(o.fitMs / 1000).toFixed(1)} s, store ${(o.saveMs / 1000).toFixed(1)} s; ${n(o.fitted)} fitted (${n(o.acceptable)} meet ASHRAE 14), ${n(o.failed)} failed; models: ${types}`,
    },
    {
      name: `mv: city batch, daily models per second (fit-baselines job), ${scope}`,
      value: b.meters / b.jobS,
      unit: 'meters/s',
      baseline: { name: 'meters read per second', value: b.meters / b.readDailyS },
      ratio: b.readDailyS / b.jobS,
    },
    {
      name: `mv: city batch, fit-baselines job (hourly models), ${n(b.meters)} meters, ${extrapolated}`,
      value: hourlyS,
      unit: 's',
      baseline: readHourly,
      ratio: readHourly.value / hourlyS,
      note: `measured: ${b.fitHourlyS.toFixed(1)} s for the job over ${n(b.sampleMeters)} meters (read, fit and store; ${((b.fitHourlyS / Math.max(1, b.sampleMeters)) * 1000).toFixed(0)} ms a model) and ${b.readHourlyS.toFixed(1)} s to read their hours: all of them would take ~${(hourlyS / 60).toFixed(0)} min more, beyond what this run should take`,
    },
    {
      name: `mv: city batch, hourly models per second (fit-baselines job, sample of ${n(b.sampleMeters)} meters)`,
      value: b.sampleMeters / b.fitHourlyS,
      unit: 'meters/s',
      baseline: { name: 'meters read per second', value: b.sampleMeters / b.readHourlyS },
      ratio: b.readHourlyS / b.fitHourlyS,
    },
    {
      name: 'mv: city batch, peak RSS (daily batch and hourly sample)',
      value: rss.peakMb,
      unit: 'MB',
      baseline: { name: 'RSS before the batch, store open', value: rss.beforeMb },
      ratio: rss.beforeMb / rss.peakMb,
      note: 'sampled every 50 ms; includes DuckDB',
    },
  ] satisfies Figure[];
}

/** The `mv` group: one meter-year and a city batch, each beside reading the same data. */
export async function benchMvSpeed(opts: { quick: boolean }): Promise<Figure[]> {
  const size = sizeOf(opts.quick);
  const city = await mvCity(size);
  const store = await EmbeddedStore.open({ dataDir: city.dataDir, timeZone: TIME_ZONE });
  try {
    const read = readerOf(store, size, city.toMs);
    const days = Math.round(size.hours / 24);
    const meter = city.fleet.meters.find((m) => m.energy === 'electricity') ?? city.fleet.meters[0];
    if (meter === undefined) throw new Error('mv: the city has no meters');
    progress(`mv: one meter-year, ${size.label}`);
    const figures = await oneMeter(read, meter.id, size, days);
    progress(`mv: city batch, ${n(city.fleet.meters.length)} meters, ${size.label}`);
    const beforeMb = process.memoryUsage.rss() / MB;
    await storeWeather(store, size, city.toMs);
    const [peak, result] = await peakRss(() => batch(store, read, city, size));
    const districts = city.fleet.registry.districts.length;
    figures.push(...batchFigures(result, size, districts, { beforeMb, peakMb: peak / MB }));
    return figures;
  } finally {
    await store.close();
    await removeTempDir(city.dataDir);
  }
}
