import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { groupBy } from '../../core/collections.js';
import { DEFAULT_COEFFICIENT_TABLE, ENERGY_INFO, type Energy } from '../../core/domain/energy.js';
import type { Fact } from '../../core/domain/facts.js';
import type { MeterEvent } from '../../core/domain/meter-events.js';
import { expectedReadings, metersInScope } from '../../core/domain/quality.js';
import { type InstitutionType, type Meter, meterKind, type Registry } from '../../core/domain/registry.js';
import type { Scope } from '../../core/domain/scope.js';
import { assembleReport } from '../../core/reports/assemble.js';
import { type EnergyFigureInputs, energyFigures } from '../../core/reports/energy-figures.js';
import { toMicro } from '../../core/reports/model.js';
import { parseReportPeriod, trendRange } from '../../core/reports/params.js';
import { RANKING_METRICS, rankInstitutions } from '../../core/reports/ranking.js';
import { rankingRows } from '../../core/reports/ranking-rows.js';
import type { AggregateRow } from '../../core/storage/store.js';

const TZ = 'Asia/Shanghai';
const ENERGIES = Object.keys(ENERGY_INFO) as Energy[];
const TYPES: InstitutionType[] = ['office', 'school', 'hospital', 'venue', 'other'];

/** The figures as the report computed them before issue 19 (one key and map entry per meter): the reference. */
function referenceFigures(inputs: EnergyFigureInputs) {
  const { registry, scope, period, nowMs } = inputs;
  const institutionOf = new Map(registry.buildings.map((b) => [b.id, b.institutionId]));
  const rows = new Map<string, Map<Energy, AggregateRow>>();
  for (const r of inputs.periodRows) rows.set(r.groupId, (rows.get(r.groupId) ?? new Map()).set(r.energy, r));
  const events = groupBy(inputs.events, (e) => e.meterId);
  const same = new Map<string, number>();
  const expectedOf = (m: Meter) => {
    const own = events.get(m.id);
    if (own !== undefined) return expectedReadings(m, own, period.fromMs, period.toMs, nowMs);
    const key = `${meterKind(m)}|${m.intervalS}|${m.installedAt ?? ''}`;
    const value = same.get(key) ?? expectedReadings(m, [], period.fromMs, period.toMs, nowMs);
    same.set(key, value);
    return value;
  };
  const expected = new Map<string, Map<Energy, { meters: number; expected: number }>>();
  for (const m of metersInScope(registry, scope)) {
    const institutionId = institutionOf.get(m.buildingId) ?? '';
    const byEnergy = expected.get(institutionId) ?? new Map<Energy, { meters: number; expected: number }>();
    expected.set(institutionId, byEnergy);
    const e = byEnergy.get(m.energy) ?? { meters: 0, expected: 0 };
    e.meters += 1;
    e.expected += expectedOf(m);
    byEnergy.set(m.energy, e);
  }
  return [...expected].flatMap(([institutionId, byEnergy]) =>
    [...byEnergy].map(([energy, e]) => {
      const r = rows.get(institutionId)?.get(energy);
      return {
        energy,
        institutionId,
        amountMicro: toMicro(r?.amount ?? 0),
        estimated: r?.estimated ?? 0,
        meters: e.meters,
        expectedReadings: e.expected,
        receivedReadings: r?.readings ?? 0,
        completeness: null,
        estimatedShare: 0,
      };
    }),
  );
}

/** A random city: districts, institutions (some without occupants), buildings, meters of every kind. */
const cityArb = fc
  .record({
    institutions: fc.array(
      fc.record({
        district: fc.integer({ min: 0, max: 2 }),
        type: fc.constantFrom(...TYPES),
        floorAreaM2: fc.integer({ min: 1, max: 90_000 }),
        occupants: fc.integer({ min: 0, max: 3000 }),
        buildings: fc.integer({ min: 1, max: 3 }),
      }),
      { minLength: 1, maxLength: 12 },
    ),
    meters: fc.array(
      fc.record({
        institution: fc.nat(),
        building: fc.nat(),
        energy: fc.constantFrom(...ENERGIES),
        intervalS: fc.constantFrom(900, 3600),
        installedDay: fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }),
        manual: fc.boolean(),
      }),
      { minLength: 0, maxLength: 40 },
    ),
  })
  .map(({ institutions, meters }): Registry => {
    const insts = institutions.map((x, i) => ({
      id: `i-${String(i).padStart(2, '0')}`,
      name: `机构${i}`,
      districtId: `d${x.district}`,
      type: x.type,
      floorAreaM2: x.floorAreaM2,
      occupants: x.occupants,
    }));
    const buildings = institutions.flatMap((x, i) =>
      Array.from({ length: x.buildings }, (_, b) => ({
        id: `b-${i}-${b}`,
        institutionId: `i-${String(i).padStart(2, '0')}`,
        name: `楼${b}`,
        floorAreaM2: 1000,
      })),
    );
    return {
      districts: [2, 0, 1].map((d) => ({ id: `d${d}`, name: `区${d}` })),
      institutions: insts,
      buildings,
      gateways: [{ id: 'gw', secretHash: 'x' }],
      meters: meters.map((m, k) => {
        const inst = m.institution % institutions.length;
        const building = m.building % (institutions[inst]?.buildings ?? 1);
        return {
          id: `m-${k}`,
          buildingId: `b-${inst}-${building}`,
          gatewayId: 'gw',
          energy: m.energy,
          unit: ENERGY_INFO[m.energy].nativeUnit,
          multiplier: 1,
          intervalS: m.intervalS,
          ...(m.installedDay === undefined
            ? {}
            : {
                installedAt: new Date(
                  Date.parse('2026-09-20T00:00:00+08:00') + m.installedDay * 86_400_000,
                ).toISOString(),
              }),
          ...(m.manual ? { reading: 'manual' as const } : {}),
        };
      }),
    } as unknown as Registry;
  });

