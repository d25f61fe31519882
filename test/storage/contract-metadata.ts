import { expect, it } from 'vitest';
import type { AnomalyEvent } from '../../core/domain/anomalies.js';
import type { MeterEvent } from '../../core/domain/meter-events.js';
import type { DeadLetter, MetadataStore } from '../../core/storage/store.js';
import { H, REGISTRY, T0 } from './contract-fixtures.js';

const anomaly = (id: string, startMs: number, overrides: Partial<AnomalyEvent> = {}): AnomalyEvent => ({
  id,
  type: 'night_base_load',
  scope: 'meter:light',
  energy: 'electricity',
  startMs,
  endMs: startMs + 6 * H,
  severity: 'medium',
  evidence: { observed: 12.5, expected: 4, band: [3, 5] },
  wastedNative: 8.5,
  wastedKgce: 1.04465,
  status: 'open',
  detectedAtMs: startMs + 7 * H,
  ...overrides,
});

/** Registry, dead letters, lifecycle events, corrections, targets, anomalies and tokens. */
export function metadataCases(store: () => MetadataStore): void {
  it('loads the registry it saved, and a later save replaces it whole', async () => {
    expect(await store().loadRegistry()).toEqual(REGISTRY);
    const smaller = { ...REGISTRY, meters: REGISTRY.meters.filter((m) => m.id !== 'water') };
    await store().saveRegistry(smaller);
    expect(await store().loadRegistry()).toEqual(smaller);
  });

  it('keeps dead letters with every field given, oldest first, received in [from, to), up to the limit', async () => {
    const letters: DeadLetter[] = [
      {
        id: 'dl-1',
        code: 'unknown_meter',
        receivedAtMs: T0 + 2000,
        reason: 'unknown meter "nope"',
        raw: '{"meter":"nope"}',
        gatewayId: 'g1',
        topic: 'jieneng/v1/g1/readings',
        meterId: 'nope',
        tsMs: T0,
      },
      {
        id: 'dl-2',
        code: 'invalid_payload',
        receivedAtMs: T0 + 1000,
        reason: 'payload: not valid JSON',
        raw: '{not json',
        gatewayId: 'g1',
      },
      {
        id: 'dl-3',
        code: 'oversized',
        receivedAtMs: T0 + 1000,
        reason: 'payload of 300000 bytes exceeds 262144',
        raw: 'x\ny',
      },
      { receivedAtMs: T0 + H, reason: 'late', raw: '{}' },
    ];
    await store().addDeadLetters(letters);
    await store().addDeadLetters([]);
    const got = await store().deadLetters(T0, T0 + H, 10);
    expect(got).toHaveLength(3);
    expect(got[2]).toEqual(letters[0]);
    expect(new Set(got.slice(0, 2))).toEqual(new Set([letters[1], letters[2]]));
    expect(await store().deadLetters(T0, T0 + 2 * H, 2)).toHaveLength(2);
  });

  it('stores lifecycle events and lists them by meter and time', async () => {
    const base = { createdAtMs: T0, createdBy: 'officer' };
    const events: MeterEvent[] = [
      { ...base, id: 'e1', meterId: 'light', type: 'replace', ts: T0 + 2 * H, oldFinal: 520.4, newInitial: 0 },
      { ...base, id: 'e2', meterId: 'light', type: 'multiplier', ts: T0 + H, multiplier: 120 },
      { ...base, id: 'e3', meterId: 'hvac', type: 'decommission', ts: T0 + 5 * H },
    ];
    for (const e of events) await store().addMeterEvent(e);
    expect(await store().meterEvents()).toEqual([events[2], events[1], events[0]]);
  });

  it('refuses a second lifecycle event with a known id', async () => {
    const event: MeterEvent = {
      id: 'e1',
      meterId: 'light',
      type: 'decommission',
      ts: T0,
      createdAtMs: T0,
      createdBy: 'a',
    };
    await store().addMeterEvent(event);
    await expect(store().addMeterEvent({ ...event, ts: T0 + H })).rejects.toThrow();
    expect(await store().meterEvents()).toEqual([event]);
  });

  it('keeps corrections, by meter and time', async () => {
    const fix = (meterId: string, tsMs: number) => ({
      meterId,
      tsMs,
      action: 'invalidate' as const,
      reason: 'misread',
      createdBy: 'officer',
      createdAtMs: T0 + 10 * H,
    });
    expect(await store().corrections()).toEqual([]);
    await store().addCorrection(fix('light', T0 + H));
    await store().addCorrection(fix('hvac', T0 + 2 * H));
    await store().addCorrection(fix('light', T0));
    expect(await store().corrections()).toEqual([fix('hvac', T0 + 2 * H), fix('light', T0), fix('light', T0 + H)]);
  });

  it('upserts targets by scope, energy and period', async () => {
    const target = {
      scope: 'institution:i1',
      energy: 'electricity' as const,
      period: '2026',
      value: 1000,
      unit: 'kWh',
    };
    await store().saveTargets([target, { ...target, period: '2026-11', value: 90 }]);
    await store().saveTargets([{ ...target, value: 1200 }]);
    expect(await store().targets()).toEqual([
      { ...target, value: 1200 },
      { ...target, period: '2026-11', value: 90 },
    ]);
  });

  it('keeps reduction targets beside quotas, one per scope, energy, target year and unit (issue 16, item 6)', async () => {
    const quota = { scope: 'city', energy: 'all' as const, period: '2025', value: 9.5, unit: 'kgce/m2' };
    const reduction = {
      scope: 'city',
      energy: 'all' as const,
      kind: 'reduction' as const,
      baseYear: 2020,
      period: '2025',
      reductionPct: 5,
      unit: 'kgce/m2',
    };
    await store().saveTargets([quota, reduction, { ...reduction, reductionPct: 6, unit: 'kgce/capita' }]);
    await store().saveTargets([{ ...reduction, reductionPct: 5.5 }]);
    expect(await store().targets()).toEqual([
      quota,
      { ...reduction, reductionPct: 6, unit: 'kgce/capita' },
      { ...reduction, reductionPct: 5.5 },
    ]);
  });

  it('upserts anomalies keeping their status, filters them and records their life', async () => {
    const a1 = anomaly('an-1', T0);
    const a2 = anomaly('an-2', T0 + 24 * H, { scope: 'meter:hvac', type: 'over_target' });
    expect(await store().upsertAnomalies([a1])).toEqual(['an-1']);
    const step = { by: 'officer', comment: 'lights left on', atMs: T0 + 30 * H };
    await store().setAnomalyStatus('an-1', 'acknowledged', step);
    expect(await store().upsertAnomalies([{ ...a1, endMs: T0 + 8 * H, severity: 'high' }, a2])).toEqual(['an-2']);
    const range = { fromMs: T0 - H, toMs: T0 + 48 * H };
    expect(await store().anomalies(range)).toEqual([
      a2,
      { ...a1, endMs: T0 + 8 * H, severity: 'high', status: 'acknowledged', acknowledged: step },
    ]);
    expect((await store().anomalies({ ...range, status: 'open' })).map((a) => a.id)).toEqual(['an-2']);
    expect((await store().anomalies({ ...range, scopes: ['meter:light'] })).map((a) => a.id)).toEqual(['an-1']);
    expect((await store().anomalies({ ...range, type: 'over_target' })).map((a) => a.id)).toEqual(['an-2']);
    expect(await store().anomalies({ fromMs: T0 + 100 * H, toMs: T0 + 200 * H })).toEqual([]);
  });

  it('upserts an outage worth of anomalies at once: repeated ids, known ones, odd evidence', async () => {
    // One `offline` finding per meter after an outage (issue 19): thousands in one call, more than
    // one statement's worth on PostgreSQL; an id repeated in the batch counts once, as its last.
    const many = Array.from({ length: 6_001 }, (_, i) =>
      anomaly(`an-${i}`, T0 + i * H, {
        type: 'offline',
        scope: `meter:m-${i}`,
        evidence: { note: `'; DROP TABLE anomalies; -- 停电 ${i}`, nested: { list: [i, null, 'x'] } },
      }),
    );
    expect(await store().upsertAnomalies(many.slice(0, 10))).toEqual(many.slice(0, 10).map((a) => a.id));
    await store().setAnomalyStatus('an-3', 'resolved', { by: 'officer', comment: 'back online', atMs: T0 });
    const again = { ...(many[5] as AnomalyEvent), endMs: T0 + 900 * H, severity: 'high' as const };
    const repeated = { ...(many[6_000] as AnomalyEvent), wastedNative: 1, evidence: { last: true } };
    const fresh = await store().upsertAnomalies([many[6_000] as AnomalyEvent, ...many, again, repeated]);
    expect(fresh).toEqual([many[6_000], ...many.slice(10, 6_000)].map((a) => (a as AnomalyEvent).id));
    const all = await store().anomalies({ fromMs: T0 - H, toMs: T0 + 7_000 * H });
    expect(all).toHaveLength(6_001);
    const byId = new Map(all.map((a) => [a.id, a]));
    expect(byId.get('an-5')).toEqual(again);
    expect(byId.get('an-3')?.status).toBe('resolved');
    expect(byId.get('an-6000')).toEqual(repeated);
    expect(byId.get('an-42')).toEqual(many[42]);
  });

  it('saves API tokens by hash and counts them', async () => {
    expect(await store().countTokens()).toBe(0);
    const token = { id: 'tok-1', name: 'admin', role: 'admin' as const, hash: 'h-1', createdAtMs: T0 };
    await store().saveToken(token);
    await store().saveToken({ ...token, id: 'tok-2', role: 'viewer', hash: 'h-2' });
    expect(await store().findTokenByHash('h-1')).toEqual(token);
    expect(await store().findTokenByHash('h-3')).toBeUndefined();
    expect(await store().countTokens()).toBe(2);
    await expect(store().saveToken({ ...token, id: 'tok-3' })).rejects.toThrow();
    expect(await store().countTokens()).toBe(2);
  });

  it('keeps token scopes and expiry, lists and revokes tokens', async () => {
    const token = {
      id: 'tok-s',
      name: 'gulou officer',
      role: 'officer' as const,
      hash: 'h-s',
      createdAtMs: T0,
      scopes: ['district:gulou', 'institution:i-9'],
      expiresAtMs: T0 + 24 * H,
    };
    await store().saveToken(token);
    expect(await store().findTokenByHash('h-s')).toEqual(token);
    expect(await store().revokeToken('tok-s', T0 + H)).toBe(true);
    expect(await store().revokeToken('nope', T0 + H)).toBe(false);
    expect(await store().revokeToken('tok-s', T0 + 2 * H)).toBe(true);
    expect((await store().listTokens()).find((t) => t.id === 'tok-s')).toEqual({ ...token, revokedAtMs: T0 + H });
  });

  it('appends audit entries and reads them back by time', async () => {
    const entry = {
      atMs: T0,
      tokenId: 'tok-1',
      tokenName: 'admin',
      route: 'PUT /api/v1/targets',
      entity: 'targets:x',
      before: null,
      after: [{ value: 1 }],
    };
    await store().addAudit(entry);
    await store().addAudit({ ...entry, atMs: T0 + 2 * H, before: { a: 1 } });
    expect(await store().audit(T0, T0 + H)).toEqual([entry]);
    expect(await store().audit(T0, T0 + 3 * H)).toHaveLength(2);
  });
}
