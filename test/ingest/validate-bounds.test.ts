import { describe, expect, it } from 'vitest';
import type { Meter, Registry } from '../../core/domain/registry.js';
import { RegistryHolder } from '../../core/registry-holder.js';
import {
  DEFAULT_READINGS_EARLIEST_MS,
  readingsEarliestMs,
  type ValidateOptions,
  validateMessage,
} from '../../ingest/validate.js';
import { oneBuildingRegistry } from '../helpers/registry.js';

// Issue "No device can stop ingest", item 1: bounds at validation.
const NOW = Date.parse('2026-12-06T12:00:00Z');
const base = oneBuildingRegistry([{ id: 'm1' }]);
const meter = base.meters[0] as Meter;
const meters: Meter[] = [
  meter,
  { ...meter, id: 'installed', installedAt: '2024-03-01T00:00:00+08:00' },
  { ...meter, id: 'mod', registerModulus: 100_000_000 },
  { ...meter, id: 'mod-net', registerModulus: 100_000_000, direction: 'net' },
];
const registry = new RegistryHolder({ ...base, meters } satisfies Registry);
const options: ValidateOptions = {
  nowMs: NOW,
  clockSkewMaxMs: 600_000,
  readingsEarliestMs: readingsEarliestMs('2000-01-01'),
  maxReadings: 5000,
};
const validate = (items: unknown[], opts: Partial<ValidateOptions> = {}) =>
  validateMessage(registry, 'g', JSON.stringify({ readings: items }), { ...options, ...opts });
const labels = (items: unknown[], opts: Partial<ValidateOptions> = {}) =>
  validate(items, opts).rejections.map((r) => r.label);

describe('timestamp bounds', () => {
  it('refuses a reading of a gateway whose clock reset to 1970 as too_early', () => {
    const out = validate([
      { meter: 'm1', ts: 0, value: 1 },
      { meter: 'm1', ts: NOW, value: 2 },
    ]);
    expect(out.rejections.map((r) => r.label)).toEqual(['too_early']);
    expect(out.readings.map((r) => r.tsMs)).toEqual([NOW]);
  });
  it('takes READINGS_EARLIEST as the bound, to the millisecond', () => {
    const earliest = readingsEarliestMs('2020-01-01');
    expect(earliest).toBe(Date.UTC(2020, 0, 1));
    const items = [earliest - 1, earliest].map((ts) => ({ meter: 'm1', ts, value: 1 }));
    expect(validate(items, { readingsEarliestMs: earliest }).readings.map((r) => r.tsMs)).toEqual([earliest]);
  });
  it('bounds at 2000-01-01 when no bound is given', () => {
    expect(DEFAULT_READINGS_EARLIEST_MS).toBe(Date.UTC(2000, 0, 1));
    const out = validateMessage(registry, 'g', JSON.stringify({ meter: 'm1', ts: '1999-12-31T23:59:59Z', value: 1 }), {
      nowMs: NOW,
      clockSkewMaxMs: 0,
    });
    expect(out.rejections.map((r) => r.label)).toEqual(['too_early']);
  });
  it("uses the meter's installation instead when it has one, labelled before_installation", () => {
    const installed = Date.parse('2024-03-01T00:00:00+08:00');
    expect(labels([{ meter: 'installed', ts: installed - 1, value: 1 }])).toEqual(['before_installation']);
    // Installed after READINGS_EARLIEST: its own bound rules, even when READINGS_EARLIEST is later.
    expect(labels([{ meter: 'installed', ts: installed, value: 1 }], { readingsEarliestMs: NOW })).toEqual([]);
  });
  it('refuses year-1 and year-9999 stamps cleanly, and +275760 as malformed', () => {
    const out = validate([
      { meter: 'm1', ts: '0001-01-01T00:00:00Z', value: 1 },
      { meter: 'm1', ts: '9999-12-31T23:59:59Z', value: 1 },
      { meter: 'm1', ts: 8.64e15, value: 1 },
      { meter: 'm1', ts: '+275760-09-13T00:00:00Z', value: 1 },
    ]);
    expect(out.readings).toEqual([]);
    // Parse rejects come first, then the registry checks in the order of the items.
    expect(out.rejections.map((r) => [r.label, r.tsMs])).toEqual([
      ['invalid_reading', undefined],
      ['too_early', Date.parse('0001-01-01T00:00:00Z')],
      ['future_timestamp', Date.parse('9999-12-31T23:59:59Z')],
      ['future_timestamp', 8.64e15],
    ]);
  });
});

describe('register bounds', () => {
  it("refuses a register above the meter's modulus, and a negative one on an import meter with a modulus", () => {
    const out = validate([
      { meter: 'mod', ts: NOW, value: 100_000_000.5 },
      { meter: 'mod', ts: NOW, value: -1 },
      { meter: 'mod', ts: NOW, value: 99_999_999.9 },
      { meter: 'mod-net', ts: NOW, value: -1 },
      { meter: 'm1', ts: NOW, value: 5e11 },
    ]);
    expect(out.rejections.map((r) => [r.label, r.meterId])).toEqual([
      ['out_of_range', 'mod'],
      ['out_of_range', 'mod'],
    ]);
    expect(out.readings.map((r) => r.value)).toEqual([99_999_999.9, -1, 5e11]);
  });
  it('refuses a register beyond what the store holds whatever the meter', () => {
    expect(labels([{ meter: 'm1', ts: NOW, value: 5e12 }])).toEqual(['out_of_range']);
  });
});

describe('message bounds', () => {
  it('keeps maxReadings items of a message and refuses the rest in one rejection that counts them', () => {
    const items = Array.from({ length: 80_000 }, (_, i) => ({ meter: 'm1', ts: NOW - i * 1000, value: 1 }));
    const out = validate(items, { maxReadings: 100 });
    expect(out.readings).toHaveLength(100);
    expect(out.rejections).toHaveLength(1);
    expect(out.rejections[0]).toMatchObject({ label: 'too_many_readings', count: 79_900 });
  });
  it('passes the parser labels through: too_deep and invalid_payload', () => {
    expect(validateMessage(registry, 'g', '['.repeat(5000), options).rejections.map((r) => r.label)).toEqual([
      'too_deep',
    ]);
    expect(validateMessage(registry, 'g', 'nope', options).rejections.map((r) => r.label)).toEqual(['invalid_payload']);
    expect(validateMessage(registry, 'g', '{"readings":{}}', options).rejections.map((r) => r.label)).toEqual([
      'invalid_payload',
    ]);
  });
});
