import { describe, expect, it } from 'vitest';
import {
  billFlags,
  completenessFlags,
  DEFAULT_AUDIT_YOY_THRESHOLD,
  factsFlags,
  imbalanceFlags,
  type MonthCompleteness,
  peerFlags,
  quantile,
  type YearOnYear,
  yoyFlags,
} from '../../core/audit/rules.js';
import type { BillCheck } from '../../core/cost/reconciliation.js';
import { auditFlagId } from '../../core/domain/audit-flags.js';
import { balanceLines } from '../../core/domain/balance.js';
import type { Fact } from '../../core/domain/facts.js';

const YEAR = 2025;

describe('yoy_change: total kgce or water against last year beyond AUDIT_YOY_THRESHOLD', () => {
  const row = (values: Partial<YearOnYear>): YearOnYear => ({
    institutionId: 'i-1',
    kgce: 1000,
    lastYearKgce: 1000,
    waterM3: 500,
    lastYearWaterM3: 500,
    ...values,
  });

  it('fires on a planted +30 % kgce and a −60 % water, with the change and threshold as evidence', () => {
    const flags = yoyFlags(YEAR, [row({ kgce: 1300, waterM3: 200 })], DEFAULT_AUDIT_YOY_THRESHOLD);
    expect(flags.map((f) => [f.id, f.rule, f.scope, f.severity])).toEqual([
      [auditFlagId('yoy_change', 'institution:i-1', YEAR, 'kgce'), 'yoy_change', 'institution:i-1', 'low'],
      [auditFlagId('yoy_change', 'institution:i-1', YEAR, 'water'), 'yoy_change', 'institution:i-1', 'medium'],
    ]);
    expect(flags[0]?.evidence).toEqual({
      measure: 'kgce',
      unit: 'kgce',
      value: 1300,
      lastYear: 1000,
      change: 0.3,
      threshold: 0.2,
    });
    expect(flags[1]?.evidence.change).toBe(-0.6);
  });

  it('stays quiet within ±20 % (the threshold itself included) and without last year to compare with', () => {
    const clean = [
      row({ kgce: 1150, waterM3: 420 }),
      row({ institutionId: 'i-2', kgce: 1200, lastYearKgce: 1000 }),
      row({ institutionId: 'i-3', kgce: 5000, lastYearKgce: null, waterM3: 9, lastYearWaterM3: 0 }),
    ];
    expect(yoyFlags(YEAR, clean, DEFAULT_AUDIT_YOY_THRESHOLD)).toEqual([]);
  });
});

describe('peer_outlier: kgce/m² outside its type’s Tukey fences', () => {
  const offices = [10, 11, 12, 13, 14].map((v, i) => ({ institutionId: `o-${i}`, type: 'office', kgcePerM2: v }));

  it('computes quartiles by linear interpolation (QUARTILE.INC)', () => {
    expect(quantile([10, 11, 12, 13, 14], 0.25)).toBe(11);
    expect(quantile([1, 2, 3, 4], 0.75)).toBeCloseTo(3.25, 12);
  });

  it('fires on a planted outlier above the upper fence (high beyond 3·IQR) and one below the lower', () => {
    // Of the seven: Q1 10.5, Q3 13.5, IQR 3; fences [6, 18], outer fences [1.5, 22.5].
    const rows = [
      ...offices,
      { institutionId: 'hot', type: 'office', kgcePerM2: 40 },
      { institutionId: 'cold', type: 'office', kgcePerM2: 3 },
    ];
    const { flags, skipped } = peerFlags(YEAR, rows);
    expect(skipped).toEqual([]);
    expect(flags.map((f) => [f.scope, f.severity])).toEqual([
      ['institution:hot', 'high'],
      ['institution:cold', 'medium'],
    ]);
    const hot = flags[0]?.evidence;
    expect(hot).toMatchObject({
      type: 'office',
      kgcePerM2: 40,
      peers: 7,
      q1: 10.5,
      q3: 13.5,
      lowerFence: 6,
      upperFence: 18,
    });
  });

  it('stays quiet on a clean type, ignores institutions without an intensity, and skips a type of fewer than 4 peers', () => {
    const rows = [
      ...offices,
      { institutionId: 'no-area', type: 'office', kgcePerM2: null },
      { institutionId: 'no-data', type: 'office', kgcePerM2: 0 },
      { institutionId: 's-1', type: 'school', kgcePerM2: 5 },
      { institutionId: 's-2', type: 'school', kgcePerM2: 6 },
      { institutionId: 's-3', type: 'school', kgcePerM2: 600 },
    ];
    const { flags, skipped } = peerFlags(YEAR, rows);
    expect(flags).toEqual([]);
    expect(skipped).toEqual([{ type: 'school', peers: 3, reason: 'fewer than 4 institutions with an intensity' }]);
  });
});

