import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveHourly, type HourlyConsumption } from '../../../core/domain/consumption.js';
import { formatLocalIso, localParts, localToEpochMs } from '../../../core/domain/time.js';
import { buildFleet } from '../../../simulator/fleet.js';
import type { Label } from '../../../simulator/labels.js';
import { RegisterClock } from '../../../simulator/registers.js';
import { scenarioFromLabels } from '../../../simulator/scenario.js';
import { startTestPlatform, type TestPlatform } from '../../helpers/platform.js';

const H = 3_600_000;
const DAY = 24 * H;
const TZ = 'Asia/Shanghai';
const HISTORY_DAYS = 62;

interface Anomaly {
  id: string;
  type: string;
  scope: string;
  start: string;
  end: string;
  evidence: Record<string, unknown>;
}
interface RangeRun {
  lastRun: {
    outcome: string;
    detail: {
      from: string;
      to: string;
      examinedFrom: string;
      examinedTo: string;
      steps: number;
      found: number;
      new: number;
      byType: Record<string, number>;
      calendar: string;
    };
  };
}
interface Refusal {
  code: string;
  details: { path: string; message: string }[];
}

/** Local midnight `n` days before today, and its local date. */
const now = Date.now();
const today = localParts(now, TZ);
const dayMs = (n: number) => localToEpochMs(TZ, today.year, today.month, today.day - n);
const date = (n: number) => formatLocalIso(dayMs(n), TZ).slice(0, 10);

/**
 * Detection over history (issue 17, item 5): 62 days of one office's hourly consumption are
 * back-filled (written as an import would, derived from the simulator's registers), with a water
 * leak planted 40 days ago and lights left on after hours 44 to 38 days ago: older than the 35 days
 * a scheduled run reads, found by a run over a range.
 */
