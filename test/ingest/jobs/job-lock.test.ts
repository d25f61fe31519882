import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../core/errors.js';
import { PostgresJobLock } from '../../../core/storage/postgres/job-lock.js';
import { JobRunner, type JobSpec } from '../../../ingest/jobs/runner.js';
import { postgresSkipReason, startPostgres, type TestPostgres } from '../../helpers/postgres.js';

const skip = postgresSkipReason();
const logger = pino({ level: 'silent' });

/** A logger that keeps the messages it is given. */
function capturing(): { logger: pino.Logger; messages: string[] } {
  const messages: string[] = [];
  const write = (line: string) => {
    messages.push(String((JSON.parse(line) as { msg?: string }).msg));
  };
  return { logger: pino({ level: 'info' }, { write }), messages };
}

/** A job scheduled every second whose run waits for the test to open its gate. */
function gatedJob(runs: Run[], id: string, gate: Promise<void>): JobSpec {
  return {
    name: 'long',
    schedule: '* * * * * *',
    description: 'waits for the test',
    run: async () => {
      runs.push({ runner: id, second: Math.floor(Date.now() / 1000) });
      await gate;
      return 'done';
    },
  };
}

/** Ends the server session that holds advisory lock `key` (by its low 32 bits); returns how many. */
async function killHolder(server: TestPostgres, url: string, key: string): Promise<number> {
  const rows = await server.query(
    url,
    `SELECT pg_terminate_backend(pid) AS ok FROM pg_locks
     WHERE locktype = 'advisory' AND granted AND objid::bigint = (hashtext($1)::bigint & 4294967295)`,
    [key],
  );
  return rows.filter((r) => r.ok === true).length;
}

/** One run: which runner ran it, and in which second (epoch). */
interface Run {
  readonly runner: string;
  readonly second: number;
}

/**
 * Issue "Production parity", item 2: two runners (two processes of a cluster) on one PostgreSQL,
 * the same job scheduled every second on both.
 */
