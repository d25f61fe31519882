import { describe, expect, it } from 'vitest';
import { bucketStarts, formatLocalIso, hasWholeHourOffsets, parseLocalDateTime } from '../../core/domain/time.js';

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
});
