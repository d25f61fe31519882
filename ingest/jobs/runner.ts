import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';

/** A scheduled job: a cron expression in the tenant's time zone and what it does. */
export interface JobSpec {
  readonly name: string;
  /** Cron expression (minute hour day month weekday), in the runner's time zone. */
  readonly schedule: string;
  readonly description: string;
  /** Does the work; what it returns is shown as the run's detail. */
  readonly run: () => Promise<unknown>;
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
 * Runs jobs on their cron schedules (node-cron) and on demand, never two runs of one job at once:
 * a trigger while a run is in progress joins that run.
 */
export class JobRunner {
  private readonly tasks: ScheduledTask[] = [];
  private readonly inFlight = new Map<string, Promise<JobState>>();
  private readonly last = new Map<string, JobRun>();

  constructor(
    private readonly specs: readonly JobSpec[],
    private readonly opts: { timeZone: string; logger: Logger; now?: () => number },
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
          await this.run(spec.name);
        },
        { timezone: this.opts.timeZone, name: spec.name, noOverlap: true },
      );
      this.tasks.push(task);
    }
  }

  /** Stops the schedules and waits for runs in progress. */
  async stop(): Promise<void> {
    for (const task of this.tasks.splice(0)) await task.destroy();
    await Promise.allSettled([...this.inFlight.values()]);
  }

  /** Every job with its last run. */
  list(): JobState[] {
    return this.specs.map((s) => this.state(s));
  }

  /** Runs a job now, or joins its run in progress; resolves with its state after the run. */
  run(name: string): Promise<JobState> {
    const spec = this.specs.find((s) => s.name === name);
    if (spec === undefined) return Promise.reject(new Error(`unknown job ${name}`));
    const running = this.inFlight.get(name);
    if (running !== undefined) return running;
    const now = this.opts.now ?? Date.now;
    const startedAt = new Date(now()).toISOString();
    this.last.set(name, { startedAt, outcome: 'running' });
    const started = performance.now();
    const done = spec
      .run()
      .then(
        (detail) => {
          this.last.set(name, { startedAt, finishedAt: new Date(now()).toISOString(), outcome: 'ok', detail });
          this.opts.logger.info({ job: name, ms: Math.round(performance.now() - started) }, 'job done');
        },
        (error: unknown) => {
          const message = error instanceof Error ? error.message : String(error);
          this.last.set(name, {
            startedAt,
            finishedAt: new Date(now()).toISOString(),
            outcome: 'failed',
            detail: message,
          });
          this.opts.logger.error({ job: name, err: error }, 'job failed');
        },
      )
      .then(() => {
        this.inFlight.delete(name);
        return this.state(spec);
      });
    this.inFlight.set(name, done);
    return done;
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
