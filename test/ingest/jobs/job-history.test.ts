import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../helpers/platform.js';
import { postgresSkipReason, startPostgres, type TestPostgres } from '../../helpers/postgres.js';

const skip = postgresSkipReason();
/** A cheap job: no targets, nothing to find. */
const JOB = 'detect-targets';

interface JobView {
  readonly name: string;
  readonly lastRun: unknown;
  readonly clusterLastRun?: { readonly process: string; readonly trigger: string; readonly outcome: string } | null;
}

/**
 * Issue "Production parity", item 2: with METADATA_URL, `GET /api/v1/jobs` of any process shows each
 * job's last run across the cluster (two platforms on one PostgreSQL database).
 */
describe.skipIf(skip !== undefined)('the job runs’ history shared by a cluster (METADATA_URL)', () => {
  let postgres: TestPostgres | undefined;
  const platforms: TestPlatform[] = [];
  beforeAll(async () => {
    postgres = await startPostgres();
    const url = await postgres.createDatabase('history');
    // One after the other: the first creates the admin token the second then finds.
    for (const id of ['node-a', 'node-b'])
      platforms.push(await startTestPlatform({ METADATA_URL: url, INGEST_WORKER_ID: id }));
  }, 60_000);
  afterAll(async () => {
    for (const p of platforms) await p.close();
    await postgres?.stop();
  });

  const jobOf = async (t: TestPlatform) =>
    (await t.api<{ jobs: JobView[] }>('GET', '/api/v1/jobs')).body.jobs.find((j) => j.name === JOB);

  it('shows on one process the run made on another, beside its own (empty) last run', async () => {
    const [a, b] = platforms as [TestPlatform, TestPlatform];
    expect((await jobOf(b))?.clusterLastRun).toBeNull();
    const ran = await a.api('POST', `/api/v1/jobs/${JOB}/run`);
    expect(ran.status, JSON.stringify(ran.body)).toBe(200);
    const seen = await jobOf(b);
    expect(seen?.lastRun, 'B ran nothing itself').toBeNull();
    expect(seen?.clusterLastRun).toMatchObject({ trigger: 'on_demand', outcome: 'ok' });
    expect(seen?.clusterLastRun?.process).toMatch(/^node-a@/);
    expect((await jobOf(a))?.clusterLastRun).toEqual(seen?.clusterLastRun);
  });
});