describe.skipIf(skip !== undefined)('scheduled jobs on one process of a cluster (PostgreSQL advisory locks)', () => {
  let server: TestPostgres;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** A runner with `lock`, whose job `tick` runs every second and records its runs in `runs`. */
  const runnerOf = (id: string, lock: PostgresJobLock, runs: Run[], extra: JobSpec[] = []) =>
    new JobRunner(
      [
        {
          name: 'tick',
          schedule: '* * * * * *',
          description: 'records its runs',
          run: async () => {
            runs.push({ runner: id, second: Math.floor(Date.now() / 1000) });
          },
        },
        ...extra,
      ],
      { timeZone: 'UTC', logger, lock },
    );

  const leaderOf = (runs: readonly Run[]) => runs.at(-1)?.runner;

  it('runs a schedule once per tick across both, on the leader; the other takes over when the leader stops', async () => {
    const url = await server.createDatabase();
    const runs: Run[] = [];
    const locks = { a: await PostgresJobLock.open(url), b: await PostgresJobLock.open(url) };
    const runners = { a: runnerOf('a', locks.a, runs), b: runnerOf('b', locks.b, runs) };
    runners.a.start();
    runners.b.start();
    try {
      await expect.poll(() => runs.length, { timeout: 6000, interval: 100 }).toBeGreaterThanOrEqual(3);
      const seconds = runs.map((r) => r.second);
      expect(new Set(seconds).size, `one run per tick: ${JSON.stringify(runs)}`).toBe(seconds.length);
      const leader = leaderOf(runs) as 'a' | 'b';
      const other = leader === 'a' ? 'b' : 'a';
      expect(runs.every((r) => r.runner === leader)).toBe(true);
      // The leader goes away (its connection closes): the other leads from its next tick.
      await runners[leader].stop();
      await locks[leader].close();
      const before = runs.length;
      await expect.poll(() => runs.slice(before).filter((r) => r.runner === other).length, { timeout: 4000 }).toBe(2);
      const later = runs.slice(before).map((r) => r.second);
      expect(new Set(later).size).toBe(later.length);
    } finally {
      await Promise.all([runners.a.stop(), runners.b.stop()]);
      await Promise.all([locks.a.close(), locks.b.close()]);
    }
  });

  it('moves the schedules when the leader’s connection is killed, and keeps one run per tick', async () => {
    const url = await server.createDatabase();
    const runs: Run[] = [];
    const locks = {
      a: await PostgresJobLock.open(`${url}?application_name=jieneng-lock-a`),
      b: await PostgresJobLock.open(`${url}?application_name=jieneng-lock-b`),
    };
    const runners = { a: runnerOf('a', locks.a, runs), b: runnerOf('b', locks.b, runs) };
    runners.a.start();
    runners.b.start();
    try {
      await expect.poll(() => runs.length, { timeout: 6000, interval: 100 }).toBeGreaterThanOrEqual(2);
      const leader = leaderOf(runs) as 'a' | 'b';
      const killed = await server.query(
        url,
        'SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1',
        [`jieneng-lock-${leader}`],
      );
      expect(killed.map((r) => r.ok)).toEqual([true]);
      const before = runs.length;
      // Whoever asks first at the next tick leads; runs go on, still once per tick.
      await expect.poll(() => runs.length - before, { timeout: 5000, interval: 100 }).toBeGreaterThanOrEqual(3);
      const seconds = runs.map((r) => r.second);
      expect(new Set(seconds).size, `one run per tick: ${JSON.stringify(runs)}`).toBe(seconds.length);
    } finally {
      await Promise.all([runners.a.stop(), runners.b.stop()]);
      await Promise.all([locks.a.close(), locks.b.close()]);
    }
  });

  it('lets no other process start a job whose run outlives the leader’s lost connection, until it ends', async () => {
    const url = await server.createDatabase();
    const runs: Run[] = [];
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const logs = { a: capturing(), b: capturing() };
    const locks = { a: await PostgresJobLock.open(url), b: await PostgresJobLock.open(url) };
    const runnerOn = (id: 'a' | 'b') =>
      new JobRunner([gatedJob(runs, id, gate)], { timeZone: 'UTC', logger: logs[id].logger, lock: locks[id] });
    const runners = { a: runnerOn('a'), b: runnerOn('b') };
    runners.a.start();
    runners.b.start();
    try {
      await expect.poll(() => runs.length, { timeout: 5000, interval: 50 }).toBe(1);
      const leader = leaderOf(runs) as 'a' | 'b';
      const other = leader === 'a' ? 'b' : 'a';
      // The leadership connection dies mid-run: the other process leads from its next tick…
      expect(await killHolder(server, url, 'jieneng:jobs:leader')).toBe(1);
      const skipped = () =>
        logs[other].messages.filter((m) => m === 'scheduled run skipped: the job is running on another process').length;
      // …and finds the job held by the run still in progress, tick after tick.
      await expect.poll(skipped, { timeout: 6000, interval: 100 }).toBeGreaterThanOrEqual(2);
      expect(runs, 'no second run while the first one lasts').toHaveLength(1);
      const refused = await runners[other].run('long').catch((error: unknown) => error);
      expect((refused as AppError).code).toBe('JN_JOB_BUSY');
      open();
      await expect.poll(() => runners[leader].list()[0]?.lastRun?.outcome, { timeout: 5000 }).toBe('ok');
      // Ended: the new leader runs it at its next tick.
      await expect
        .poll(() => runs.filter((r) => r.runner === other).length, { timeout: 5000 })
        .toBeGreaterThanOrEqual(1);
    } finally {
      open();
      await Promise.all([runners.a.stop(), runners.b.stop()]);
      await Promise.all([locks.a.close(), locks.b.close()]);
    }
  });

  it('marks failed a run whose own lock connection was lost, and logs it', async () => {
    const url = await server.createDatabase();
    const runs: Run[] = [];
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const log = capturing();
    const lock = await PostgresJobLock.open(url, log.logger);
    const runner = new JobRunner([gatedJob(runs, 'a', gate)], { timeZone: 'UTC', logger: log.logger, lock });
    try {
      const done = runner.run('long');
      await expect.poll(() => runs.length).toBe(1);
      expect(await killHolder(server, url, 'jieneng:job:long')).toBe(1);
      await expect
        .poll(() => log.messages.some((m) => m.startsWith('job lock connection lost during the run')))
        .toBe(true);
      open();
      const state = await done;
      expect(state.lastRun?.outcome).toBe('failed');
      expect(String(state.lastRun?.detail)).toMatch(/^job lock lost during the run/);
    } finally {
      open();
      await runner.stop();
      await lock.close();
    }
  });

  it('refuses an on-demand run (JN_JOB_BUSY) while the job runs on the other process', async () => {
    const url = await server.createDatabase();
    const locks = { a: await PostgresJobLock.open(url), b: await PostgresJobLock.open(url) };
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let slowRuns = 0;
    const slow: JobSpec = {
      name: 'slow',
      schedule: '0 0 1 1 *',
      description: 'waits for the test',
      run: async () => {
        slowRuns++;
        await gate;
      },
    };
    const runners = { a: runnerOf('a', locks.a, [], [slow]), b: runnerOf('b', locks.b, [], [slow]) };
    try {
      const onA = runners.a.run('slow');
      await expect.poll(() => slowRuns).toBe(1);
      const refused = await runners.b.run('slow').catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(AppError);
      expect((refused as AppError).code).toBe('JN_JOB_BUSY');
      expect((refused as AppError).statusCode).toBe(409);
      release();
      expect((await onA).lastRun?.outcome).toBe('ok');
      // Released: B may run it now.
      expect((await runners.b.run('slow')).lastRun?.outcome).toBe('ok');
      expect(slowRuns).toBe(2);
    } finally {
      release();
      await Promise.all([runners.a.stop(), runners.b.stop()]);
      await Promise.all([locks.a.close(), locks.b.close()]);
    }
  });
});
