import type { ClusterOutcome } from '../../core/storage/duckdb/rollup-cluster.js';
import type { JobSpec } from './runner.js';

/** What the job needs: the embedded store's clustering pass. */
export interface RollupClusterer {
  clusterRollups(): Promise<ClusterOutcome>;
}

/**
 * The `cluster-rollups` job (issue 19, item 1): every night, the embedded store's rollups of the
 * months closed since the last run are rewritten in meter order (`EmbeddedStore.clusterRollups`),
 * so that one institution's month or year reads its own rows, not the whole fleet's. Outside
 * ingest's writes (a month of a province is ~3 M daily rows: seconds), one month per transaction;
 * idempotent, on demand with `POST /api/v1/jobs/cluster-rollups/run`. Its run detail is
 * `{ dailyMonths, monthlyYears, clusteredBeforeMs, elapsedMs }`.
 */
export function clusterRollupsJob(store: RollupClusterer): JobSpec {
  return {
    name: 'cluster-rollups',
    // 00:45: the first hour of a new month is written by then; before the 01:30 detection and 02:00 reports.
    schedule: '45 0 * * *',
    description:
      'Cluster the rollups of the closed months by meter (embedded store): scoped answers read only their rows',
    run: () => store.clusterRollups(),
  };
}
