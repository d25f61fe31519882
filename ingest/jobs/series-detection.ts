import { groupBy } from '../../core/collections.js';
import {
  type AnomalyCandidate,
  type DetectorContext,
  detectAfterHours,
  detectContinuous,
  detectFlat,
  detectImplausible,
  detectLeak,
  detectOffline,
  detectSpikes,
  detectStep,
  type HourPoint,
  type MeterReportState,
  makeIsWorkday,
  OFFLINE_DEFAULTS,
} from '../../core/domain/detectors/index.js';
import { bucketQuality } from '../../core/domain/quality.js';
import type { Registry } from '../../core/domain/registry.js';
import { HOUR_MS } from '../../core/domain/time.js';
import { HOUR_QUALITY } from '../../core/storage/meter-hours.js';
import type { AggregateRow, MeterHourColumns } from '../../core/storage/store.js';
import type { DetectionDeps, Finding } from './detection.js';
import { type MeterSlice, meterSlices } from './meter-slices.js';
import { detectWeatherBaselines } from './weather-baseline-detection.js';

const DAY_MS = 24 * HOUR_MS;

/** Which detectors a run uses. */
export type SeriesDetector =
  | 'offline'
  | 'spike'
  | 'implausible'
  | 'flat'
  | 'after_hours'
  | 'leak'
  | 'continuous'
  | 'step'
  | 'weather_baseline';

/** Contiguous hourly points from a meter's hour columns (`SeriesStore.meterHours`); without any, every hour is `missing`. */
export function columnSeries(columns: MeterHourColumns | undefined, fromMs: number, toMs: number): HourPoint[] {
  const out: HourPoint[] = [];
  for (let h = fromMs, k = 0; h < toMs; h += HOUR_MS, k++)
    out.push({
      hourStartMs: h,
      amount: columns?.amount[k] ?? 0,
      quality: HOUR_QUALITY[columns?.quality[k] ?? 0] ?? 'missing',
      readings: columns?.readings[k] ?? 0,
    });
  return out;
}

/** Contiguous hourly points from aggregate rows of one series; hours without a row are `missing`. */
export function hourSeries(rows: readonly AggregateRow[], fromMs: number, toMs: number): HourPoint[] {
  const byHour = new Map(rows.map((r) => [r.bucketStartMs, r]));
  const out: HourPoint[] = [];
  for (let h = fromMs; h < toMs; h += HOUR_MS) {
    const r = byHour.get(h);
    out.push({ hourStartMs: h, amount: r?.amount ?? 0, quality: bucketQuality(r), readings: r?.readings ?? 0 });
  }
  return out;
}

const toFinding = (c: AnomalyCandidate): Finding => ({
  type: c.type,
  scope: c.scope,
  energy: c.energy,
  startMs: c.startMs,
  endMs: c.endMs,
  severity: c.severity,
  evidence: { ...c.evidence },
  wastedNative: c.wastedNative,
});

/**
 * Runs the series detectors over the last `historyDays` of hourly data: meter detectors on every
 * meter's series, after-hours on each institution's electricity, offline from each meter's last
 * reading and the registry. The pure detectors live in core/domain/detectors.
 */
export async function detectFromSeries(
  deps: DetectionDeps,
  detectors: readonly SeriesDetector[],
  historyDays: number,
): Promise<Finding[]> {
  const nowMs = (deps.now ?? Date.now)();
  const toMs = Math.floor(nowMs / HOUR_MS) * HOUR_MS;
  return detectSeriesWindow(deps, detectors, { fromMs: toMs - historyDays * DAY_MS, toMs, nowMs });
}

/**
 * Runs the series detectors over the hourly data of `[fromMs, toMs)` (whole hours) as they would
 * have run at `nowMs`: nothing at or after it is seen. A past window (`detect-*` over a range,
 * issue 17 item 5) passes its end as `nowMs`; `offline` is about the present and is for the
 * present only. The meters are read a slice at a time (`slicing`, by default `meterSlices`); the
 * findings do not depend on the slices.
 */
