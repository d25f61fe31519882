/** Answers of `GET /api/v1/jobs` and `POST /api/v1/jobs/{name}/run` (api/routes/jobs.ts). */
import { z } from 'zod';

/** A job's run on this process (ingest/jobs/runner.ts `JobRun`). */
export const JobRunSchema = z.object({
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  outcome: z.enum(['ok', 'failed', 'running']),
  detail: z.unknown().optional().describe('what the job returned, or why it failed'),
});

/** A job's newest run on any process of the cluster (with METADATA_URL). */
export const ClusterRunSchema = z.object({
  startedAt: z.string(),
  finishedAt: z.string(),
  outcome: z.enum(['ok', 'failed', 'skipped']),
  detail: z.unknown().optional(),
  process: z.string().describe('the process that ran it, INGEST_WORKER_ID@host:pid'),
  trigger: z.enum(['scheduled', 'on_demand']),
});

/** A job's state: its schedule, whether it runs and its last run. */
export const JobViewSchema = z.object({
  name: z.string(),
  schedule: z.string(),
  description: z.string(),
  running: z.boolean(),
  lastRun: JobRunSchema.nullable(),
  clusterLastRun: ClusterRunSchema.nullable().optional(),
});

/** `GET /api/v1/jobs`. */
export const JobListSchema = z.object({ jobs: z.array(JobViewSchema) });
