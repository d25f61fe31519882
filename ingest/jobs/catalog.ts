import { baselineJob } from './baselines.js';
import { type DetectionDeps, detectOverTarget, recordFindings } from './detection.js';
import { type DetectionRange, detectionRangeInput, detectOverRange } from './detection-range.js';
import { detectImbalance } from './imbalance.js';
import type { JobSpec } from './runner.js';
import { detectFromSeries, type SeriesDetector } from './series-detection.js';

const HOURLY: readonly SeriesDetector[] = ['offline', 'spike', 'flat', 'implausible'];
const DAILY: readonly SeriesDetector[] = ['after_hours', 'leak', 'continuous', 'step', 'weather_baseline'];
const RANGE_NOTE = ' On demand with {"from","to"} (local dates, to exclusive): that past range instead.';

/**
 * The platform's scheduled jobs (each also runs on demand: `POST /api/v1/jobs/{name}/run`). Given
 * `{"from","to"}` a detection job examines that past range instead of the latest data (issue 17,
 * item 5: history imported or replayed is examined too); without it, it runs as scheduled.
 */
export function detectionJobs(deps: DetectionDeps): JobSpec[] {
  const input = detectionRangeInput(deps.timeZone, deps.now ?? Date.now);
  const range = (value: unknown) => value as DetectionRange | undefined;
  return [
    {
      name: 'detect-hourly',
      schedule: '5 * * * *',
      description: `Recent data, every hour: offline collection points, spikes, flat (stuck) meters, implausible readings.${RANGE_NOTE}`,
      input,
      run: async (body) => {
        const r = range(body);
        if (r !== undefined) return detectOverRange(deps, r, { kind: 'series', detectors: HOURLY, warmupDays: 28 });
        return recordFindings(deps, await detectFromSeries(deps, HOURLY, 28));
      },
    },
    {
      name: 'detect-daily',
      schedule: '30 1 * * *',
      description: `The day, every night: after-hours and weekend base load, water leaks, continuous running, base-load steps, main and sub-meter imbalance, days above their weather baseline.${RANGE_NOTE}`,
      input,
      run: async (body) => {
        const r = range(body);
        if (r !== undefined)
          return detectOverRange(deps, r, { kind: 'series', detectors: DAILY, warmupDays: 35, imbalance: true });
        return recordFindings(deps, [...(await detectFromSeries(deps, DAILY, 35)), ...(await detectImbalance(deps))]);
      },
    },
    {
      name: 'detect-targets',
      // Daily rather than only on the 1st: a month-to-date forecast is worth most before the month is over.
      schedule: '0 6 * * *',
      description: `Over target: month-to-date consumption plus the forecast of the rest of the month above the monthly target.${RANGE_NOTE} Each past month is checked at its end: its total against its target.`,
      input,
      run: async (body) => {
        const r = range(body);
        if (r !== undefined) return detectOverRange(deps, r, { kind: 'targets' });
        return recordFindings(deps, await detectOverTarget(deps));
      },
    },
    baselineJob(deps),
  ];
}
