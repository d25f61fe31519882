import { describe, expect, it } from 'vitest';
import { detectOffline } from '../../core/domain/detectors/offline.js';
import { ctxAt, HOUR_MS } from './series.js';

const ctx = ctxAt(10);
const meter = (lastReadingMs: number | undefined, extra = {}) => ({
  meterId: 'm-1',
  energy: 'electricity' as const,
  intervalS: 900,
  lastReadingMs,
  ...extra,
});

describe('detectOffline', () => {
  it('flags a meter silent for four expected intervals or more, with its silence in the evidence', () => {
    const found = detectOffline([meter(ctx.nowMs - 2 * HOUR_MS)], ctx);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ type: 'offline', scope: 'meter:m-1', endMs: ctx.nowMs, severity: 'low' });
    expect(found[0]?.startMs).toBe(ctx.nowMs - 2 * HOUR_MS + 900_000);
    expect(found[0]?.evidence).toMatchObject({ observed: 8, unit: 'intervals', silentHours: 2 });
    expect(detectOffline([meter(ctx.nowMs - 30 * HOUR_MS)], ctx)[0]?.severity).toBe('high');
  });

  it('stays quiet on meters that report on time', () => {
    expect(detectOffline([meter(ctx.nowMs - 30 * 60_000), meter(ctx.nowMs - 15 * 60_000)], ctx)).toEqual([]);
  });

  it('reports a meter that never reported at low severity, saying so, once it was expected', () => {
    const found = detectOffline([meter(undefined, { expectedSinceMs: ctx.nowMs - 5 * HOUR_MS })], ctx);
    expect(found[0]).toMatchObject({ severity: 'low', evidence: { note: 'never reported' } });
    expect(detectOffline([meter(undefined)], ctx)).toEqual([]);
  });
});

describe('detectOffline with the registry', () => {
  it('never flags a meter decommissioned at or before now, and flags one decommissioned later', () => {
    const silent = ctx.nowMs - 30 * HOUR_MS;
    expect(detectOffline([meter(silent, { decommissionedAtMs: ctx.nowMs - HOUR_MS })], ctx)).toEqual([]);
    expect(detectOffline([meter(silent, { decommissionedAtMs: ctx.nowMs })], ctx)).toEqual([]);
    expect(detectOffline([meter(undefined, { expectedSinceMs: silent, decommissionedAtMs: silent })], ctx)).toEqual([]);
    expect(detectOffline([meter(silent, { decommissionedAtMs: ctx.nowMs + HOUR_MS })], ctx)).toHaveLength(1);
  });

  it('flags a meter that never reported only once four intervals have passed since its installation', () => {
    expect(detectOffline([meter(undefined, { expectedSinceMs: ctx.nowMs - 3 * 900_000 })], ctx)).toEqual([]);
    const found = detectOffline([meter(undefined, { expectedSinceMs: ctx.nowMs - 4 * 900_000 })], ctx);
    expect(found[0]).toMatchObject({
      startMs: ctx.nowMs - 4 * 900_000,
      evidence: { observed: 4, note: 'never reported' },
    });
  });
});
