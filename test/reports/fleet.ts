import type ExcelJS from 'exceljs';
import { DEFAULT_COEFFICIENT_TABLE, ENERGY_INFO } from '../../core/domain/energy.js';
import type { Fleet, SimMeter } from '../../simulator/model.js';
import { FleetPublisher } from '../../simulator/publisher.js';
import { registerAt } from '../../simulator/registers.js';
import type { TestPlatform } from '../helpers/platform.js';
import { waitFor } from '../helpers/wait.js';

export const H = 3_600_000;
export const TZ = 'Asia/Shanghai';

/** The fleet restricted to some gateways' meters (the registry stays whole). */
export function onlyGateways(fleet: Fleet, keep: (gatewayId: string) => boolean): Fleet {
  return { registry: fleet.registry, meters: fleet.meters.filter((m) => keep(m.gatewayId)) };
}

/** Readings of the platform's store with fromMs ≤ ts < toMs (hour-aligned), over every meter. */
async function storedReadings(t: TestPlatform, fromMs: number, toMs: number): Promise<number> {
  const rows = await t.platform.store.aggregate({
    filter: {},
    fromMs,
    toMs,
    interval: 'total',
    timeZone: TZ,
    groupBy: 'none',
  });
  return rows.reduce((s, r) => s + r.readings, 0);
}

/**
 * Publishes a fleet's hourly readings in [fromMs, toMs] (both ends: the interval ending at toMs is
 * then complete) through the platform's broker, and waits until all of them are stored.
 */
export async function publishHourly(t: TestPlatform, fleet: Fleet, fromMs: number, toMs: number): Promise<void> {
  const before = await storedReadings(t, fromMs, toMs + H);
  const publisher = new FleetPublisher({
    fleet,
    brokerUrl: `mqtt://127.0.0.1:${t.platform.mqttPort}`,
    intervalS: 3600,
    timeZone: TZ,
    batchSize: 200,
  });
  try {
    const { readings } = await publisher.backfill(fromMs, toMs + 1);
    await waitFor(
      async () => {
        await t.platform.pipeline.drain();
        return storedReadings(t, fromMs, toMs + H);
      },
      (n) => n >= before + readings,
      60_000,
    );
  } finally {
    await publisher.close();
  }
}

/**
 * What a meter consumed in [fromMs, toMs], computed independently of the platform from the
 * simulator's registers: (register at the end − register at the start) × multiplier, across a
 * rollover when the register wrapped; simulated registers count in the native unit already.
 */
export function meterConsumption(meter: SimMeter, fromMs: number, toMs: number): number {
  let delta = registerAt(meter, toMs, TZ) - registerAt(meter, fromMs, TZ);
  if (delta < 0) delta += meter.registerModulus;
  return delta * meter.multiplier;
}

/** Expected per institution: native consumption per energy and total kgce (water excluded). */
export function expectedByInstitution(fleet: Fleet, fromMs: number, toMs: number) {
  const institutionOf = new Map(fleet.registry.buildings.map((b) => [b.id, b.institutionId]));
  const out = new Map<string, { native: Map<string, number>; kgce: number }>();
  for (const m of fleet.meters) {
    const id = institutionOf.get(m.buildingId) ?? '';
    const e = out.get(id) ?? { native: new Map<string, number>(), kgce: 0 };
    const amount = meterConsumption(m, fromMs, toMs);
    e.native.set(m.energy, (e.native.get(m.energy) ?? 0) + amount);
    if (ENERGY_INFO[m.energy].countsAsEnergy) e.kgce += amount * DEFAULT_COEFFICIENT_TABLE.kgcePerUnit[m.energy];
    out.set(id, e);
  }
  return out;
}

/** The header row of a worksheet (exceljs rows are 1-based: drop the empty first value). */
export function headerOf(ws: ExcelJS.Worksheet | undefined): unknown[] {
  return ((ws?.getRow(1).values ?? []) as unknown[]).slice(1);
}
