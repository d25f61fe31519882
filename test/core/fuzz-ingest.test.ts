import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deriveHourly, type RegisterReading } from '../../core/domain/consumption.js';
import { REJECT_RAW_MAX_CHARS, type Reading } from '../../core/domain/reading.js';
import { type Meter, MeterSchema } from '../../core/domain/registry.js';
import { floorHour, HOUR_MS } from '../../core/domain/time.js';
import { RegistryHolder } from '../../core/registry-holder.js';
import { type ValidateOptions, validateMessage } from '../../ingest/validate.js';
import { oneBuildingRegistry } from '../helpers/registry.js';

// Issue "No device can stop ingest": whatever a device sends, parse → validate → derive neither
// throws nor loses an item: each is accepted, rejected, or covered by a too_many_readings summary.
const NOW = Date.parse('2026-12-06T12:00:00Z');
const MAX_READINGS = 16;
const base = { buildingId: 'b', gatewayId: 'g', energy: 'electricity', unit: 'kWh', intervalS: 900 };
const meters: Meter[] = [
  { id: 'm1' },
  { id: 'mod', registerModulus: 100_000_000, multiplier: 80 },
  { id: 'net', direction: 'net', registerModulus: 1_000_000 },
  { id: 'exp', direction: 'export', multiplier: 1e6 },
  { id: 'inst', installedAt: '2026-01-01T00:00:00+08:00' },
  { id: 'plaus', maxPlausiblePerHour: 100 },
  { id: 'water', energy: 'water', unit: 'm3' },
  { id: 'foreign', gatewayId: 'other' },
].map((m) => MeterSchema.parse({ ...base, ...m }));
const registry = new RegistryHolder({ ...oneBuildingRegistry([]), meters });
const options: ValidateOptions = {
  nowMs: NOW,
  clockSkewMaxMs: 600_000,
  readingsEarliestMs: Date.UTC(2000, 0, 1),
  maxReadings: MAX_READINGS,
  decommissionedAt: (id) => (id === 'net' ? NOW - 30 * 86_400_000 : undefined),
};

/** A payload and, when the generator knows it, how many items it carries. */
interface Payload {
  readonly text: string;
  readonly items?: number;
}

const meterText = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...meters.map((m) => JSON.stringify(m.id))) },
  { weight: 1, arbitrary: fc.constantFrom('"nope"', '""', '"a/b"', '5', 'null', '"m1\\u202e"') },
);
const tsText = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: NOW - 3 * 86_400_000, max: NOW + 3_600_000 }).map(String) },
  {
    weight: 2,
    arbitrary: fc.integer({ min: Date.UTC(1999, 0, 1), max: NOW }).map((ms) => `"${new Date(ms).toISOString()}"`),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '0',
      '-1',
      '1.5',
      '8640000000000000',
      '8640000000000001',
      '1e400',
      '"0001-01-01T00:00:00Z"',
      '"9999-12-31T23:59:59+08:00"',
      '"+275760-09-13T00:00:00Z"',
      '"2026-02-30T00:00:00Z"',
      '"2026-12-06T12:00:00+99:99"',
      '"2026-12-06 12:00"',
      'null',
      '"now"',
    ),
  },
);
const valueText = fc.oneof(
  { weight: 8, arbitrary: fc.double({ min: -1e3, max: 2e8, noNaN: true }).map((v) => JSON.stringify(v)) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 1_000_000 }).map(String) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '1e400',
      '-1e400',
      '5e12',
      '-5e12',
      '1e308',
      '999999999999',
      '-0',
      '1e-300',
      '"12"',
      'null',
      '[]',
    ),
  },
);
const itemText = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.tuple(meterText, tsText, valueText).map(([m, t, v]) => `{"meter":${m},"ts":${t},"value":${v}}`),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom('null', '0', '"x"', '[]', '{}', '[[1]]', '{"meter":"m1"}', '{"a":{"b":[]}}'),
  },
);
const batch = fc
  .array(itemText, { maxLength: 24 })
  .map((items): Payload => ({ text: `{"readings":[${items.join(',')}]}`, items: items.length }));
