import { describe, expect, it } from 'vitest';
import {
  MAX_PAYLOAD_DEPTH,
  nestsDeeperThan,
  parseReadingsPayload,
  REGISTER_MAX,
  REJECT_RAW_MAX_CHARS,
} from '../../core/domain/reading.js';

// Issue "No device can stop ingest", item 1: bounds at parsing.
const TS = '2026-11-01T08:00:00+08:00';
const reading = (value: unknown, meter = 'M1') => ({ meter, ts: TS, value });

describe('payload depth', () => {
  it('refuses 5,000 nested brackets with one too_deep reject instead of a RangeError', () => {
    const text = '['.repeat(5000);
    const out = parseReadingsPayload(text);
    expect(out.readings).toEqual([]);
    expect(out.rejects).toHaveLength(1);
    expect(out.rejects[0]?.label).toBe('too_deep');
    expect(out.rejects[0]?.raw.length).toBeLessThanOrEqual(REJECT_RAW_MAX_CHARS);
  });
  it('survives a payload nested deeper than the recursive checks after parsing can follow', () => {
    const text = `${'{"a":'.repeat(200_000)}1${'}'.repeat(200_000)}`;
    expect(parseReadingsPayload(text).rejects.map((r) => r.label)).toEqual(['too_deep']);
  });
  it('accepts a batch at the limit and refuses one level more', () => {
    // The batch object, its array and the item take 3 levels; `extra` nests the rest.
    const nested = (levels: number): unknown => (levels === 0 ? 1 : [nested(levels - 1)]);
    const batch = (depth: number) => JSON.stringify({ readings: [{ ...reading(1), extra: nested(depth - 3) }] });
    expect(nestsDeeperThan(batch(MAX_PAYLOAD_DEPTH), MAX_PAYLOAD_DEPTH)).toBe(false);
    expect(parseReadingsPayload(batch(MAX_PAYLOAD_DEPTH)).readings).toHaveLength(1);
    expect(parseReadingsPayload(batch(MAX_PAYLOAD_DEPTH + 1)).rejects.map((r) => r.label)).toEqual(['too_deep']);
  });
  it('lets a bad item with nested junk cost only itself', () => {
    const junk = { meter: 'M2', ts: TS, value: { a: [{ b: [[{}]] }] } };
    const out = parseReadingsPayload(JSON.stringify({ readings: [reading(1), junk] }));
    expect(out.readings.map((r) => r.meterId)).toEqual(['M1']);
    expect(out.rejects.map((r) => [r.label, r.meterId])).toEqual([['invalid_reading', 'M2']]);
  });
  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(nestsDeeperThan('{"a":"[[[[[[[[\\"[[[[[[["}', 2)).toBe(false);
    expect(nestsDeeperThan('{"a":"\\\\"}', 1)).toBe(false);
    expect(nestsDeeperThan('[[[', 2)).toBe(true);
  });
});

describe('payload labels and raw text', () => {
  it('labels whole-payload rejects and item rejects so that nobody guesses from the text', () => {
    expect(parseReadingsPayload('{oops').rejects[0]?.label).toBe('invalid_payload');
    expect(parseReadingsPayload('{"readings":3}').rejects[0]?.label).toBe('invalid_payload');
    expect(parseReadingsPayload(JSON.stringify(reading('12'))).rejects[0]?.label).toBe('invalid_reading');
  });
  it('caps the raw text of every reject', () => {
    const long = 'x'.repeat(50_000);
    expect(parseReadingsPayload(long).rejects[0]?.raw).toHaveLength(REJECT_RAW_MAX_CHARS);
    const item = parseReadingsPayload(JSON.stringify({ readings: [{ meter: 'M1', ts: long, value: 1 }] }));
    expect(item.rejects[0]?.raw).toHaveLength(REJECT_RAW_MAX_CHARS);
  });
});

describe('register bounds', () => {
  it('takes a register up to REGISTER_MAX of either sign', () => {
    const out = parseReadingsPayload(JSON.stringify({ readings: [reading(REGISTER_MAX), reading(-REGISTER_MAX)] }));
    expect(out.readings).toHaveLength(2);
  });
  it('refuses 5e12, -5e12 and 1e400 (Infinity once parsed) as out_of_range', () => {
    const text = `{"readings":[${JSON.stringify(reading(5e12))},${JSON.stringify(reading(-5e12))},{"meter":"M1","ts":"${TS}","value":1e400}]}`;
    const out = parseReadingsPayload(text);
    expect(out.readings).toEqual([]);
    expect(out.rejects.map((r) => r.label)).toEqual(['out_of_range', 'out_of_range', 'out_of_range']);
    expect(out.rejects[0]?.meterId).toBe('M1');
  });
  it('keeps invalid_reading when more than the value is wrong', () => {
    const out = parseReadingsPayload(JSON.stringify({ meter: 'M/1', ts: TS, value: 5e12 }));
    expect(out.rejects[0]?.label).toBe('invalid_reading');
  });
});

describe('readings per message', () => {
  it('keeps the first maxReadings items and summarises the rest in one reject', () => {
    const items = Array.from({ length: 80_000 }, (_, i) => (i % 2 === 0 ? reading(i) : 'junk'));
    const out = parseReadingsPayload(JSON.stringify({ readings: items }), { maxReadings: 5000 });
    expect(out.readings).toHaveLength(2500);
    const summary = out.rejects.filter((r) => r.label === 'too_many_readings');
    expect(summary).toHaveLength(1);
    expect(summary[0]?.reason).toBe('75000 readings beyond the limit of 5000 per message');
    expect(summary[0]?.count).toBe(75_000);
    expect(summary[0]?.raw.length).toBeLessThanOrEqual(200);
    expect(out.rejects).toHaveLength(2501);
  });
  it('takes a batch of exactly maxReadings whole', () => {
    const items = Array.from({ length: 3 }, (_, i) => reading(i));
    const out = parseReadingsPayload(JSON.stringify({ readings: items }), { maxReadings: 3 });
    expect(out.readings).toHaveLength(3);
    expect(out.rejects).toEqual([]);
  });
  it('reads a batch too long for a spread call without overflowing the stack', () => {
    const items = Array.from({ length: 160_000 }, () => 0);
    expect(parseReadingsPayload(JSON.stringify({ readings: items })).rejects).toHaveLength(160_000);
  });
});

describe('timestamps', () => {
  it('parses year 1, year 9999 and epoch 8.64e15 stamps without throwing, and refuses +275760', () => {
    for (const ts of ['0001-01-01T00:00:00Z', '9999-12-31T23:59:59+08:00', 8.64e15]) {
      expect(
        parseReadingsPayload(JSON.stringify(reading(1)).replace(`"${TS}"`, JSON.stringify(ts))).readings,
      ).toHaveLength(1);
    }
    for (const ts of ['+275760-09-13T00:00:00Z', '2026-01-01T00:00:00+99:99', 8.64e15 + 1, -1, 1.5]) {
      const out = parseReadingsPayload(JSON.stringify({ meter: 'M1', ts, value: 1 }));
      expect(out.rejects.map((r) => r.label)).toEqual(['invalid_reading']);
    }
  });
});
