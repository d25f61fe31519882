import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseReadingsPayload, REGISTER_MAX, ReadingInputSchema } from '../../core/domain/reading.js';
import { parseTopic, readingsTopic, statusTopic } from '../../core/domain/topics.js';

describe('readings payloads', () => {
  it('takes one reading with an ISO timestamp or epoch milliseconds', () => {
    expect(parseReadingsPayload('{"meter":"M1","ts":"2026-11-01T08:00:00+08:00","value":1234.5}').readings).toEqual([
      { meterId: 'M1', tsMs: Date.parse('2026-11-01T00:00:00Z'), value: 1234.5 },
    ]);
    expect(parseReadingsPayload('{"meter":"M1","ts":1761955200000,"value":1}').readings[0]?.tsMs).toBe(1761955200000);
  });
  it('keeps the valid readings of a batch and names what is wrong with the others', () => {
    const out = parseReadingsPayload(
      JSON.stringify({
        readings: [
          { meter: 'A', ts: '2026-11-01T08:00:00+08:00', value: 1 },
          { meter: 'B', ts: '2026-11-01 08:00', value: 1 },
          { meter: 'C', ts: '2026-11-01T08:00:00Z', value: '12' },
          { meter: 'D/x', ts: 0, value: 1 },
          null,
        ],
      }),
    );
    expect(out.readings.map((r) => r.meterId)).toEqual(['A']);
    expect(out.rejects.map((r) => r.reason.split(':')[0])).toEqual([
      'readings[1].ts',
      'readings[2].value',
      'readings[3].meter',
      'readings[4].reading',
    ]);
    expect(out.rejects[0]?.meterId).toBe('B');
  });
  it('rejects bad JSON and a non-array batch whole', () => {
    expect(parseReadingsPayload('{oops').rejects[0]?.reason).toMatch(/not valid JSON/);
    expect(parseReadingsPayload('{"readings":3}').rejects[0]?.reason).toMatch(/array/);
    expect(parseReadingsPayload('{"meter":"A","ts":"2026-11-01T08:00:00+08:00","value":NaN}').rejects).toHaveLength(1);
  });
});

describe('readings payloads: the plain-item fast path', () => {
  // Items near every bound the schema checks, and beside them.
  const meter = fc.oneof(
    fc.constantFrom('M1', 'a', 'x'.repeat(64), 'x'.repeat(65), '', '-a', 'a/b', 'a.b_c-d', 'é', '1'),
    fc.string({ maxLength: 70 }),
  );
  const ts = fc.oneof(
    fc.constantFrom(0, -1, 8.64e15, 8.64e15 + 1, 1.5, 1761955200000, '2026-11-01T08:00:00+08:00', '1'),
    fc.integer(),
    fc.double(),
  );
  const value = fc.oneof(
    fc.constantFrom(REGISTER_MAX, -REGISTER_MAX, REGISTER_MAX + 1, 1e12, -0, '1', null),
    fc.double({ noNaN: true }),
  );
  const item = fc.oneof(
    fc.record({ meter, ts, value }, { requiredKeys: [] }),
    fc.record({ meter, ts, value, extra: fc.anything() }),
    fc.anything(),
  );

  it('takes exactly the items the schema takes, with the same reading', () => {
    fc.assert(
      fc.property(item, (x) => {
        const text = JSON.stringify({ readings: [x] });
        // What JSON carries: the parser sees the round-tripped item, as a gateway sends it.
        const sent = (JSON.parse(text) as { readings: unknown[] }).readings[0];
        const schema = ReadingInputSchema.safeParse(sent);
        const out = parseReadingsPayload(text);
        if (schema.success)
          expect(out.readings).toEqual([
            { meterId: schema.data.meter, tsMs: schema.data.ts, value: schema.data.value },
          ]);
        else {
          expect(out.readings).toEqual([]);
          expect(out.rejects).toHaveLength(1);
          expect(out.rejects[0]?.reason).toMatch(/^readings\[0\]\./);
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('topics', () => {
  it('builds and parses gateway topics', () => {
    expect(readingsTopic('gw-1')).toBe('jieneng/v1/gw-1/readings');
    expect(parseTopic(readingsTopic('gw-1'))).toEqual({ gatewayId: 'gw-1', kind: 'readings' });
    expect(parseTopic(statusTopic('gw-1'))).toEqual({ gatewayId: 'gw-1', kind: 'status' });
    expect(parseTopic('jieneng/v1/gw-1/other')).toBeUndefined();
    expect(parseTopic('jieneng/v2/gw-1/readings')).toBeUndefined();
    expect(parseTopic('jieneng/v1//readings')).toBeUndefined();
  });
});