describe('detection jobs over a past range ({"from","to"})', () => {
  let t: TestPlatform;
  const fleet = buildFleet({ seed: 17, districts: 1, institutions: 1, intervalS: 3600 });
  const institution = fleet.registry.institutions[0]?.id ?? '';
  const water = fleet.meters.find((m) => m.energy === 'water');
  const lit = fleet.meters.filter((m) => m.subItem === '01A00' || m.subItem === '01B00');
  const leakFromMs = dayMs(40) + 22 * H;
  const lightsFromMs = dayMs(44);
  const labels: Label[] = [
    {
      kind: 'leak',
      meter: water?.id ?? '',
      start: formatLocalIso(leakFromMs, TZ),
      end: formatLocalIso(dayMs(36) + 10 * H, TZ),
      extraM3PerH: Math.round((0.5 * (water?.annualNative ?? 0)) / 8.76) / 1000,
    },
    {
      kind: 'after-hours',
      institution,
      start: formatLocalIso(lightsFromMs, TZ),
      end: formatLocalIso(dayMs(38), TZ),
      nightStartH: 20,
      nightEndH: 7,
      extraKwByMeter: Object.fromEntries(lit.map((m) => [m.id, Math.round((0.8 * m.annualNative) / 87.6) / 100])),
    },
  ];
  const rows: HourlyConsumption[] = [];
  const fromMs = dayMs(HISTORY_DAYS);
  const toMs = Math.floor(now / H) * H;

  const anomalies = async (type: string) =>
    (await t.api<{ anomalies: Anomaly[] }>('GET', `/api/v1/anomalies?from=2000-01-01&to=2100-01-01&type=${type}`)).body
      .anomalies;
  const run = (job: string, body?: unknown, token?: string) =>
    t.api<RangeRun>('POST', `/api/v1/jobs/${job}/run`, body, token);

  beforeAll(async () => {
    t = await startTestPlatform({ TIMEZONE: TZ });
    const put = await t.api('PUT', '/api/v1/registry', fleet.registry);
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const scenario = scenarioFromLabels(labels, { fromMs, toMs, timeZone: TZ, intervalS: 3600 });
    fleet.registry.meters.forEach((meter, i) => {
      const sim = fleet.meters[i];
      if (sim === undefined) return;
      const clock = new RegisterClock(sim, TZ, scenario);
      const readings = [];
      for (let ts = fromMs - 3 * H; ts <= toMs + 3 * H; ts += H)
        readings.push({ tsMs: ts, value: clock.registerAt(ts) });
      rows.push(...deriveHourly(meter, readings, fromMs, toMs));
    });
    await t.platform.store.replaceHourly(
      fleet.registry.meters.map((m) => ({ meterId: m.id, fromMs, toMs })),
      rows,
    );
  });
  afterAll(async () => {
    await t?.close();
  });

  it('a scheduled-style run (no body) reads the last 35 days only and misses them', async () => {
    const res = await run('detect-daily');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.lastRun.outcome).toBe('ok');
    expect(Object.keys(res.body.lastRun.detail).sort()).toEqual(['found', 'new']);
    expect(await anomalies('leak')).toEqual([]);
    expect(await anomalies('after_hours')).toEqual([]);
  });

  it('a run over the range finds the leak and the after-hours load at their dates, once', async () => {
    const body = { from: date(50), to: date(30) };
    const res = await run('detect-daily', body);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.lastRun.outcome, JSON.stringify(res.body.lastRun)).toBe('ok');
    const detail = res.body.lastRun.detail;
    expect(detail).toMatchObject({ ...body, steps: 3, examinedFrom: formatLocalIso(dayMs(50), TZ) });
    expect(detail.examinedTo).toBe(formatLocalIso(dayMs(30), TZ));
    expect(detail.calendar).toMatch(/2026/);
    expect(detail.byType.leak).toBe(1);
    expect(detail.byType.after_hours).toBeGreaterThanOrEqual(1);
    expect(detail.new).toBe(detail.found);

    const [leak, ...moreLeaks] = await anomalies('leak');
    expect(moreLeaks).toEqual([]);
    expect(leak?.scope).toBe(`meter:${water?.id}`);
    // The first leaking night (01:00–05:00 after the leak starts at 22:00) to the last one.
    expect(Date.parse(leak?.start ?? '')).toBe(dayMs(39) + H);
    expect(Date.parse(leak?.end ?? '')).toBe(dayMs(36) + 5 * H);
    // After hours: whole local days from about the planted start (the first rest days of a run may
    // not stand out yet), overlapping the planted span.
    const lights = (await anomalies('after_hours')).filter(
      (a) => Date.parse(a.start) < dayMs(38) && Date.parse(a.end) > lightsFromMs,
    );
    expect(lights.length).toBeGreaterThanOrEqual(1);
    expect(lights.every((a) => a.scope === `institution:${institution}`)).toBe(true);
    const firstStartMs = Math.min(...lights.map((a) => Date.parse(a.start)));
    expect(Math.abs(firstStartMs - lightsFromMs)).toBeLessThanOrEqual(3 * DAY);

    const all = async () =>
      (await t.api<{ anomalies: Anomaly[] }>('GET', '/api/v1/anomalies?from=2000-01-01&to=2100-01-01')).body.anomalies;
    const before = await all();
    const again = await run('detect-daily', body);
    expect(again.body.lastRun.detail).toMatchObject({ found: detail.found, new: 0 });
    expect((await all()).map((a) => a.id).sort()).toEqual(before.map((a) => a.id).sort());
  });

  it('detect-hourly and detect-targets take a range too; a past month is judged on its total', async () => {
    const hourly = await run('detect-hourly', { from: date(45), to: date(40) });
    expect(hourly.body.lastRun).toMatchObject({ outcome: 'ok', detail: { steps: 1, notExamined: ['offline'] } });

    const monthStart = localToEpochMs(TZ, today.year, today.month - 1);
    const monthEnd = localToEpochMs(TZ, today.year, today.month);
    const p = localParts(monthStart, TZ);
    const period = `${p.year}-${String(p.month).padStart(2, '0')}`;
    const target = { scope: `institution:${institution}`, energy: 'electricity', period, value: 1, unit: 'kWh' };
    expect((await t.api('PUT', '/api/v1/targets', { targets: [target] })).status).toBe(200);
    const res = await run('detect-targets', { from: formatLocalIso(monthStart, TZ).slice(0, 10), to: date(0) });
    expect(res.body.lastRun.outcome, JSON.stringify(res.body.lastRun)).toBe('ok');
    expect(res.body.lastRun.detail).toMatchObject({ byType: { over_target: 1 }, new: 1 });
    const [over] = await anomalies('over_target');
    const electricityIds = new Set(fleet.meters.filter((m) => m.energy === 'electricity').map((m) => m.id));
    const totalKwh =
      rows
        .filter((r) => electricityIds.has(r.meterId) && r.hourStartMs >= monthStart && r.hourStartMs < monthEnd)
        .reduce((s, r) => s + r.amountMicro, 0) / 1e6;
    expect(over?.start).toBe(new Date(monthStart).toISOString());
    expect(over?.evidence).toMatchObject({ method: 'actual', status: 'over', expected: 1 });
    expect(over?.evidence.observed).toBeCloseTo(totalKwh, 3);
    expect(over?.evidence.forecast).toBeCloseTo(totalKwh, 3);
  });

  it('refuses a bad range with a 400 naming the field, and a non-admin', async () => {
    const refused = async (body: unknown, path: string) => {
      const res = await t.api<Refusal>('POST', '/api/v1/jobs/detect-daily/run', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.code).toBe('JN_REQUEST_INVALID');
      expect(res.body.details.map((d) => d.path)).toEqual([path]);
    };
    await refused({ from: '2025-02-30', to: date(1) }, 'from');
    await refused({ from: 'last month', to: date(1) }, 'from');
    await refused({ from: date(10) }, 'to');
    await refused({ from: date(10), to: '10 days ago' }, 'to');
    await refused({ from: date(10), to: date(20) }, 'to');
    await refused({ from: date(10), to: date(10) }, 'to');
    await refused({ from: date(-2), to: date(-3) }, 'from');
    await refused({ from: date(10), to: date(-5) }, 'to');
    await refused({ from: date(420), to: date(1) }, 'to');
    expect((await run('detect-targets', { from: date(400), to: date(0) })).status).toBe(200);

    const token = await t.api<{ token: string }>('POST', '/api/v1/tokens', {
      name: 'officer',
      role: 'officer',
      scopes: [`institution:${institution}`],
    });
    expect(token.status, JSON.stringify(token.body)).toBe(201);
    expect((await run('detect-daily', { from: date(50), to: date(30) }, token.body.token)).status).toBe(403);
  });
});
