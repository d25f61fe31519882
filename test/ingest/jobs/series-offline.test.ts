import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_COEFFICIENT_TABLE } from '../../../core/domain/energy.js';
import type { Meter, Registry } from '../../../core/domain/registry.js';
import { createMetrics } from '../../../core/metrics.js';
import { RegistryHolder } from '../../../core/registry-holder.js';
import { EmbeddedStore } from '../../../core/storage/duckdb/embedded-store.js';
import { detectFromSeries } from '../../../ingest/jobs/series-detection.js';

const H = 3_600_000;
const DAY = 24 * H;
const NOW = Date.parse('2026-11-20T08:30:00Z');

const meter = (id: string, extra: Partial<Meter> = {}): Meter => ({
  id,
  buildingId: 'b1',
  gatewayId: 'g1',
  energy: 'electricity',
  unit: 'kWh',
  multiplier: 1,
  intervalS: 900,
  ...extra,
});

const REGISTRY: Registry = {
  districts: [],
  institutions: [],
  buildings: [],
  gateways: [],
  meters: [
    meter('m-long'),
    meter('m-gone'),
    meter('m-new', { installedAt: new Date(NOW - 2 * DAY).toISOString() }),
    meter('m-later', { installedAt: new Date(NOW + DAY).toISOString() }),
    meter('m-unknown-since'),
    meter('m-registered', { registeredAt: new Date(NOW - 3 * H).toISOString() }),
    meter('m-just-registered', { registeredAt: new Date(NOW - 30 * 60_000).toISOString() }),
    meter('m-now'),
  ],
};

describe('offline detection job with the registry and the store', () => {
  let store: EmbeddedStore;
  beforeEach(async () => {
    store = await EmbeddedStore.open({ dataDir: ':memory:', timeZone: 'Asia/Shanghai' });
  });
  afterEach(async () => {
    await store?.close();
  });

  it('keeps a meter silent for longer than the window offline, skips decommissioned ones, and flags never-reported ones after installation or registration', async () => {
    const reading = (meterId: string, tsMs: number) => ({
      meterId,
      tsMs,
      value: 1,
      gatewayId: 'g1',
      receivedAtMs: tsMs,
    });
    const longAgo = NOW - 40 * DAY;
    await store.insertReadings([
      reading('m-long', longAgo),
      reading('m-gone', longAgo),
      reading('m-now', NOW - 10 * 60_000),
    ]);
    await store.addMeterEvent({
      id: 'e1',
      meterId: 'm-gone',
      type: 'decommission',
      ts: NOW - 30 * DAY,
      createdAtMs: NOW - 30 * DAY,
      createdBy: 'admin',
    });
    const findings = await detectFromSeries(
      {
        store,
        registry: new RegistryHolder(REGISTRY),
        timeZone: 'Asia/Shanghai',
        coefficients: DEFAULT_COEFFICIENT_TABLE,
        logger: pino({ level: 'silent' }),
        metrics: createMetrics(),
        now: () => NOW,
      },
      ['offline'],
      28,
    );
    const byScope = new Map(findings.map((f) => [f.scope, f]));
    // m-registered: no installedAt, never reported, registered 3 h ago (> 4 intervals of 15 min).
    expect([...byScope.keys()].sort()).toEqual(['meter:m-long', 'meter:m-new', 'meter:m-registered']);
    expect(byScope.get('meter:m-registered')).toMatchObject({
      startMs: NOW - 3 * H,
      evidence: { note: 'never reported' },
    });
    expect(byScope.get('meter:m-long')).toMatchObject({ startMs: longAgo + 900_000, endMs: NOW, severity: 'high' });
    expect(byScope.get('meter:m-long')?.evidence).not.toHaveProperty('note');
    expect(byScope.get('meter:m-new')).toMatchObject({ startMs: NOW - 2 * DAY, evidence: { note: 'never reported' } });
  });
});
