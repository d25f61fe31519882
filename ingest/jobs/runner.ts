import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { AppError } from '../../core/errors.js';
import type { JobRunRecord } from '../../core/storage/store.js';

/** A scheduled job: a cron expression in the tenant's time zone and what it does. */
export interface JobSpec {
  readonly name: string;
  /** Cron expression (minute hour day month weekday), in the runner's time zone. */
  readonly schedule: string;
  readonly description: string;
  /**
   * What an on-demand run may be given (the body of `POST /api/v1/jobs/{name}/run`, e.g.
   * `{"year":2025}`); without it any body is ignored. A scheduled run gets none (`undefined`).
   */
  readonly input?: z.ZodType;
  /** Does the work, with the parsed input of an on-demand run; what it returns is shown as the run's detail. */
  readonly run: (input?: unknown) => Promise<unknown>;
}

/** One run of a job. */
export interface JobRun {
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly outcome: 'ok' | 'failed' | 'running';
  readonly detail?: unknown;
}

/** A job's state. */
export interface JobState {
  readonly name: string;
  readonly schedule: string;
  readonly description: string;
  readonly running: boolean;
  readonly lastRun: JobRun | null;
}

/**
 * Who runs jobs in a cluster of processes sharing one metadata store (issue "Production parity",
 * item 2; PostgreSQL advisory locks: `PostgresJobLock`). Without one (a single process) every
 * schedule runs here.
 */
export interface JobLock {
  /**
   * Whether this process leads the schedules now: asked before every scheduled run, and true on one
   * process at a time (a leader that dies lets another take over at its next tick).
   */
  leads(): Promise<boolean>;
  /**
   * Takes job `name`'s cluster-wide lock for one run, held by the run itself whatever happens to
   * the leadership; resolves with its lease, or undefined while another process holds it (a run of
   * that job is in progress there).
   */
  acquire(name: string): Promise<JobLease | undefined>;
}

/** One run's hold on its job's cluster-wide lock. */
export interface JobLease {
  /** Why the lock was lost during the run (another process may then have started the job). */
  lost(): Error | undefined;
  /** Lets the job go; never rejects. */
  release(): Promise<void>;
}

/** Where the runs go besides this runner's memory: the cluster's shared history (METADATA_URL). */
export interface JobHistory {
  /** This process in the history (`INGEST_WORKER_ID@host:pid`). */
  readonly processId: string;
  record(run: JobRunRecord): Promise<void>;
}

type Trigger = JobRunRecord['trigger'];

/** Job schedules replaced by name (`JOB_SCHEDULES`); an unknown name is an error. */
export function withSchedules(specs: readonly JobSpec[], schedules: Readonly<Record<string, string>>): JobSpec[] {
  const unknown = Object.keys(schedules).filter((name) => !specs.some((s) => s.name === name));
  if (unknown.length > 0) throw new Error(`JOB_SCHEDULES: unknown job(s) ${unknown.join(', ')}`);
  return specs.map((s) => (schedules[s.name] === undefined ? s : { ...s, schedule: schedules[s.name] as string }));
}

const noLease: JobLease = { lost: () => undefined, release: async () => undefined };

/**
 * Runs jobs on their cron schedules (node-cron) and on demand, never two runs of one job at once:
 * a trigger while a run is in progress joins that run. With a `JobLock` (a cluster), scheduled runs
 * happen on the leading process only, and every run holds its job's cluster-wide lock: a scheduled
 * run finding it held elsewhere is skipped, an on-demand one is refused (`JN_JOB_BUSY`, 409); a
 * run that lost its lock meanwhile ends `failed`. With a `JobHistory` every run, skipped ones
 * included, is also recorded there for the whole cluster to see.
 */
export class JobRunner {
  private readonly tasks: ScheduledTask[] = [];
  /** Each job's run in progress, with the input it was given (as JSON). */
  private readonly inFlight = new Map<string, { readonly done: Promise<JobState>; readonly input: string }>();
  private readonly last = new Map<string, JobRun>();

  constructor(
    private readonly specs: readonly JobSpec[],
    private readonly opts: {
      timeZone: string;
      logger: Logger;
      now?: () => number;
      lock?: JobLock;
      history?: JobHistory;
    },
  ) {
    for (const spec of specs) {
      if (!cron.validate(spec.schedule))
        throw new Error(`job ${spec.name}: invalid cron expression "${spec.schedule}"`);
    }
  }

  /** Starts the schedules. */
  start(): void {
    for (const spec of this.specs) {
      const task = cron.schedule(
        spec.schedule,
        async () => {
          await this.scheduled(spec.name);
        },
        { timezone: this.opts.timeZone, name: spec.name, noOverlap: true },
      );
      this.tasks.push(task);
    }
  }

  /** Stops the schedules and waits for runs in progress. */
  async stop(): Promise<void> {
    for (const task of this.tasks.splice(0)) await task.destroy();
    await Promise.allSettled([...this.inFlight.values()].map((r) => r.done));
  }

  /** Every job with its last run. */
  list(): JobState[] {
    return this.specs.map((s) => this.state(s));
  }

