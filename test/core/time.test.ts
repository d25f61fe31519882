import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bucketStarts,
  formatLocalIso,
  hasWholeHourOffsets,
  localParts,
  offsetMs,
  parseLocalDateTime,
} from '../../core/domain/time.js';

const SH = 'Asia/Shanghai';

describe('local time', () => {
  it('parses local dates in the tenant zone', () => {
    expect(parseLocalDateTime('2026-11-01', SH)).toBe(Date.parse('2026-11-01T00:00:00+08:00'));
    expect(parseLocalDateTime('2026-11-01T08:00', SH)).toBe(Date.parse('2026-11-01T08:00:00+08:00'));
    expect(parseLocalDateTime('2026-02-30', SH)).toBeUndefined();
    expect(parseLocalDateTime('2026-11-01T24:00', SH)).toBeUndefined();
    expect(parseLocalDateTime('yesterday', SH)).toBeUndefined();
  });
  it('formats instants with their offset', () => {
    expect(formatLocalIso(Date.parse('2026-10-31T16:00:00Z'), SH)).toBe('2026-11-01T00:00:00+08:00');
    expect(formatLocalIso(Date.parse('2026-07-01T12:00:00Z'), 'America/New_York')).toBe('2026-07-01T08:00:00-04:00');
  });
  it('buckets months and years at local midnight', () => {
    const from = parseLocalDateTime('2026-01-15', SH) as number;
    const to = parseLocalDateTime('2026-04-01', SH) as number;
    expect(bucketStarts(from, to, 'month', SH).map((t) => formatLocalIso(t, SH))).toEqual([
      '2026-01-01T00:00:00+08:00',
      '2026-02-01T00:00:00+08:00',
      '2026-03-01T00:00:00+08:00',
    ]);
    expect(bucketStarts(from, to, 'year', SH)).toHaveLength(1);
  });
  it('does not assume days are 24 hours (DST zones)', () => {
    const tz = 'Europe/Berlin';
    const from = parseLocalDateTime('2026-03-28', tz) as number;
    const to = parseLocalDateTime('2026-03-31', tz) as number;
    const days = bucketStarts(from, to, 'day', tz);
    expect(days.map((d) => formatLocalIso(d, tz))).toEqual([
      '2026-03-28T00:00:00+01:00',
      '2026-03-29T00:00:00+01:00',
      '2026-03-30T00:00:00+02:00',
    ]);
    expect((days[2] as number) - (days[1] as number)).toBe(23 * 3_600_000);
  });
  it('knows which zones keep hours aligned with UTC hours', () => {
    expect(hasWholeHourOffsets(SH, 2026)).toBe(true);
    expect(hasWholeHourOffsets('Asia/Kolkata', 2026)).toBe(false);
  });

  it('reads cached offsets exactly as the zone data gives them, at every second of every kind of zone', () => {
    // Half-hour DST (Lord Howe), 45-minute offsets (Kathmandu, Chatham), a zone that skipped a day
    // (Apia, 2011-12-30), offsets with seconds (Amsterdam before 1937), DST (Berlin, New York).
    const zones = [
      SH,
      'Europe/Berlin',
      'America/New_York',
      'Australia/Lord_Howe',
      'Asia/Kathmandu',
      'Pacific/Chatham',
      'Pacific/Apia',
      'Europe/Amsterdam',
      'UTC',
    ];
    const formats = new Map<string, Intl.DateTimeFormat>();
    const format = (timeZone: string) =>
      formats.get(timeZone) ??
      new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      });
    const reference = (ms: number, timeZone: string) => {
      const f = format(timeZone);
      formats.set(timeZone, f);
      const out: Record<string, number> = {};
      for (const p of f.formatToParts(new Date(ms))) if (p.type !== 'literal') out[p.type] = Number(p.value);
      return out as { year: number; month: number; day: number; hour: number; minute: number; second: number };
    };
    const check = (ms: number, zone: string) => {
      const want = reference(ms, zone);
      expect(localParts(ms, zone), `${zone} ${new Date(ms).toISOString()}`).toEqual(want);
      const second = Math.floor(ms / 1000) * 1000;
      const asUtc = Date.UTC(want.year, want.month - 1, want.day, want.hour, want.minute, want.second);
      expect(offsetMs(ms, zone), `${zone} ${new Date(ms).toISOString()}`).toBe(asUtc - second);
    };
    // 1900 to 2200 at random instants (asked twice: the second answer comes from the cache) …
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1890, 0, 1), max: Date.UTC(2210, 0, 1) }),
        fc.constantFrom(...zones),
        (ms, zone) => {
          check(ms, zone);
          check(ms, zone);
        },
      ),
      { numRuns: 3000 },
    );
    // … and every minute (with its last second) around transitions, in both directions.
    const around = [
      ['Europe/Berlin', Date.UTC(2026, 2, 29, 1)],
      ['Europe/Berlin', Date.UTC(2026, 9, 25, 1)],
      ['Australia/Lord_Howe', Date.UTC(2026, 3, 4, 15)],
      ['Australia/Lord_Howe', Date.UTC(2026, 9, 3, 15, 30)],
      ['Pacific/Apia', Date.UTC(2011, 11, 30, 10)],
      ['Europe/Amsterdam', Date.UTC(1937, 6, 1)],
    ] as const;
    for (const [zone, at] of around)
      for (let m = -90; m <= 90; m++) {
        check(at + m * 60_000, zone);
        check(at + m * 60_000 + 59_999, zone);
      }
  });
});
