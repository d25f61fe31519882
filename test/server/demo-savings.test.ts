/**
 * The demo's weather and savings project (issue 17, item 7; issue 18): the scenario retrofits one
 * institution's electricity to 88 % from a local midnight, the demo station reports the simulator's
 * own temperatures, and after the first start the savings project of that retrofit finds the
 * saving the simulator planted.
 */
import { rm } from 'node:fs/promises';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { SavingsAnswer } from '../../core/domain/savings-projects.js';
import { bucketStart, formatLocalIso } from '../../core/domain/time.js';
import { DEMO_FLEET, startDemo } from '../../server/demo.js';
import { DEMO_SAVINGS_PROJECT_ID, DEMO_WEATHER_STATION, demoTemperatures } from '../../server/demo-savings.js';
import { DEMO_RETROFIT, demoScenario, withMeterTree } from '../../server/demo-scenario.js';
import { buildFleet } from '../../simulator/fleet.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';

const TZ = 'Asia/Shanghai';
const DAY_MS = 86_400_000;

describe('the demo retrofit (pure)', () => {
  const tree = withMeterTree(buildFleet({ ...DEMO_FLEET, intervalS: 900 }));
  const window = {
    fromMs: Date.UTC(2026, 8, 1, 16),
    toMs: Date.UTC(2026, 8, 1, 16) + 60 * DAY_MS,
    timeZone: TZ,
    intervalS: 900,
  };
  const keep = { ...tree, keepMeterId: tree.fleet.meters[0]?.id ?? '' };

  it('plants one retrofit at a local midnight on an institution nothing else touches, only when asked', () => {
    const { scenario, showcase } = demoScenario(tree.fleet, window, keep, { retrofit: true });
    const labels = scenario.labels.filter((l) => l.kind === 'retrofit');
    expect(labels).toHaveLength(1);
    const label = labels[0];
    if (label?.kind !== 'retrofit') throw new Error('no retrofit');
    expect(showcase.retrofit).toEqual({
      institutionId: label.institution,
      atMs: Date.parse(label.start),
      factor: 0.88,
    });
    const atMs = showcase.retrofit?.atMs ?? 0;
    expect(bucketStart(atMs, 'day', TZ)).toBe(atMs);
    expect(atMs).toBeGreaterThan(window.fromMs + DEMO_RETROFIT.atShare * 60 * DAY_MS);
    // Every electricity meter of the institution, and nothing else planted on its buildings.
    const buildings = new Set(
      tree.fleet.registry.buildings.filter((b) => b.institutionId === label.institution).map((b) => b.id),
    );
    const electricity = tree.fleet.meters.filter((m) => buildings.has(m.buildingId) && m.energy === 'electricity');
    expect([...label.meters].sort()).toEqual(electricity.map((m) => m.id).sort());
    const touched = scenario.labels.filter((l) => l !== label && 'meter' in l && label.meters.includes(l.meter));
    expect(touched).toEqual([]);
    expect(demoScenario(tree.fleet, window, keep).scenario.labels.some((l) => l.kind === 'retrofit')).toBe(false);
  });

  it('reports the simulator temperature on whole UTC hours, colder at night than in the afternoon', () => {
    const obs = demoTemperatures(window.fromMs + 1, window.fromMs + DAY_MS, TZ);
    expect(obs).toHaveLength(23);
    expect(obs.every((o) => o.tsMs % 3_600_000 === 0)).toBe(true);
    const at = (localHour: number) =>
      obs.find((o) => formatLocalIso(o.tsMs, TZ).slice(11, 13) === String(localHour).padStart(2, '0'));
    expect(at(15)?.temperatureC).toBeGreaterThan(at(3)?.temperatureC ?? Number.POSITIVE_INFINITY);
  });
});

describe('the demo city proves its retrofit (issue 18 in the demo)', () => {
  let t: TestPlatform | undefined;
  afterAll(async () => {
    await t?.close();
    if (t) await rm(t.dataDir, { recursive: true, force: true });
  });

  it('after the first start: a station with hours, a savings project that finds the planted 12 %', async () => {
    t = await startTestPlatform({ DEMO: 'on', DEMO_DAYS: '60', DEMO_INTERVAL_S: '3600', TIMEZONE: TZ });
    const demo = await startDemo(t.platform, pino({ level: 'silent' }));
    await demo.ready;
    await demo.stop();
    const retrofit = demo.showcase?.retrofit;
    expect(retrofit).toBeDefined();
    expect(t.platform.registry.get().weatherStations).toEqual([{ ...DEMO_WEATHER_STATION }]);

    const day = (ms: number) => formatLocalIso(ms, TZ).slice(0, 10);
    const weather = await t.api<{ hoursMissing: number; buckets: { hoursObserved: number }[] }>(
      'GET',
      `/api/v1/weather/${DEMO_WEATHER_STATION.id}?from=${day(Date.now() - 10 * DAY_MS)}&to=${day(Date.now() - DAY_MS)}&interval=day`,
    );
    expect(weather.status).toBe(200);
    expect(weather.body.buckets.map((b) => b.hoursObserved)).toEqual(Array(9).fill(24));
    expect(weather.body.hoursMissing).toBe(0);

    const res = await t.api<SavingsAnswer>('GET', `/api/v1/savings-projects/${DEMO_SAVINGS_PROJECT_ID}`);
    expect(res.status).toBe(200);
    const answer = res.body;
    expect(answer.project.scope).toBe(`institution:${retrofit?.institutionId}`);
    expect(answer.project.reportingFrom).toBe(day(retrofit?.atMs ?? 0));
    // The simulator planted 12 % (factor 0.88) on every electricity meter of the institution.
    expect(answer.reporting.savingsPct).toBeGreaterThan(8);
    expect(answer.reporting.savingsPct).toBeLessThan(16);
    expect(answer.reporting.actual).toBeGreaterThan(0);
    expect(answer.model.fit.n).toBeGreaterThanOrEqual(30);
  }, 600_000);
});
