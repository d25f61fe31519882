import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../core/config.js';
import { type JobSpec, withSchedules } from '../../../ingest/jobs/runner.js';

const spec = (name: string): JobSpec => ({ name, schedule: '0 4 * * *', description: name, run: async () => name });

describe('JOB_SCHEDULES: jobs’ cron schedules replaced by name', () => {
  it('parses name=expression pairs separated by ;', () => {
    const config = loadConfig({ JOB_SCHEDULES: 'detect-targets=* * * * * *; monthly-reports=0 3 1 * *' });
    expect(config.JOB_SCHEDULES).toEqual({ 'detect-targets': '* * * * * *', 'monthly-reports': '0 3 1 * *' });
    expect(loadConfig({}).JOB_SCHEDULES).toEqual({});
  });

  it('refuses a part without a name or an expression', () => {
    expect(() => loadConfig({ JOB_SCHEDULES: 'detect-targets' })).toThrow(ConfigError);
    expect(() => loadConfig({ JOB_SCHEDULES: '=* * * * *' })).toThrow(ConfigError);
  });

  it('replaces the named jobs’ schedules and refuses unknown names', () => {
    const specs = withSchedules([spec('a'), spec('b')], { b: '*/5 * * * * *' });
    expect(specs.map((s) => s.schedule)).toEqual(['0 4 * * *', '*/5 * * * * *']);
    expect(() => withSchedules([spec('a')], { c: '* * * * *' })).toThrow(/unknown job\(s\) c/);
  });
});
