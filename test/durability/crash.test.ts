import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_ADMIN_TOKEN } from '../helpers/platform.js';
import { smallCity } from '../helpers/registry.js';
import { waitFor } from '../helpers/wait.js';
import { embeddedPlatformProcess, type PlatformProcess } from './platform-process.js';
import { type Published, runGateway, seeded } from './publisher.js';

/** Seed of the kill times and register steps; a failing run repeats with the same seed. */
const SEED = 20261123;
const HOUR_MS = 3_600_000;
const STEPS = 500;
const START_MS = Date.parse('2026-01-01T00:00:00Z');
const CITY = smallCity();

describe('acknowledged means stored: SIGKILL at random moments while gateways publish', () => {
  let dataDir = '';
  let platform: PlatformProcess | undefined;

  afterAll(async () => {
    await platform?.stop();
    if (dataDir !== '') await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps every acknowledged reading exactly once and the totals exact', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'jieneng-crash-'));
    const { proc, api, mqttPort } = await embeddedPlatformProcess(dataDir);
    platform = proc;
    const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
      const res = await fetch(`${api}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${TEST_ADMIN_TOKEN}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      expect(res.status, `${method} ${path}`).toBe(200);
      return (await res.json()) as T;
    };
    await proc.start();
    await call('PUT', '/api/v1/registry', CITY);

    const random = seeded(SEED);
    const acked: Published[] = [];
    const publishing = CITY.gateways.map((gw) =>
      runGateway({
        url: () => `mqtt://127.0.0.1:${mqttPort}`,
        gatewayId: gw.id,
        secret: gw.secret,
        meters: CITY.meters.filter((m) => m.gatewayId === gw.id).map((m) => m.id),
        steps: STEPS,
        startMs: START_MS,
        stepMs: HOUR_MS,
        paceMs: 25,
        random,
        acked,
      }),
    );
    // Four kills at seeded moments over the publishing, each followed by a restart.
    let kills = 0;
    for (let k = 0; k < 4; k++) {
      await new Promise((resolve) => setTimeout(resolve, 1500 + random() * 3000));
      const before = acked.length;
      await proc.kill();
      kills++;
      await proc.start();
      expect(acked.length, 'publishing goes on between kills').toBeGreaterThanOrEqual(before);
    }
    await Promise.all(publishing);
    expect(kills).toBe(4);

    const byMeter = new Map<string, Published[]>();
    for (const r of acked) byMeter.set(r.meter, [...(byMeter.get(r.meter) ?? []), r]);
    for (const meter of CITY.meters) {
      const expected = (byMeter.get(meter.id) ?? []).sort((a, b) => a.tsMs - b.tsMs);
      expect(expected).toHaveLength(STEPS);
      // The last acknowledged messages may still wait for their batch: poll until the count is reached.
      const stored = await waitFor(
        () =>
          call<{ readings: { ts: string; value: number }[] }>(
            'GET',
            `/api/v1/meters/${meter.id}/readings?from=2025-12-31&to=2026-03-01`,
          ),
        (s) => s.readings.length >= expected.length,
      );
      // Keys are unique by construction of the store; compare the whole sets.
      const storedKeys = stored.readings.map((r) => `${Date.parse(r.ts)}=${r.value}`);
      const missing = expected.map((r) => `${r.tsMs}=${r.value}`).filter((k) => !storedKeys.includes(k));
      expect(missing, `${meter.id}: acknowledged but not stored`).toEqual([]);
      expect(storedKeys).toEqual(expected.map((r) => `${r.tsMs}=${r.value}`));
      const first = expected[0] as Published;
      const last = expected.at(-1) as Published;
      const want = (last.value - first.value) * meter.multiplier;
      const total = await waitFor(
        async () =>
          (
            await call<{ total: number }>(
              'GET',
              `/api/v1/consumption?scope=meter:${meter.id}&energy=${meter.energy}&from=2025-12-31&to=2026-03-01&interval=month`,
            )
          ).total,
        (t) => Math.abs(t - want) < 1e-6,
      );
      expect(total).toBeCloseTo(want, 6);
    }
  }, 180_000);
});