  /**
   * Runs a job now, or joins its run in progress with the same input; resolves with its state after
   * the run. Rejects with `JN_REQUEST_INVALID` (400) for an input its `input` schema refuses, and
   * with `JN_JOB_BUSY` while it runs with another input or on another process of the cluster.
   */
  run(name: string, input?: unknown): Promise<JobState> {
    const spec = this.specs.find((s) => s.name === name);
    if (spec?.input === undefined) return this.trigger(name, 'on_demand');
    const parsed = spec.input.safeParse(input);
    if (!parsed.success) {
      const details = parsed.error.issues.map((i) => ({ path: i.path.join('.') || 'body', message: i.message }));
      const message = details.map((d) => `${d.path}: ${d.message}`).join('; ');
      return Promise.reject(new AppError('JN_REQUEST_INVALID', 400, message, { details }));
    }
    return this.trigger(name, 'on_demand', parsed.data);
  }

  /** A schedule's tick: runs the job if this process leads (always without a lock). */
  async scheduled(name: string): Promise<void> {
    const { lock, logger } = this.opts;
    try {
      if (lock !== undefined && !(await lock.leads())) return;
      await this.trigger(name, 'scheduled');
    } catch (error) {
      // Busy with an on-demand run over another input (e.g. a past range): this tick is skipped.
      if (error instanceof AppError && error.code === 'JN_JOB_BUSY')
        logger.info({ job: name }, 'scheduled run skipped: the job is running on demand');
      else logger.error({ job: name, err: error }, 'scheduled job not started');
    }
  }

  private trigger(name: string, trigger: Trigger, input?: unknown): Promise<JobState> {
    const spec = this.specs.find((s) => s.name === name);
    if (spec === undefined) return Promise.reject(new Error(`unknown job ${name}`));
    const key = JSON.stringify(input ?? null);
    const running = this.inFlight.get(name);
    if (running !== undefined && running.input === key) return running.done;
    if (running !== undefined)
      return Promise.reject(new AppError('JN_JOB_BUSY', 409, `job "${name}" is running with another input`));
    const done = this.locked(spec, trigger, input)
      .finally(() => this.inFlight.delete(name))
      .then(() => this.state(spec));
    this.inFlight.set(name, { done, input: key });
    return done;
  }

  /** Runs `spec` under its cluster-wide lock, if there is one. */
  private async locked(spec: JobSpec, trigger: Trigger, input: unknown): Promise<void> {
    const now = this.opts.now ?? Date.now;
    const askedAtMs = now();
    const lease = this.opts.lock === undefined ? noLease : await this.opts.lock.acquire(spec.name);
    if (lease === undefined) {
      if (trigger === 'on_demand')
        throw new AppError('JN_JOB_BUSY', 409, `job "${spec.name}" is running on another process`);
      this.opts.logger.info({ job: spec.name }, 'scheduled run skipped: the job is running on another process');
      await this.record({ job: spec.name, trigger, startedAtMs: askedAtMs, finishedAtMs: now(), outcome: 'skipped' });
      return;
    }
    let run: JobRun;
    try {
      run = await this.execute(spec, lease, input);
    } finally {
      await lease.release();
    }
    await this.record({
      job: spec.name,
      trigger,
      startedAtMs: Date.parse(run.startedAt),
      finishedAtMs: Date.parse(run.finishedAt ?? run.startedAt),
      outcome: run.outcome === 'ok' ? 'ok' : 'failed',
      ...(run.outcome === 'ok' ? { result: run.detail } : { error: String(run.detail) }),
    });
  }

  /** One run: its outcome is recorded as the job's last run, never thrown. */
  private async execute(spec: JobSpec, lease: JobLease, input: unknown): Promise<JobRun> {
    const name = spec.name;
    const now = this.opts.now ?? Date.now;
    const startedAt = new Date(now()).toISOString();
    this.last.set(name, { startedAt, outcome: 'running' });
    const started = performance.now();
    let run: JobRun;
    try {
      const detail = await spec.run(input);
      const lost = lease.lost();
      // Its lock gone, another process may have run the job alongside: the run is not trusted.
      run =
        lost === undefined
          ? { startedAt, finishedAt: new Date(now()).toISOString(), outcome: 'ok', detail }
          : {
              startedAt,
              finishedAt: new Date(now()).toISOString(),
              outcome: 'failed',
              detail: `job lock lost during the run: ${lost.message}`,
            };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      run = { startedAt, finishedAt: new Date(now()).toISOString(), outcome: 'failed', detail: message };
      this.opts.logger.error({ job: name, err: error }, 'job failed');
    }
    this.last.set(name, run);
    if (run.outcome === 'ok')
      this.opts.logger.info({ job: name, ms: Math.round(performance.now() - started) }, 'job done');
    else if (lease.lost() !== undefined) this.opts.logger.error({ job: name }, 'job failed: its lock was lost');
    return run;
  }

  /** Appends a run to the shared history, if there is one; a failure there is logged, never thrown. */
  private async record(run: Omit<JobRunRecord, 'processId'>): Promise<void> {
    const history = this.opts.history;
    if (history === undefined) return;
    await history
      .record({ ...run, processId: history.processId })
      .catch((error: unknown) => this.opts.logger.warn({ job: run.job, err: error }, 'recording the job run failed'));
  }

  private state(spec: JobSpec): JobState {
    return {
      name: spec.name,
      schedule: spec.schedule,
      description: spec.description,
      running: this.inFlight.has(spec.name),
      lastRun: this.last.get(spec.name) ?? null,
    };
  }
}
