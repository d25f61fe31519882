import { expect, it } from 'vitest';
import type { SavingsProject } from '../../core/domain/savings-projects.js';
import type { SavingsProjectStore } from '../../core/storage/savings-project-store.js';

const project = (id: string, extra: Partial<SavingsProject> = {}): SavingsProject => ({
  id,
  name: `改造项目 ${id}`,
  scope: 'building:b1',
  energy: 'electricity',
  weatherStationId: 'ws-1',
  baselineFrom: '2017-01-01',
  baselineTo: '2018-01-01',
  reportingFrom: '2018-01-01',
  model: 'daily',
  createdAt: '2026-12-01T08:00:00.000Z',
  createdBy: 'officer-1',
  ...extra,
});

/** The contract of `SavingsProjectStore` (issue 18, item 3), run against every metadata backend. */
export function savingsProjectCases(store: () => SavingsProjectStore): void {
  it('creates projects, lists them by id and gets one; a known id is refused and nothing changes', async () => {
    const s = store();
    expect(await s.list()).toEqual([]);
    expect(await s.get('p-1')).toBeUndefined();
    const b = project('p-b', { reportingTo: '2019-01-01', model: 'hourly', scope: 'institution:i1' });
    const a = project('p-a');
    expect(await s.create(b)).toBe(true);
    expect(await s.create(a)).toBe(true);
    expect(await s.create({ ...a, name: 'other' })).toBe(false);
    expect(await s.list()).toEqual([a, b]);
    expect(await s.get('p-b')).toEqual(b);
    expect(await s.get('p-a')).toEqual(a);
  });

  it('appends adjustments numbered per project in order; none for an unknown project', async () => {
    const s = store();
    await s.create(project('p-1'));
    await s.create(project('p-2'));
    const by = { createdBy: 'officer-1', createdAtMs: Date.parse('2026-12-02T00:00:00Z') };
    const wing = { kind: 'constant' as const, value: 120.5, from: '2018-03-01', reason: '新建配楼投入使用' };
    const pct = { kind: 'percent' as const, value: -5, from: '2018-06-01', to: '2018-09-01', reason: 'closed floor' };
    expect(await s.addAdjustment('nope', wing, by)).toBeUndefined();
    const first = await s.addAdjustment('p-1', wing, by);
    expect(first).toEqual({ ...wing, n: 1, createdAt: '2026-12-02T00:00:00.000Z', createdBy: 'officer-1' });
    const second = await s.addAdjustment('p-1', pct, { ...by, createdAtMs: by.createdAtMs + 1 });
    expect(second?.n).toBe(2);
    expect((await s.addAdjustment('p-2', pct, by))?.n).toBe(1);
    expect(await s.adjustments('p-1')).toEqual([first, second]);
    expect(await s.adjustments('nope')).toEqual([]);
    expect(await s.adjustments('nope')).toEqual([]);
  });
}

/** The contract of `SavingsProjectStore.update` (issue 18: projects editable), run against every metadata backend. */
export function savingsProjectUpdateCases(store: () => SavingsProjectStore): void {
  it('replaces a definition keeping who created it; refuses a baseline change once adjusted', async () => {
    const s = store();
    const p = project('p-1');
    expect(await s.update(p, { requireNoAdjustments: false })).toBe('not_found');
    await s.create(p);
    const renamed = { ...p, name: '更名', reportingTo: '2019-01-01', createdBy: 'someone-else' };
    expect(await s.update(renamed, { requireNoAdjustments: true })).toBe('updated');
    expect(await s.get('p-1')).toEqual({ ...renamed, createdBy: 'officer-1' });
    const by = { createdBy: 'officer-1', createdAtMs: Date.parse('2026-12-02T00:00:00Z') };
    await s.addAdjustment('p-1', { kind: 'percent', value: 5, from: '2018-02-01', reason: 'wing' }, by);
    const moved = { ...renamed, baselineFrom: '2016-01-01' };
    expect(await s.update(moved, { requireNoAdjustments: true })).toBe('has_adjustments');
    expect((await s.get('p-1'))?.baselineFrom).toBe('2017-01-01');
    expect(await s.update({ ...renamed, name: 'again' }, { requireNoAdjustments: false })).toBe('updated');
    expect((await s.get('p-1'))?.name).toBe('again');
    expect(await s.adjustments('p-1')).toHaveLength(1);
  });
}