/** The city with its month: stored rows (some of energies or institutions without meters), decommissions, facts. */
const caseArb = cityArb.chain((registry) =>
  fc.record({
    registry: fc.constant(registry),
    rows: fc.array(
      fc.record({
        institution: fc.integer({ min: 0, max: 14 }),
        energy: fc.constantFrom(...ENERGIES),
        micro: fc.integer({ min: 0, max: 10 ** 12 }),
        readings: fc.integer({ min: 0, max: 3000 }),
      }),
      { maxLength: 40 },
    ),
    decommissions: fc.array(fc.record({ meter: fc.nat(), day: fc.integer({ min: 1, max: 31 }) }), { maxLength: 4 }),
    facts: fc.array(
      fc.record({
        institution: fc.integer({ min: 0, max: 12 }),
        day: fc.integer({ min: 1, max: 60 }),
        floorAreaM2: fc.option(fc.integer({ min: 1, max: 90_000 }), { nil: undefined }),
        occupants: fc.integer({ min: 0, max: 3000 }),
      }),
      { maxLength: 5 },
    ),
    scope: fc.constantFrom<Scope>(
      { level: 'city' },
      { level: 'district', id: 'd0' },
      { level: 'district', id: 'd2' },
      { level: 'institution', id: 'i-00' },
    ),
    nowDay: fc.constantFrom(12, 40),
  }),
);

const day = (n: number) => Date.parse('2026-09-30T16:00:00Z') + (n - 1) * 86_400_000;
const date = (n: number) => new Date(day(n) + 8 * 3_600_000).toISOString().slice(0, 10);

describe('the rows of a ranking (issue 19)', () => {
  it('are the figures assembleReport gives, in its order, and rank the same, for any city and month', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { registry } = c;
        const nowMs = day(c.nowDay);
        const period = parseReportPeriod('monthly', '2026-10', TZ, nowMs);
        const periodRows: AggregateRow[] = c.rows.map((r) => ({
          bucketStartMs: period.fromMs,
          energy: r.energy,
          groupId: `i-${String(r.institution).padStart(2, '0')}`,
          amount: r.micro / 1e6,
          estimated: 0,
          readings: r.readings,
          suspectHours: 0,
          estimatedHours: 0,
          goodHours: 0,
        }));
        const events = c.decommissions.flatMap((d): MeterEvent[] =>
          registry.meters.length === 0
            ? []
            : [
                {
                  type: 'decommission',
                  meterId: registry.meters[d.meter % registry.meters.length]?.id ?? '',
                  ts: day(d.day),
                } as MeterEvent,
              ],
        );
        const facts: Fact[] = c.facts.map((f, k) => ({
          id: `f${k}`,
          scope: `institution:i-${String(f.institution).padStart(2, '0')}`,
          from: date(f.day),
          occupants: f.occupants,
          ...(f.floorAreaM2 === undefined ? {} : { floorAreaM2: f.floorAreaM2 }),
          createdAtMs: 0,
          createdBy: 'test',
        }));
        const base = { registry, scope: c.scope, period, nowMs, periodRows, events };
        expect(energyFigures(base)).toEqual(referenceFigures(base));
        const model = assembleReport(
          {
            ...base,
            timeZone: TZ,
            coefficients: DEFAULT_COEFFICIENT_TABLE,
            lastYearRows: [],
            trend: trendRange(period, TZ),
            trendRows: [],
            targets: [],
            anomalies: [],
            facts,
          },
          nowMs,
        );
        const rows = rankingRows({ ...base, timeZone: TZ, coefficients: DEFAULT_COEFFICIENT_TABLE, facts });
        expect(rows.period).toBe(model.period);
        expect(rows.scope).toBe(model.scope);
        expect(rows.institutions).toEqual(
          model.institutions.map((r) => ({
            institutionId: r.institutionId,
            name: r.name,
            districtId: r.districtId,
            type: r.type,
            totalKgce: r.totalKgce,
            completeness: r.completeness,
            energies: r.energies.map((l) => ({
              energy: l.energy,
              kgce: l.kgce,
              exact: { kgceMicro: l.exact.kgceMicro },
            })),
            exact: {
              kgceMicro: r.exact.kgceMicro,
              floorAreaM2Micro: r.exact.floorAreaM2Micro,
              occupantsMicro: r.exact.occupantsMicro,
            },
          })),
        );
        for (const metric of RANKING_METRICS)
          for (const energy of [undefined, 'electricity', 'water'] as const)
            expect(rankInstitutions(rows, metric, energy)).toEqual(rankInstitutions(model, metric, energy));
      }),
      { numRuns: 300 },
    );
  });
});