describe('facts_changed: floor area or persons changed during the year', () => {
  const inst = { id: 'i-1', floorAreaM2: 15_000, occupants: 100 };
  const fact = (id: string, from: string, values: Partial<Fact>): Fact => ({
    id,
    scope: 'institution:i-1',
    from,
    ...values,
    createdAtMs: 0,
    createdBy: 'admin',
  });

  it('fires on a planted mid-year area change, with the value at the start, each change and the value at the end', () => {
    const facts = [
      fact('pin', '1970-01-01', { floorAreaM2: 10_000 }),
      fact('f-1', '2025-07-01', { floorAreaM2: 15_000 }),
      fact('other-year', '2026-02-01', { occupants: 120 }),
    ];
    const flags = factsFlags(YEAR, [inst], facts);
    expect(flags).toHaveLength(1);
    expect(flags[0]).toMatchObject({
      id: auditFlagId('facts_changed', 'institution:i-1', YEAR, 'floorAreaM2'),
      rule: 'facts_changed',
      evidence: {
        field: 'floorAreaM2',
        atStart: 10_000,
        atEnd: 15_000,
        changes: [{ from: '2025-07-01', value: 15_000, by: 'admin' }],
      },
    });
  });

  it('fires on persons changed on 1 January (against last year) even without a pin (the registry’s value before)', () => {
    const flags = factsFlags(YEAR, [inst], [fact('f-1', '2025-01-01', { occupants: 130 })]);
    expect(flags.map((f) => f.evidence)).toEqual([
      { field: 'occupants', atStart: 100, atEnd: 130, changes: [{ from: '2025-01-01', value: 130, by: 'admin' }] },
    ]);
  });

  it('stays quiet on facts of other years, pins, a fact that restates the value in force, and other scopes', () => {
    const facts = [
      fact('pin', '1970-01-01', { floorAreaM2: 10_000, occupants: 100 }),
      fact('f-old', '2024-03-01', { floorAreaM2: 12_000 }),
      fact('same', '2025-05-01', { floorAreaM2: 12_000, occupants: 100 }),
      { ...fact('b', '2025-05-01', { floorAreaM2: 1 }), scope: 'building:b-1' },
    ];
    expect(factsFlags(YEAR, [inst], facts)).toEqual([]);
  });
});

describe('month_incomplete: a month below 90 % of the expected readings', () => {
  const month = (m: string, received: number, expected = 744): MonthCompleteness => ({
    institutionId: 'i-1',
    month: m,
    expected,
    received,
  });

  it('fires once per planted month below 90 %, graded by how much is missing', () => {
    const flags = completenessFlags(YEAR, [month('2025-01', 600), month('2025-03', 300), month('2025-05', 0)], 0.9);
    expect(flags.map((f) => [f.id, f.severity])).toEqual([
      [auditFlagId('month_incomplete', 'institution:i-1', YEAR, '2025-01'), 'low'],
      [auditFlagId('month_incomplete', 'institution:i-1', YEAR, '2025-03'), 'high'],
      [auditFlagId('month_incomplete', 'institution:i-1', YEAR, '2025-05'), 'high'],
    ]);
    expect(flags[0]?.evidence).toMatchObject({ month: '2025-01', received: 600, completeness: 0.8065, threshold: 0.9 });
  });

  it('stays quiet at 90 % and above, above 100 %, and where nothing was expected', () => {
    const clean = [month('2025-01', 670), month('2025-02', 744), month('2025-03', 900), month('2025-04', 0, 0)];
    expect(completenessFlags(YEAR, clean, 0.9)).toEqual([]);
  });
});

