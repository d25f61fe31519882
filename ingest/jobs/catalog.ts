import { type DetectionDeps, detectOverTarget, recordFindings } from './detection.js';
import { detectImbalance } from './imbalance.js';
import type { JobSpec } from './runner.js';
import { detectFromSeries } from './series-detection.js';

/** The platform's scheduled jobs (each also runs on demand: `POST /api/v1/jobs/{name}/run`). */
export function detectionJobs(deps: DetectionDeps): JobSpec[] {
  return [
    {
      name: 'detect-hourly',
      schedule: '5 * * * *',
      description:
        'Recent data, every hour: offline collection points, spikes, flat (stuck) meters, implausible readings',
      run: async () =>
        recordFindings(deps, await detectFromSeries(deps, ['offline', 'spike', 'flat', 'implausible'], 28)),
    },
    {
      name: 'detect-daily',
      schedule: '30 1 * * *',
      description:
        'The day, every night: after-hours and weekend base load, water leaks, continuous running, base-load steps, main and sub-meter imbalance',
      run: async () =>
        recordFindings(deps, [
          ...(await detectFromSeries(deps, ['after_hours', 'leak', 'continuous', 'step'], 35)),
          ...(await detectImbalance(deps)),
        ]),
    },
    {
      name: 'detect-targets',
      // Daily rather than only on the 1st: a month-to-date forecast is worth most before the month is over.
      schedule: '0 6 * * *',
      description:
        'Over target: month-to-date consumption plus the forecast of the rest of the month above the monthly target',
      run: async () => recordFindings(deps, await detectOverTarget(deps)),
    },
  ];
}
