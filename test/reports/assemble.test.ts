import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AnomalyEvent } from '../../core/domain/anomalies.js';
import { DEFAULT_COEFFICIENT_TABLE, type Energy } from '../../core/domain/energy.js';
import type { MeterEvent } from '../../core/domain/meter-events.js';
import type { Registry } from '../../core/domain/registry.js';
import type { Target } from '../../core/domain/targets.js';
import { assembleReport, type ReportInputs } from '../../core/reports/assemble.js';
import { type Totals, toMicro } from '../../core/reports/model.js';
import { parseReportPeriod, previousMonth, trendRange } from '../../core/reports/params.js';
import { rankInstitutions } from '../../core/reports/ranking.js';
import type { AggregateRow } from '../../core/storage/store.js';
import { smallCity } from '../helpers/registry.js';

const TZ = 'Asia/Shanghai';
const NOW = Date.parse('2026-11-05T10:00:00+08:00');
const K = DEFAULT_COEFFICIENT_TABLE.kgcePerUnit;
const city = smallCity();
const registry: Registry = { ...city, gateways: city.gateways.map((g) => ({ id: g.id, secretHash: 'x' })) };

function row(groupId: string, energy: Energy, amount: number, readings = 744, estimated = 0): AggregateRow {
  return {
    bucketStartMs: 0,
    energy,
    groupId,
    amount,
    estimated,
    readings,
    suspectHours: 0,
    estimatedHours: 0,
    goodHours: 0,
  };
}

/** Meter rows summed by institution and energy, as the store answers `groupBy: 'institution'`. */
function byInstitution(rows: readonly AggregateRow[]): AggregateRow[] {
  const institutionOf = new Map(registry.buildings.map((b) => [b.id, b.institutionId]));
  const meterInstitution = new Map(registry.meters.map((m) => [m.id, institutionOf.get(m.buildingId) ?? '']));
  const out = new Map<string, AggregateRow>();
  for (const r of rows) {
    const groupId = meterInstitution.get(r.groupId) ?? '';
    const key = `${groupId}/${r.energy}`;
    const o = out.get(key);
    out.set(
      key,
      o === undefined
        ? { ...r, groupId }
        : {
            ...o,
            amount: (toMicro(o.amount) + toMicro(r.amount)) / 1e6,
            estimated: o.estimated + r.estimated,
            readings: o.readings + r.readings,
          },
    );
  }
  return [...out.values()];
}

const METERS: [string, Energy, number][] = [
  ['m-light', 'electricity', 1000.123456],
  ['m-hvac', 'electricity', 500.5],
  ['m-water', 'water', 50],
  ['m-school', 'electricity', 200],
  ['m-hosp', 'electricity', 1000],
  ['m-gas', 'gas', 100],
];

function inputs(kind: 'monthly' | 'annual', over: Partial<ReportInputs> = {}): ReportInputs {
  const period = parseReportPeriod(kind, kind === 'monthly' ? '2026-10' : '2026', TZ, NOW);
  return {
    period,
    scope: { level: 'city' },
    registry,
    timeZone: TZ,
    coefficients: DEFAULT_COEFFICIENT_TABLE,
    nowMs: NOW,
    periodRows: byInstitution(
      METERS.map(([id, e, a]) => row(id, e, a, id === 'm-school' ? 300 : 744, id === 'm-light' ? 100.0617 : 0)),
    ),
    previousRows: [row('i-001', 'electricity', 1200), row('i-001', 'water', 40), row('i-003', 'electricity', 800)],
    lastYearRows: [row('i-001', 'electricity', 1000)],
    trend: trendRange(period, TZ),
    trendRows: [],
    targets: [],
    anomalies: [],
    events: [],
    ...over,
  };
}

const event = (scope: string) => ({ scope }) as AnomalyEvent;