describe('meter_imbalance: a main meter whose sub-meters differ from it over the year', () => {
  const meters = [
    { id: 'main', energy: 'electricity' as const },
    { id: 'sub-1', energy: 'electricity' as const, parentId: 'main' },
    { id: 'sub-2', energy: 'electricity' as const, parentId: 'main' },
  ];
  const lines = (sub1: number) =>
    balanceLines(
      meters,
      new Map([
        ['main', 1000],
        ['sub-1', sub1],
        ['sub-2', 400],
      ]),
      new Map([['main', sub1 + 400]]),
      0.05,
    ).map((line) => ({ institutionId: 'i-1', line }));

  it('fires on a planted 30 % gap, on the parent, with the balance as evidence', () => {
    const flags = imbalanceFlags(YEAR, lines(300), 0.05);
    expect(flags.map((f) => [f.id, f.severity])).toEqual([
      [auditFlagId('meter_imbalance', 'institution:i-1', YEAR, 'main'), 'high'],
    ]);
    expect(flags[0]?.evidence).toMatchObject({
      meterId: 'main',
      parent: 1000,
      children: 700,
      difference: 300,
      share: 0.3,
      tolerance: 0.05,
    });
  });

  it('stays quiet on a tree within the tolerance', () => {
    expect(imbalanceFlags(YEAR, lines(570), 0.05)).toEqual([]);
  });
});

describe('flag ids', () => {
  it('are the same for the same rule, year, scope and detail, and differ otherwise', () => {
    const id = auditFlagId('month_incomplete', 'institution:i-1', 2025, '2025-03');
    expect(auditFlagId('month_incomplete', 'institution:i-1', 2025, '2025-03')).toBe(id);
    expect(
      new Set([
        id,
        auditFlagId('month_incomplete', 'institution:i-1', 2024, '2025-03'),
        auditFlagId('month_incomplete', 'institution:i-12', 2025, '2025-03'),
        auditFlagId('yoy_change', 'institution:i-1', 2025, '2025-03'),
      ]).size,
    ).toBe(4);
  });
});

describe('bill_mismatch: billed against metered quantity beyond BILL_TOLERANCE', () => {
  const check = (billedQuantity: number, meteredQuantity: number): BillCheck => {
    const difference = meteredQuantity - billedQuantity;
    const share = billedQuantity === 0 ? null : difference / billedQuantity;
    return {
      accountNo: 'ACC-1',
      energy: 'electricity',
      from: '2025-01-01',
      to: '2025-02-01',
      amountYuan: 1000,
      meterIds: ['m-1'],
      billedQuantity,
      meteredQuantity,
      difference,
      share,
      flagged: share === null ? meteredQuantity !== 0 : Math.abs(share) > 0.02,
    };
  };

  it('fires on a planted bill 10 % below its meters, and on metered consumption nothing was billed for', () => {
    const flags = billFlags(
      YEAR,
      [
        { institutionId: 'i-1', check: check(1000, 1100) },
        { institutionId: 'i-2', check: { ...check(0, 50), accountNo: 'ACC-2' } },
      ],
      0.02,
    );
    expect(flags.map((f) => [f.id, f.severity])).toEqual([
      [auditFlagId('bill_mismatch', 'institution:i-1', YEAR, 'ACC-1|electricity|2025-01-01'), 'high'],
      [auditFlagId('bill_mismatch', 'institution:i-2', YEAR, 'ACC-2|electricity|2025-01-01'), 'high'],
    ]);
    expect(flags[0]?.evidence).toMatchObject({
      billedQuantity: 1000,
      meteredQuantity: 1100,
      share: 0.1,
      tolerance: 0.02,
    });
  });

  it('stays quiet on a bill within the tolerance', () => {
    expect(billFlags(YEAR, [{ institutionId: 'i-1', check: check(1000, 1015) }], 0.02)).toEqual([]);
  });
});
