import { groupBy } from '../../core/collections.js';
import {
  type AnomalyCandidate,
  type DetectorContext,
  detectWeatherBaseline,
  type WeatherDay,
  weatherBaselineUsable,
} from '../../core/domain/detectors/index.js';
import { bucketStart, nextBucketStart } from '../../core/domain/time.js';
import { meterSteps, stationTemperatures, stepStarts } from '../../core/savings/baseline-batch.js';
import type { DetectionDeps } from './detection.js';

/**
 * The `weather_baseline` detector over the whole local days of `[fromMs, toMs)` that are over at
 * `ctx.nowMs` (issue 18, item 4): every meter whose stored daily baseline clears the sanity bar
 * (`weatherBaselineUsable`) is judged day by day against its model's prediction under the day's
 * weather at its station. One query for every meter's days, one per station for temperatures.
 */
export async function detectWeatherBaselines(
  deps: DetectionDeps,
  ctx: DetectorContext,
  window: { readonly fromMs: number; readonly toMs: number },
): Promise<AnomalyCandidate[]> {
  const tz = deps.timeZone;
  const baselines = (await deps.store.baselines.list({ model: 'daily' })).filter(
    (b) => b.weatherStationId !== null && weatherBaselineUsable(b).ok,
  );
  const firstDay = bucketStart(window.fromMs, 'day', tz);
  const fromMs = firstDay === window.fromMs ? firstDay : nextBucketStart(firstDay, 'day', tz);
  const toMs = bucketStart(Math.min(window.toMs, ctx.nowMs), 'day', tz);
  if (baselines.length === 0 || toMs <= fromMs) return [];
  const rows = groupBy(
    await deps.store.aggregate({
      filter: {},
      fromMs,
      toMs,
      interval: 'day',
      timeZone: tz,
      groupBy: 'meter',
      sums: ['qualityHours'],
    }),
    (r) => r.groupId,
  );
  const starts = stepStarts('daily', fromMs, toMs, tz);
  const out: AnomalyCandidate[] = [];
  for (const [stationId, ofStation] of groupBy(baselines, (b) => b.weatherStationId ?? '')) {
    const temperatures = await stationTemperatures(deps.store, tz, stationId, 'daily', { fromMs, toMs });
    for (const baseline of ofStation) {
      const meterId = baseline.scope.slice('meter:'.length);
      const meter = deps.registry.meter(meterId);
      // A meter gone from the registry, or now of another energy, is not judged by its old model.
      if (meter === undefined || meter.energy !== baseline.energy) continue;
      const days: WeatherDay[] = meterSteps(rows.get(meterId) ?? [], starts, temperatures).map((s) => ({
        dayStartMs: s.startMs,
        dayEndMs: nextBucketStart(s.startMs, 'day', tz),
        amount: s.amount,
        temperatureC: s.temperatureC,
      }));
      out.push(...detectWeatherBaseline(days, { scope: baseline.scope, energy: baseline.energy }, baseline, ctx));
    }
  }
  return out;
}