describe('report assembly (pure)', () => {
  it('computes kgce without water, intensities, month-on-month and year-on-year', () => {
    const m = assembleReport(inputs('monthly'), NOW);
    const i1 = m.institutions.find((r) => r.institutionId === 'i-001');
    const elec = i1?.energies.find((l) => l.energy === 'electricity');
    expect(elec?.amount).toBe(1500.62);
    expect(elec?.kgce).toBe(Math.round(1500.623456 * K.electricity * 100) / 100);
    expect(i1?.totalKgce).toBe(elec?.kgce);
    expect(i1?.energies.find((l) => l.energy === 'water')?.amount).toBe(50);
    expect(i1?.kgcePerM2).toBeCloseTo((elec?.kgce ?? 0) / 52000, 4);
    expect(i1?.kgcePerCapita).toBeCloseTo((elec?.kgce ?? 0) / 1800, 4);
    expect(elec?.momChange).toBeCloseTo((1500.62 - 1200) / 1200, 4);
    expect(elec?.yoyChange).toBeCloseTo((1500.62 - 1000) / 1000, 4);
    expect(i1?.energies.find((l) => l.energy === 'water')?.momChange).toBeCloseTo(0.25, 4);
    expect(i1?.previous).toBe(Math.round(1200 * K.electricity * 100) / 100);
    expect(i1?.estimatedShare).toBeCloseTo(100.0617 / 1500.623456, 4);
    const i3 = m.institutions.find((r) => r.institutionId === 'i-003');
    expect(i3?.energies.find((l) => l.energy === 'gas')?.momChange).toBeNull(); // no September gas
    expect(i3?.yoyChange).toBeNull(); // no data a year ago
    expect(m.institutions.find((r) => r.institutionId === 'i-002')?.momChange).toBeNull();
  });

  it('says n/a for month-on-month in annual reports', () => {
    const m = assembleReport(inputs('annual', { previousRows: undefined }), NOW);
    expect(m.kind).toBe('annual');
    expect(m.partial).toBe(true); // 2026 is not over on 2026-11-05
    expect(m.institutions.every((r) => r.momChange === null && r.energies.every((l) => l.momChange === null))).toBe(
      true,
    );
  });

  it('shows completeness (decommissions respected) and lists the incomplete institutions', () => {
    const decommission = {
      type: 'decommission',
      ts: Date.parse('2026-10-16T00:00:00+08:00'),
      meterId: 'm-school',
    } as MeterEvent;
    const m = assembleReport(inputs('monthly', { events: [decommission] }), NOW);
    const school = m.institutions.find((r) => r.institutionId === 'i-002');
    expect(school?.expectedReadings).toBe(15 * 24);
    expect(school?.completeness).toBeCloseTo(300 / 360, 4);
    expect(m.incomplete).toEqual(['i-002']);
    expect(m.districts.find((d) => d.scope === 'district:gulou')?.completeness).toBeCloseTo(
      (3 * 744 + 300) / (3 * 744 + 360),
      4,
    );
  });

  it('gives target attainment in the target unit and counts anomalies of the institution and its meters', () => {
    const targets: Target[] = [
      { scope: 'institution:i-001', energy: 'all', period: '2026-10', value: 200, unit: 'kgce' },
      { scope: 'institution:i-001', energy: 'electricity', period: '2026-10', value: 0.05, unit: 'kWh/m2' },
      { scope: 'institution:i-003', energy: 'all', period: '2026', value: 1, unit: 'kgce' },
      { scope: 'district:gulou', energy: 'all', period: '2026-10', value: 500, unit: 'kgce' },
    ];
    const anomalies = ['meter:m-light', 'institution:i-001', 'building:b-004', 'meter:gone'].map(event);
    const m = assembleReport(inputs('monthly', { targets, anomalies }), NOW);
    const i1 = m.institutions.find((r) => r.institutionId === 'i-001');
    expect(i1?.target?.attainment).toBeCloseTo((i1?.totalKgce ?? 0) / 200, 4);
    const elec = i1?.energies.find((l) => l.energy === 'electricity')?.target;
    expect(elec?.actual).toBeCloseTo(1500.62 / 52000, 4);
    expect(elec?.attainment).toBeCloseTo(1500.62 / 52000 / 0.05, 3);
    expect(m.institutions.find((r) => r.institutionId === 'i-003')?.target).toBeNull(); // an annual target
    const gulou = m.districts.find((d) => d.scope === 'district:gulou');
    expect(gulou?.target?.attainment).toBeCloseTo((gulou?.totalKgce ?? 0) / 500, 4);
    expect(m.institutions.map((r) => r.anomalies)).toEqual([2, 0, 1]);
    expect(m.total.anomalies).toBe(3);
  });

  it('makes every total the rounding of the exact sum of its unrounded parts, whatever the amounts', () => {
    // Issue 16, item 7: a total is never a sum of rounded parts. "Exact" is to the micro-unit: the
    // store sums integer micro-units, and each institution's kgce of an energy is round(micro × coefficient).
    const round2 = (micro: number) => Math.round(micro / 1e4) / 100;
    const institutionOf = new Map(registry.buildings.map((b) => [b.id, b.institutionId]));
    const meterInstitution = new Map(registry.meters.map((m) => [m.id, institutionOf.get(m.buildingId) ?? '']));
    const districtOf = new Map(registry.institutions.map((i) => [i.id, i.districtId]));
    const amount = fc.integer({ min: 0, max: 10 ** 12 });
    fc.assert(
      fc.property(fc.array(amount, { minLength: 6, maxLength: 6 }), (micros) => {
        const periodRows = byInstitution(METERS.map(([id, e], k) => row(id, e, (micros[k] ?? 0) / 1e6)));
        const m = assembleReport(inputs('monthly', { periodRows }), NOW);
        // The unrounded parts, computed here from the meters: micro-units per (institution, energy).
        const parts = new Map<string, { inst: string; energy: Energy; micro: number }>();
        METERS.forEach(([id, energy], k) => {
          const inst = meterInstitution.get(id) ?? '';
          const p = parts.get(`${inst}/${energy}`) ?? { inst, energy, micro: 0 };
          p.micro += micros[k] ?? 0;
          parts.set(`${inst}/${energy}`, p);
        });
        const kgceMicro = (p: { energy: Energy; micro: number }) => Math.round(p.micro * K[p.energy]);
        const energyParts = [...parts.values()].filter((p) => p.energy !== 'water');
        const expectTotals = (scope: (inst: string) => boolean, t: Totals) => {
          const mine = [...parts.values()].filter((p) => scope(p.inst));
          const kgce = energyParts.filter((p) => scope(p.inst)).reduce((s, p) => s + kgceMicro(p), 0);
          expect(t.totalKgce).toBe(round2(kgce));
          expect(t.exact.kgceMicro).toBe(kgce);
          for (const line of t.energies) {
            const of = mine.filter((p) => p.energy === line.energy);
            expect(line.amount).toBe(round2(of.reduce((s, p) => s + p.micro, 0)));
            expect(line.kgce).toBe(round2(of.reduce((s, p) => s + kgceMicro(p), 0)));
          }
        };
        for (const r of m.institutions) expectTotals((i) => i === r.institutionId, r);
        for (const d of m.districts) expectTotals((i) => `district:${districtOf.get(i)}` === d.scope, d);
        expectTotals(() => true, m.total);
      }),
      { numRuns: 200 },
    );
  });

  it('prints a total that is not the sum of its rounded rows when the exact sum says otherwise', () => {
    // Three institutions of 0.004 kgce each: every row shows 0.00, the exact total 0.012 shows 0.01.
    const periodRows = byInstitution(
      METERS.map(([id, e]) => row(id, e, e === 'electricity' && id !== 'm-hvac' ? 0.004 / K.electricity : 0)),
    );
    const m = assembleReport(inputs('monthly', { periodRows }), NOW);
    expect(m.institutions.map((r) => r.totalKgce)).toEqual([0, 0, 0]);
    expect(m.total.totalKgce).toBe(0.01);
  });

  it('ranks highest first, equal values sharing a rank, and leaves institutions without occupants unranked', () => {
    const periodRows = byInstitution(
      METERS.map(([id, e]) => row(id, e, id === 'm-school' ? 2000 : id === 'm-hosp' ? 2000 : 0)),
    );
    const m = assembleReport(inputs('monthly', { periodRows }), NOW);
    const r = rankInstitutions(m, 'kgce');
    expect(r.entries.map((e) => [e.institutionId, e.rank, e.typeRank])).toEqual([
      ['i-002', 1, 1],
      ['i-003', 1, 1],
      ['i-001', 3, 1],
    ]);
    const noStaff = {
      ...m,
      institutions: m.institutions.map((x) => ({ ...x, occupants: 0, exact: { ...x.exact, occupantsMicro: 0 } })),
    };
    expect(rankInstitutions(noStaff, 'kgce_per_capita').unranked).toHaveLength(3);
  });

  it('reports the month before a run, and refuses impossible or future periods', () => {
    expect(previousMonth(Date.parse('2026-11-01T02:00:00+08:00'), TZ)).toBe('2026-10');
    expect(previousMonth(Date.parse('2027-01-01T02:00:00+08:00'), TZ)).toBe('2026-12');
    expect(() => parseReportPeriod('monthly', '2026-13', TZ, NOW)).toThrow(/^month: /);
    expect(() => parseReportPeriod('monthly', '2026-12', TZ, NOW)).toThrow(/^month: .*future/);
    expect(() => parseReportPeriod('annual', '2026-01', TZ, NOW)).toThrow(/^year: /);
    expect(parseReportPeriod('monthly', '2026-01', TZ, NOW).previous?.period).toBe('2025-12');
  });
});
