import { rm } from 'node:fs/promises';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { floorHour, formatLocalIso } from '../../core/domain/time.js';
import { startDemo } from '../../server/demo.js';
import { DEMO_TREE_UNMETERED_SHARE } from '../../server/demo-scenario.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';

interface Anomalies {
  anomalies: { id: string; type: string; scope: string; status: string }[];
}
interface Progress {
  progress: { scope: string; period: string; status: string; toDate: number; value: number }[];
}
interface Balance {
  meters: { meterId: string; share: number | null; flagged: boolean }[];
}
interface Series {
  series: { start: string; value: number }[];
}

const DAYS = 21;
const env = { DEMO: 'on', DEMO_DAYS: String(DAYS), DEMO_INTERVAL_S: '900', TIMEZONE: 'Asia/Shanghai' };
const localDay = (offsetDays: number) =>
  new Date(Date.now() + 8 * 3_600_000 + offsetDays * 86_400_000).toISOString().slice(0, 10);

describe('the demo city has content on every page (issue 17, item 7)', () => {
  let t: TestPlatform | undefined;
  afterAll(async () => {
    await t?.close();
    if (t) await rm(t.dataDir, { recursive: true, force: true });
  });

  it('after its first start: anomalies of five types, targets in two states, an imbalanced tree, a replacement without a spike; a second start adds nothing', async () => {
    t = await startTestPlatform(env);
    const logs: { byType?: Record<string, number> }[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => logs.push(JSON.parse(line)) });
    const demo = await startDemo(t.platform, logger);
    await demo.ready;
    const showcase = demo.showcase;
    expect(showcase?.planted.map((p) => p.kind).sort()).toEqual(['after-hours', 'leak', 'spike', 'step', 'stuck']);

    const anomaliesQuery = `/api/v1/anomalies?from=${localDay(-DAYS - 2)}&to=${localDay(2)}`;
    const anomalies = (await t.api<Anomalies>('GET', anomaliesQuery)).body.anomalies;
    const types = [...new Set(anomalies.map((a) => a.type))].sort();
    expect(types.length).toBeGreaterThanOrEqual(5);
    expect(types).toEqual(expect.arrayContaining(['imbalance', 'offline', 'over_target']));
    expect(logs.some((l) => l.byType !== undefined)).toBe(true);
    // Detection ran through the job runner: its runs are in job history, as an admin's would be.
    const jobs = (await t.api<{ jobs: { name: string; lastRun: { outcome: string } | null }[] }>('GET', '/api/v1/jobs'))
      .body.jobs;
    for (const name of ['detect-hourly', 'detect-daily', 'detect-targets'])
      expect(jobs.find((j) => j.name === name)?.lastRun?.outcome).toBe('ok');

    // Targets: on track, at risk and over, across scopes.
    const registry = t.platform.registry.get();
    const year = localDay(0).slice(0, 4);
    const scopes = [
      'city',
      ...registry.districts.slice(0, 2).map((d) => `district:${d.id}`),
      ...registry.institutions.slice(1, 3).map((i) => `institution:${i.id}`),
    ];
    const statuses: string[] = [];
    for (const scope of scopes) {
      const progress = (await t.api<Progress>('GET', `/api/v1/targets/progress?scope=${scope}&year=${year}`)).body
        .progress;
      statuses.push(...progress.map((p) => p.status));
    }
    expect(new Set(statuses).size).toBeGreaterThanOrEqual(2);
    expect(statuses).toContain('over');

    // The tree: the main meter measures about DEMO_TREE_UNMETERED_SHARE more than its sub-meters add up to.
    const balance = (
      await t.api<Balance>(
        'GET',
        `/api/v1/balance?scope=building:${showcase?.treeBuildingId}&from=${localDay(-7)}&to=${localDay(-1)}`,
      )
    ).body;
    const parent = balance.meters.find((p) => p.meterId === showcase?.mainMeterId);
    expect(parent?.flagged).toBe(true);
    expect(parent?.share).toBeGreaterThan(DEMO_TREE_UNMETERED_SHARE / 2);

    // The replaced meter: its hourly consumption around the replacement has no spike.
    const replaced = showcase?.replaced;
    expect(replaced).toBeDefined();
    const hourly = (
      await t.api<Series>(
        'GET',
        `/api/v1/consumption?scope=meter:${replaced?.meterId}&from=${localDay(-DAYS)}&to=${localDay(1)}&interval=hour&energy=electricity`,
      )
    ).body.series;
    expect(hourly.length).toBeGreaterThan(24 * (DAYS - 3));
    const at = hourly.findIndex((p) => p.start === formatLocalIso(floorHour(replaced?.atMs ?? 0), 'Asia/Shanghai'));
    const dayBefore = hourly.slice(Math.max(0, at - 24), at).map((p) => p.value);
    expect(at).toBeGreaterThan(24);
    // Without the event the new register's start would read as a drop (or a wrap) of thousands of kWh.
    expect(hourly[at]?.value).toBeGreaterThanOrEqual(0);
    expect(hourly[at]?.value).toBeLessThanOrEqual(2 * Math.max(...dayBefore));
    expect(Math.min(...hourly.map((p) => p.value))).toBeGreaterThanOrEqual(0);

    // A second start on the same data directory adds no anomaly, target or event twice.
    const targetsBefore = (await t.api<{ targets: unknown[] }>('GET', '/api/v1/targets')).body.targets;
    await demo.stop();
    const dataDir = t.dataDir;
    await t.platform.stop();
    t = await startTestPlatform(env, dataDir);
    const again = await startDemo(t.platform, pino({ level: 'silent' }));
    await again.ready;
    await again.stop();
    const after = (await t.api<Anomalies>('GET', anomaliesQuery)).body.anomalies;
    expect(after.map((a) => a.id).sort()).toEqual(anomalies.map((a) => a.id).sort());
    expect((await t.api<{ targets: unknown[] }>('GET', '/api/v1/targets')).body.targets).toEqual(targetsBefore);
    const events = (await t.api<{ events: unknown[] }>('GET', `/api/v1/meters/${replaced?.meterId}/events`)).body
      .events;
    expect(events).toHaveLength(1);
  }, 300_000);
});
