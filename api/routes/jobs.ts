import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../core/errors.js';
import type { JobRunRecord } from '../../core/storage/store.js';
import { adminOnly } from '../access.js';
import { audit } from '../audit.js';
import { ERRORS } from '../schemas/common.js';
import { JobListSchema, JobViewSchema } from '../schemas/jobs.js';

const Params = z.object({ name: z.string().max(100) });
/** A job's input: `{"year"}` for data-audit, `{"from","to"}` for the detection jobs; each job checks its own. */
const RunBody = z.record(z.string(), z.unknown()).nullish();

/** `GET /api/v1/jobs` (schedules, last run and outcome) and `POST /api/v1/jobs/{name}/run` (run now). */
export async function jobRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.addHook('preHandler', adminOnly);
  const list = {
    summary: 'Scheduled jobs with their last run and outcome',
    response: { 200: JobListSchema, ...ERRORS },
  };
  app.get('/jobs', { schema: list }, async () => {
    const jobs = app.deps.jobs.list();
    // With METADATA_URL: each job's last run on any process of the cluster, beside this one's own.
    const cluster = await app.deps.store.lastJobRuns?.();
    if (cluster === undefined) return { jobs };
    return { jobs: jobs.map((job) => ({ ...job, clusterLastRun: clusterRunView(cluster, job.name) })) };
  });
  app.post(
    '/jobs/:name/run',
    {
      schema: {
        summary: 'Run a scheduled job now (waits for it)',
        description:
          'An optional JSON body is the input of a job that takes one: `{"year":2025}` for data-audit; `{"from":"2025-01-01","to":"2025-03-01"}` (local dates, to exclusive, at most 400 days) for detect-hourly, detect-daily and detect-targets, which then examine that past range. `{"from","to","model":"daily|hourly","scope"}` (all optional; default the 12 months before this one, daily, every meter) for fit-baselines.',
        params: Params,
        body: RunBody,
        response: { 200: JobViewSchema, ...ERRORS },
      },
    },
    async (request) => {
      const { name } = request.params;
      if (!app.deps.jobs.list().some((j) => j.name === name))
        throw new AppError('JN_NOT_FOUND', 404, `job "${name}" not found`);
      const state = await app.deps.jobs.run(name, request.body ?? undefined);
      // An on-demand run changes what jobs produce (flags, archives): who asked, with what, is on the trail.
      await audit(request, `job:${name}`, null, { input: request.body ?? null, lastRun: state.lastRun });
      return state;
    },
  );
}

/** A job's newest run in the cluster's history, in the words of `lastRun` plus who ran it and why. */
function clusterRunView(runs: readonly JobRunRecord[], name: string) {
  const run = runs.find((r) => r.job === name);
  if (run === undefined) return null;
  return {
    startedAt: new Date(run.startedAtMs).toISOString(),
    finishedAt: new Date(run.finishedAtMs).toISOString(),
    outcome: run.outcome,
    ...(run.outcome === 'ok' ? { detail: run.result } : { detail: run.error }),
    process: run.processId,
    trigger: run.trigger,
  };
}
