import { type DetectionDeps, detectOverTarget, recordFindings } from './detection.js';
import type { JobSpec } from './runner.js';

/** The platform's scheduled jobs (each also runs on demand: `POST /api/v1/jobs/{name}/run`). */
export function detectionJobs(deps: DetectionDeps): JobSpec[] {
  return [
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