const payload: fc.Arbitrary<Payload> = fc.oneof(
  { weight: 10, arbitrary: batch },
  { weight: 4, arbitrary: itemText.map((text) => ({ text, items: 1 })) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 0, max: 6000 }).map((n) => ({
      text: `{"readings":[${new Array<string>(n).fill('0').join(',')}]}`,
      items: n,
    })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 1, max: 6000 }), fc.boolean(), fc.constantFrom('[', '{"a":', '{"readings":['))
      .map(([n, closed, open]) => ({
        text: `${open.repeat(n)}1${closed ? (open === '[' ? ']' : '}').repeat(n) : ''}`,
      })),
  },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }).map((text) => ({ text })) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 5 }).map((v) => ({ text: JSON.stringify(v) })) },
  { weight: 1, arbitrary: batch.map((p) => ({ text: p.text.slice(0, Math.floor(p.text.length / 2)) })) },
);

/** Items of a payload as a reader of JSON sees them: a batch's length, else 1. */
function itemsOf(text: string): number {
  const body: unknown = JSON.parse(text);
  const list = body !== null && typeof body === 'object' ? (body as { readings?: unknown }).readings : undefined;
  return Array.isArray(list) ? list.length : 1;
}

function deriveAll(readings: readonly Reading[]): void {
  const byMeter = new Map<string, RegisterReading[]>();
  for (const r of readings) byMeter.set(r.meterId, [...(byMeter.get(r.meterId) ?? []), r]);
  for (const [meterId, list] of byMeter) {
    const meter = registry.meter(meterId) as Meter;
    const sorted = [...list].sort((a, b) => a.tsMs - b.tsMs);
    const first = floorHour(sorted[0]?.tsMs ?? 0);
    const last = floorHour(sorted.at(-1)?.tsMs ?? 0);
    // Windows at both ends, as the deriver asks for them: an interval of decades in between.
    for (const [fromMs, toMs] of [
      [first, first + 48 * HOUR_MS],
      [last - 48 * HOUR_MS, last + HOUR_MS],
    ] as const) {
      for (const row of deriveHourly(meter, sorted, fromMs, toMs)) {
        // Plain checks, not expect(): they run for every row of 100,000 payloads.
        if (!Number.isSafeInteger(row.amountMicro) || !Number.isSafeInteger(row.estimatedMicro)) {
          throw new Error(`hour ${row.hourStartMs} of ${meterId}: ${row.amountMicro} µ`);
        }
      }
    }
  }
}

describe('fuzzing parse → validate → derive', () => {
  it('never throws and accounts for every item of 100,000 generated payloads', { timeout: 180_000 }, () => {
    const labels = new Map<string, number>();
    let accepted = 0;
    fc.assert(
      fc.property(payload, ({ text, items }) => {
        const out = validateMessage(registry, 'g', text, options);
        for (const r of out.rejections) {
          labels.set(r.label, (labels.get(r.label) ?? 0) + 1);
          if (r.raw.length > REJECT_RAW_MAX_CHARS) throw new Error(`raw of ${r.raw.length} characters`);
        }
        expect(out.readings.length).toBeLessThanOrEqual(MAX_READINGS);
        const whole = out.rejections.filter((r) => r.label === 'too_deep' || r.label === 'invalid_payload');
        if (whole.length > 0) {
          expect(out.rejections).toHaveLength(1);
          expect(out.readings).toHaveLength(0);
        } else {
          const covered = out.rejections.reduce((s, r) => s + (r.count ?? 1), out.readings.length);
          expect(covered).toBe(items ?? itemsOf(text));
        }
        accepted += out.readings.length;
        deriveAll(out.readings);
      }),
      { numRuns: 100_000, seed: 20261206 },
    );
    // The generators reach every bound.
    expect(accepted).toBeGreaterThan(10_000);
    for (const label of [
      'invalid_payload',
      'invalid_reading',
      'unknown_meter',
      'foreign_meter',
      'future_timestamp',
      'before_installation',
      'decommissioned',
      'too_early',
      'out_of_range',
      'too_deep',
      'too_many_readings',
    ]) {
      expect(labels.get(label) ?? 0, label).toBeGreaterThan(0);
    }
  });
});
