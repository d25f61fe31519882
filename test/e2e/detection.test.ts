import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFleet } from '../../simulator/fleet.js';
import type { Label } from '../../simulator/labels.js';
import { planScenario } from '../../simulator/planner.js';
import { FleetPublisher } from '../../simulator/publisher.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';

const H = 3_600_000;

interface Anomaly {
  type: string;
  scope: string;
  start: string;
  end: string;
  evidence: Record<string, unknown>;
}

/**
 * Detection end to end: a simulated city with labelled stuck meters and spikes is published
 * through the real broker with gateway credentials; the detection job finds them.
 */
describe('anomaly detection from simulator data through the real broker', () => {
  let t: TestPlatform;
  let labels: readonly Label[] = [];
  const toMs = Math.floor(Date.now() / H) * H - 2 * H;
  const fromMs = toMs - 21 * 24 * H;

  beforeAll(async () => {
    t = await startTestPlatform();
    const fleet = buildFleet({ seed: 11, districts: 1, institutions: 3, intervalS: 3600 });
    expect((await t.api('PUT', '/api/v1/registry', fleet.registry)).status).toBe(200);
    // Anomalies only in the last week, after two weeks of normal history.
    const scenario = planScenario(fleet, {
      seed: 5,
      fromMs: toMs - 7 * 24 * H,
      toMs,
      anomalyRate: 4,
      kinds: ['stuck', 'spike'],
      intervalS: 3600,
    });
    labels = scenario.labels;
    const publisher = new FleetPublisher({
      fleet,
      brokerUrl: `mqtt://127.0.0.1:${t.platform.mqttPort}`,
      intervalS: 3600,
      scenario,
    });
    await publisher.backfill(fromMs, toMs);
    await publisher.close();
    await t.platform.pipeline.drain();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('finds the labelled stuck meters and spikes, once, with evidence', async () => {
    expect(labels.some((l) => l.kind === 'stuck')).toBe(true);
    expect(labels.some((l) => l.kind === 'spike')).toBe(true);
    const run = await t.api<{ lastRun: { outcome: string; detail: { found: number; new: number } } }>(
      'POST',
      '/api/v1/jobs/detect-hourly/run',
    );
    expect(run.body.lastRun.outcome, JSON.stringify(run.body)).toBe('ok');
    const again = await t.api<{ lastRun: { detail: { new: number } } }>('POST', '/api/v1/jobs/detect-hourly/run');
    expect(again.body.lastRun.detail.new).toBe(0);
    const res = await t.api<{ anomalies: Anomaly[] }>('GET', '/api/v1/anomalies?from=2020-01-01&to=2100-01-01');
    const events = res.body.anomalies;
    const overlaps = (e: Anomaly, l: Label) =>
      Date.parse(e.start) < Date.parse(l.end) + H && Date.parse(e.end) > Date.parse(l.start) - H;
    for (const [kind, type] of [
      ['stuck', 'flat'],
      ['spike', 'spike'],
    ] as const) {
      const wanted = labels.filter((l) => l.kind === kind && 'meter' in l);
      const found = wanted.filter((l) =>
        events.some((e) => e.type === type && e.scope === `meter:${(l as { meter: string }).meter}` && overlaps(e, l)),
      );
      // Most labelled events are found (the bench scores the detectors on a whole city).
      expect(found.length, `${kind}: ${found.length} of ${wanted.length}`).toBeGreaterThanOrEqual(
        Math.ceil(wanted.length * 0.6),
      );
    }
    const flat = events.find((e) => e.type === 'flat');
    expect(flat?.evidence).toMatchObject({
      observed: expect.any(Number),
      expected: expect.any(Number),
      historyDays: expect.any(Number),
    });
  });

  it('runs the nightly detectors and the target check on demand', async () => {
    for (const job of ['detect-daily', 'detect-targets']) {
      const run = await t.api<{ lastRun: { outcome: string } }>('POST', `/api/v1/jobs/${job}/run`);
      expect(run.body.lastRun.outcome, job).toBe('ok');
    }
    const jobs = await t.api<{ jobs: { name: string; lastRun: { outcome: string } | null }[] }>('GET', '/api/v1/jobs');
    expect(jobs.body.jobs.filter((j) => j.name.startsWith('detect')).every((j) => j.lastRun?.outcome === 'ok')).toBe(
      true,
    );
  });
});
