import { describe, expect, it } from 'vitest';
import { applyAttributionEvent } from '../../core/domain/attribution.js';
import { balanceLines } from '../../core/domain/balance.js';
import { meterSpans, rollupAlignment, SPAN_MAX_MS, SPAN_MIN_MS } from '../../core/domain/meter-spans.js';
import { meterTreeProblems } from '../../core/domain/meter-tree.js';
import type { Meter, Registry } from '../../core/domain/registry.js';
import { historyChanges } from '../../core/domain/registry-history.js';

const H = 3_600_000;
const T = Date.parse('2026-11-10T00:00:00+08:00');
const m = (id: string, over: Partial<Meter> = {}): Meter => ({
  id,
  buildingId: 'b1',
  gatewayId: 'g1',
  energy: 'electricity',
  unit: 'kWh',
  multiplier: 1,
  intervalS: 3600,
  ...over,
});
const registry = (meters: Meter[]): Registry => ({
  districts: [{ id: 'd', name: 'D' }],
  institutions: [{ id: 'i', name: 'I', districtId: 'd', type: 'office', floorAreaM2: 1, occupants: 1 }],
  buildings: [
    { id: 'b1', institutionId: 'i', name: 'B1', floorAreaM2: 1 },
    { id: 'b2', institutionId: 'i', name: 'B2', floorAreaM2: 1 },
  ],
  gateways: [{ id: 'g1', secretHash: 'x' }],
  meters,
});

describe('meter spans: where each hour of a meter counts', () => {
  it('starts a change at the first hour starting at or after its instant, and covers all time', () => {
    const until = new Date(T + 1.5 * H).toISOString();
    const spans = meterSpans(m('x', { buildingId: 'b2', attribution: [{ until, buildingId: 'b1', parentId: 'p' }] }));
    expect(spans).toEqual([
      { meterId: 'x', fromMs: SPAN_MIN_MS, toMs: T + 2 * H, buildingId: 'b1', parentId: 'p' },
      { meterId: 'x', fromMs: T + 2 * H, toMs: SPAN_MAX_MS, buildingId: 'b2', parentId: undefined },
    ]);
    const aligned = (at: string) =>
      rollupAlignment([m('x', { attribution: [{ until: at, buildingId: 'b1' }] })], 'Asia/Shanghai');
    expect(aligned(until)).toEqual({ day: false, month: false });
    // A local midnight inside a month (15 Nov) serves the daily rollup only; the 1st of a month both.
    expect(aligned('2026-11-14T16:00:00.000Z')).toEqual({ day: true, month: false });
    expect(aligned('2026-11-30T16:00:00.000Z')).toEqual({ day: true, month: true });
    expect(rollupAlignment([m('x')], 'Asia/Shanghai')).toEqual({ day: true, month: true });
  });

  it('records a move as the meter’s newest attribution, detaching it, and refuses what breaks the rules', () => {
    const reg = registry([m('main'), m('sub', { parentId: 'main' })]);
    const move = { type: 'move' as const, ts: T, buildingId: 'b2' };
    const moved = applyAttributionEvent(reg, 'sub', move, [], T + H);
    expect(moved.problems).toEqual([]);
    expect(moved.registry.meters.find((x) => x.id === 'sub')).toEqual(
      m('sub', {
        buildingId: 'b2',
        attribution: [{ until: new Date(T).toISOString(), buildingId: 'b1', parentId: 'main' }],
      }),
    );
    const paths = (r: ReturnType<typeof applyAttributionEvent>) => r.problems.map((p) => p.path);
    expect(paths(applyAttributionEvent(reg, 'main', move, [], T + H))).toEqual(['buildingId']); // has sub-meters
    expect(paths(applyAttributionEvent(reg, 'sub', move, [{ type: 'move', ts: T }], T + H))).toEqual(['ts']);
    expect(paths(applyAttributionEvent(reg, 'sub', move, [], T - H))).toEqual(['ts']); // in the future
    const cycle = { type: 'parent' as const, ts: T, parentId: 'sub' };
    expect(paths(applyAttributionEvent(reg, 'main', cycle, [], T + H))).toEqual(['parentId']);
  });
});

describe('trees, balances and history fields', () => {
  it('lists every tree and formula problem with its field', () => {
    const problems = meterTreeProblems([
      m('a', { parentId: 'b' }),
      m('b', { parentId: 'a' }),
      m('w', { energy: 'water', unit: 'm3', parentId: 'c' }),
      m('c'),
      m('v', { virtual: { plus: ['c', 'c', 'v'], minus: ['nope'] } }),
    ]);
    expect(problems.map((p) => `${p.meter.id}.${p.field}`)).toEqual([
      'a.parentId',
      'b.parentId',
      'w.parentId',
      'v.virtual.plus[1]',
      'v.virtual.plus[2]',
      'v.virtual.minus[0]',
    ]);
  });

  it('flags a parent beyond the tolerance, or sub-meters that read while their parent did not', () => {
    const meters = [m('p'), m('c1', { parentId: 'p' }), m('q'), m('c2', { parentId: 'q' })];
    const lines = balanceLines(
      meters,
      new Map([
        ['p', 100],
        ['q', 0],
      ]),
      new Map([
        ['p', 94.9],
        ['q', 3],
      ]),
      0.05,
    );
    expect(lines.map((l) => [l.meterId, l.difference, l.share, l.flagged])).toEqual([
      ['p', 5.1, 0.051, true],
      ['q', -3, null, true],
    ]);
  });

  it('counts an omitted direction as import, so re-sending a meter changes no history field', () => {
    const before = registry([m('x', { direction: 'import' })]);
    expect(historyChanges(before, registry([m('x')]))).toEqual([]);
    expect(historyChanges(before, registry([m('x', { multiplier: 2 })])).map((c) => c.field)).toEqual(['multiplier']);
  });
});
