import type { JobRunRecord } from '../store.js';
import { iso, msOf, type Row, type Run } from './sql.js';

/** Appends one finished run to `job_runs`; its result as JSON (a value JSON cannot hold is dropped). */
export async function insertJobRun(run: Run, r: JobRunRecord): Promise<void> {
  await run(
    `INSERT INTO job_runs (job, process_id, trigger, started_at, finished_at, outcome, result, error)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8)`,
    [
      r.job,
      r.processId,
      r.trigger,
      iso(r.startedAtMs),
      iso(r.finishedAtMs),
      r.outcome,
      jsonOrNull(r.result),
      r.error ?? null,
    ],
  );
}

/** Each job's newest run that was not skipped. */
export async function selectLastJobRuns(run: Run): Promise<JobRunRecord[]> {
  const rows = await run(
    `SELECT DISTINCT ON (job) job, process_id, trigger, ${msOf('started_at')} AS started_ms,
       ${msOf('finished_at')} AS finished_ms, outcome, result, error
     FROM job_runs WHERE outcome <> 'skipped' ORDER BY job, started_at DESC, seq DESC`,
  );
  return rows.map(jobRunOf);
}

function jobRunOf(row: Row): JobRunRecord {
  return {
    job: String(row.job),
    processId: String(row.process_id),
    trigger: row.trigger as JobRunRecord['trigger'],
    startedAtMs: Number(row.started_ms),
    finishedAtMs: Number(row.finished_ms),
    outcome: row.outcome as JobRunRecord['outcome'],
    ...(row.result === null ? {} : { result: row.result }),
    ...(row.error === null ? {} : { error: String(row.error) }),
  };
}

function jsonOrNull(value: unknown): string | null {
  if (value === undefined) return null;
  try {
    return JSON.stringify(value) ?? null;
  } catch {
    return null;
  }
}