export async function detectSeriesWindow(
  deps: DetectionDeps,
  detectors: readonly SeriesDetector[],
  window: { readonly fromMs: number; readonly toMs: number; readonly nowMs: number },
  slicing: (registry: Registry, window: { fromMs: number; toMs: number }) => MeterSlice[] = meterSlices,
): Promise<Finding[]> {
  const { fromMs, toMs, nowMs } = window;
  const ctx: DetectorContext = { timeZone: deps.timeZone, nowMs, isWorkday: makeIsWorkday(deps.timeZone) };
  const registry = deps.registry.get();
  const want = new Set(detectors);
  const out: AnomalyCandidate[] = [];
  const base = { fromMs, toMs, interval: 'hour' as const, timeZone: deps.timeZone };
  // The fleet a slice at a time (issue 19): a province's hours do not fit in memory at once.
  const slices = slicing(registry, { fromMs, toMs });
  const meters = new Map(registry.meters.map((m) => [m.id, m]));
  if (want.has('after_hours')) {
    // An institution lies in one district: a district's rows hold each of its institutions' whole series.
    const districts = new Set(registry.institutions.map((i) => i.districtId));
    const filters = districts.size > 0 ? [...districts].map((districtId) => ({ districtId })) : [{}];
    for (const filter of filters) {
      const rows = await deps.store.aggregate({
        ...base,
        filter: { ...filter, energy: 'electricity' },
        groupBy: 'institution',
      });
      for (const [institutionId, list] of groupBy(rows, (r) => r.groupId)) {
        const subject = { scope: `institution:${institutionId}`, energy: 'electricity' as const };
        out.push(...detectAfterHours(hourSeries(list, fromMs, toMs), subject, ctx));
      }
    }
  }
  // Issue 18, item 4: each meter's day against its stored weather baseline (fit-baselines).
  if (want.has('weather_baseline')) out.push(...(await detectWeatherBaselines(deps, ctx, { fromMs, toMs })));
  const meterDetectors = [...want].filter((d) => d !== 'after_hours' && d !== 'weather_baseline');
  if (meterDetectors.length > 0) {
    // Found per meter, then listed in registry order, as when the whole fleet was read at once.
    const found = new Map<string, { candidates: AnomalyCandidate[]; state: MeterReportState }>();
    for (const slice of slices) {
      // In columns, not an object per hour: a district's 1,000 meters × 28 days are 672,000 hours.
      const hours = await deps.store.meterHours({ filter: slice.filter, fromMs, toMs });
      let examined = 0;
      for (const meterId of slice.meterIds) {
        const meter = meters.get(meterId);
        // A manual meter's hours are its entries spread pro rata, not a measured profile, and it is
        // read when someone reads it: no spike, flat line or offline to find (issue 15, item 5).
        if (meter === undefined || meter.reading === 'manual') continue;
        // Ingest runs between slices, and within a large one every few hundred meters.
        if (++examined % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
        const series = columnSeries(hours.get(meter.id), fromMs, toMs);
        const subject = { scope: `meter:${meter.id}`, energy: meter.energy };
        const candidates: AnomalyCandidate[] = [];
        if (want.has('spike')) candidates.push(...detectSpikes(series, subject, ctx));
        if (want.has('flat')) candidates.push(...detectFlat(series, subject, ctx));
        if (want.has('implausible')) candidates.push(...detectImplausible(series, subject, ctx));
        if (want.has('continuous')) candidates.push(...detectContinuous(series, subject, ctx));
        if (want.has('step')) candidates.push(...detectStep(series, subject, ctx));
        if (want.has('leak') && meter.energy === 'water') candidates.push(...detectLeak(series, subject, ctx));
        const last = series.findLast((p) => p.readings > 0);
        // The hour of the last reading is known, not its minute: assume its last expected reading.
        const lastReadingMs = last === undefined ? undefined : last.hourStartMs + HOUR_MS - meter.intervalS * 1000;
        found.set(meter.id, {
          candidates,
          state: { meterId: meter.id, energy: meter.energy, intervalS: meter.intervalS, lastReadingMs },
        });
      }
    }
    const states: MeterReportState[] = [];
    for (const meter of registry.meters) {
      const f = found.get(meter.id);
      if (f === undefined) continue;
      out.push(...f.candidates);
      states.push(f.state);
    }
    if (want.has('offline')) out.push(...detectOffline(await withRegistryFacts(deps, states, nowMs), ctx));
  }
  return out.map(toFinding);
}

/**
 * Completes what the window shows of each meter's reporting with what the registry and the store
 * know (issue "No device can stop ingest"): its decommissioning, its installation (when it is
 * expected to report; a meter without `installedAt` that never reported is not flagged), and, for
 * a meter the window shows silent, its newest reading as stored: a meter silent for longer than the
 * window stays offline instead of looking as if it never reported, and one that reported in the
 * current hour (after the window) is not flagged.
 */
async function withRegistryFacts(
  deps: DetectionDeps,
  states: readonly MeterReportState[],
  nowMs: number,
): Promise<MeterReportState[]> {
  const decommissionedAt = new Map<string, number>();
  for (const e of await deps.store.meterEvents())
    if (e.type === 'decommission')
      decommissionedAt.set(e.meterId, Math.min(e.ts, decommissionedAt.get(e.meterId) ?? e.ts));
  const candidateSinceMs = (s: MeterReportState) => nowMs - OFFLINE_DEFAULTS.missedIntervals * s.intervalS * 1000;
  const silent = states.filter(
    (s) =>
      (s.lastReadingMs === undefined || s.lastReadingMs <= candidateSinceMs(s)) &&
      !((decommissionedAt.get(s.meterId) ?? Number.POSITIVE_INFINITY) <= nowMs),
  );
  // The newest valid reading at or before now (and any a skewed clock stamped later): one query.
  const tails = await deps.store.readingWindows(
    silent.map((s) => ({ meterId: s.meterId, fromMs: nowMs, toMs: nowMs })),
    1,
  );
  return states.map((s) => {
    const meter = deps.registry.meter(s.meterId);
    // Expected to report since its installation, or else since it was registered.
    const installedAt = meter?.installedAt ?? meter?.registeredAt;
    const newest = tails.get(s.meterId)?.readings.at(-1)?.tsMs;
    const decommissionedAtMs = decommissionedAt.get(s.meterId);
    return {
      ...s,
      lastReadingMs: newest ?? s.lastReadingMs,
      ...(installedAt === undefined ? {} : { expectedSinceMs: Date.parse(installedAt) }),
      ...(decommissionedAtMs === undefined ? {} : { decommissionedAtMs }),
    };
  });
}
