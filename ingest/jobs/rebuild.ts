import type { RebuildReport } from '../rebuild.js';
import type { JobSpec } from './runner.js';

/** What the rebuild job needs: the pipeline, which serialises the rebuild with ingest writes. */
export interface Rebuilder {
  rebuild(meterIds?: readonly string[]): Promise<RebuildReport>;
}

/**
 * The `rebuild` admin job: recomputes every meter's hours from its raw readings and events and
 * replaces the stored hours that differ; its run detail is `{ meters, corrected: [{ meterId, hours }] }`.
 * Meant for `POST /api/v1/jobs/rebuild/run` (after a quarantine, a restore, a fix of the derivation);
 * its schedule, once a year, is only a backstop, since the runner requires one.
 */
export function rebuildJob(rebuilder: Rebuilder): JobSpec {
  return {
    name: 'rebuild',
    schedule: '0 4 2 1 *',
    description:
      'Rebuild: recompute every meter’s hours from its raw readings and replace the stored hours that differ',
    run: () => rebuilder.rebuild(),
  };
}
