import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '../../../core/errors.js';
import { JobRunner, type JobSpec } from '../../../ingest/jobs/runner.js';

/** A job taking `{"year"}` (as data-audit does) whose runs wait for `release` and record their input. */
function yearJob(seen: unknown[], gate: Promise<void>): JobSpec {
  return {
    name: 'yearly',
    schedule: '0 3 15 1 *',
    description: 'a job with an input',
    input: z.object({ year: z.number().int() }).strict().optional(),
    run: async (input) => {
      seen.push(input);
      await gate;
      return { input };
    },
  };
}

describe('on-demand job input (POST /api/v1/jobs/{name}/run with a body, issue 16 item 4)', () => {
  const logger = pino({ level: 'silent' });

  it('gives a run its parsed input, a scheduled run none, and refuses an input the schema refuses', async () => {
    const seen: unknown[] = [];
    const runner = new JobRunner([yearJob(seen, Promise.resolve())], { timeZone: 'UTC', logger });
    const state = await runner.run('yearly', { year: 2024 });
    expect(state.lastRun).toMatchObject({ outcome: 'ok', detail: { input: { year: 2024 } } });
    await runner.scheduled('yearly');
    const refused = runner.run('yearly', { year: 'last' });
    await expect(refused).rejects.toBeInstanceOf(AppError);
    await expect(refused).rejects.toMatchObject({ code: 'JN_REQUEST_INVALID', statusCode: 400 });
    expect(seen).toEqual([{ year: 2024 }, undefined]);
    await runner.stop();
  });

  it('joins a run in progress with the same input, and refuses one with another (JN_JOB_BUSY)', async () => {
    const seen: unknown[] = [];
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const runner = new JobRunner([yearJob(seen, gate)], { timeZone: 'UTC', logger });
    const first = runner.run('yearly', { year: 2024 });
    const joined = runner.run('yearly', { year: 2024 });
    await expect(runner.run('yearly', { year: 2023 })).rejects.toMatchObject({ code: 'JN_JOB_BUSY', statusCode: 409 });
    release();
    expect(await joined).toEqual(await first);
    expect(seen).toEqual([{ year: 2024 }]);
    await runner.stop();
  });

  it('skips a scheduled tick while an on-demand run over another input is running, without an error', async () => {
    const seen: unknown[] = [];
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const lines: { level: number; msg: string }[] = [];
    const recording = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const runner = new JobRunner([yearJob(seen, gate)], { timeZone: 'UTC', logger: recording });
    const onDemand = runner.run('yearly', { year: 2024 });
    await runner.scheduled('yearly');
    release();
    await onDemand;
    expect(seen).toEqual([{ year: 2024 }]);
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
    expect(lines.some((l) => l.msg.includes('scheduled run skipped'))).toBe(true);
    await runner.stop();
  });

  it('ignores a body given to a job that takes no input', async () => {
    const runner = new JobRunner(
      [{ name: 'plain', schedule: '0 4 * * *', description: 'no input', run: async (input) => ({ input }) }],
      { timeZone: 'UTC', logger },
    );
    expect((await runner.run('plain', { year: 2024 })).lastRun?.detail).toEqual({ input: undefined });
    await runner.stop();
  });
});
