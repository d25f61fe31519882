import { expect, it } from 'vitest';
import type { AnomalyEvent } from '../../core/domain/anomalies.js';
import type { MetadataStore } from '../../core/storage/store.js';
import { H, T0 } from './contract-fixtures.js';

const anomaly = (id: string, startMs: number, scope = 'meter:light'): AnomalyEvent => ({
  id,
  type: 'night_base_load',
  scope,
  energy: 'electricity',
  startMs,
  endMs: startMs + 6 * H,
  severity: 'medium',
  evidence: { observed: 12.5 },
  wastedNative: 8.5,
  wastedKgce: 1.04465,
  status: 'open',
  detectedAtMs: startMs + 7 * H,
});
const RANGE = { fromMs: T0 - H, toMs: T0 + 48 * H };

/** Anomaly cases (issue 17, item 3): assignments and comments, read back with the anomalies. */
export function anomalyCaseCases(store: () => MetadataStore): void {
  const one = async (id: string) => (await store().anomalies({ ...RANGE, id }))[0];
  const ids = async (filter: { assignee?: string; overdueOn?: string }) =>
    (await store().anomalies({ ...RANGE, ...filter })).map((a) => a.id);

  it('replaces an assignment whole, keeps it through re-detection, and refuses an unknown anomaly', async () => {
    await store().upsertAnomalies([anomaly('an-1', T0), anomaly('an-2', T0 + 24 * H, 'meter:hvac')]);
    const first = { assignee: '王工', dueDate: '2026-11-05', by: 'officer-1', atMs: T0 + 30 * H };
    expect(await store().anomalyCases.assign('an-1', first)).toBe(true);
    expect((await one('an-1'))?.assignment).toEqual(first);
    expect((await one('an-2'))?.assignment).toBeUndefined();
    // A new assignment without a due date has none.
    const second = { assignee: '李工', by: 'officer-2', atMs: T0 + 31 * H };
    expect(await store().anomalyCases.assign('an-1', second)).toBe(true);
    expect((await one('an-1'))?.assignment).toEqual(second);
    // Detection running again updates the event, never its case.
    await store().upsertAnomalies([{ ...anomaly('an-1', T0), severity: 'high' }]);
    expect(await one('an-1')).toMatchObject({ severity: 'high', assignment: second });
    expect(await store().anomalyCases.assign('an-nope', first)).toBe(false);
    expect(await store().anomalies({ ...RANGE, id: 'an-nope' })).toEqual([]);
  });

  it('appends comments in the order written, with who and when, and refuses an unknown anomaly', async () => {
    await store().upsertAnomalies([anomaly('an-1', T0), anomaly('an-2', T0 + 24 * H, 'meter:hvac')]);
    expect((await one('an-1'))?.comments).toBeUndefined();
    const at = T0 + 40 * H;
    // Two comments of the same millisecond keep their order.
    const comments = [
      { text: '已通知物业', by: 'officer-1', atMs: at },
      { text: 'lights were left on; timer fixed', by: 'officer-2', atMs: at },
      { text: '复查正常', by: 'officer-1', atMs: at + H },
    ];
    for (const c of comments) expect(await store().anomalyCases.addComment('an-1', c)).toBe(true);
    expect(await store().anomalyCases.addComment('an-2', { text: 'other', by: 'x', atMs: at })).toBe(true);
    expect(await store().anomalyCases.addComment('an-nope', { text: 'lost', by: 'x', atMs: at })).toBe(false);
    expect((await one('an-1'))?.comments).toEqual(comments);
    // The list carries each anomaly's own comments.
    const listed = await store().anomalies(RANGE);
    expect(listed.map((a) => [a.id, a.comments?.map((c) => c.text)])).toEqual([
      ['an-2', ['other']],
      ['an-1', comments.map((c) => c.text)],
    ]);
    // A status change keeps the comments.
    await store().setAnomalyStatus('an-1', 'resolved', { by: 'officer-1', comment: 'done', atMs: at + 2 * H });
    expect((await one('an-1'))?.comments).toEqual(comments);
  });

  it('filters by assignee and by overdue (due before the day, not resolved), with the other filters', async () => {
    await store().upsertAnomalies([
      anomaly('an-1', T0),
      anomaly('an-2', T0 + 24 * H, 'meter:hvac'),
      anomaly('an-3', T0 + 25 * H),
    ]);
    const by = { by: 'officer-1', atMs: T0 + 30 * H };
    await store().anomalyCases.assign('an-1', { assignee: '王工', dueDate: '2026-11-05', ...by });
    await store().anomalyCases.assign('an-2', { assignee: '王工', dueDate: '2026-11-10', ...by });
    await store().anomalyCases.assign('an-3', { assignee: '李工', ...by });
    expect(await ids({ assignee: '王工' })).toEqual(['an-2', 'an-1']);
    expect(await ids({ assignee: '李工' })).toEqual(['an-3']);
    expect(await ids({ assignee: '王' })).toEqual([]);
    expect(await ids({ overdueOn: '2026-11-05' })).toEqual([]);
    expect(await ids({ overdueOn: '2026-11-06' })).toEqual(['an-1']);
    expect(await ids({ overdueOn: '2026-11-11' })).toEqual(['an-2', 'an-1']);
    expect(await ids({ assignee: '王工', overdueOn: '2026-11-06' })).toEqual(['an-1']);
    const scoped = await store().anomalies({ ...RANGE, scopes: ['meter:hvac'], overdueOn: '2026-11-11' });
    expect(scoped.map((a) => a.id)).toEqual(['an-2']);
    // Acknowledged is still overdue; resolved is not.
    await store().setAnomalyStatus('an-2', 'acknowledged', { by: 'o', comment: '', atMs: T0 + 50 * H });
    await store().setAnomalyStatus('an-1', 'resolved', { by: 'o', comment: '', atMs: T0 + 50 * H });
    expect(await ids({ overdueOn: '2026-11-11' })).toEqual(['an-2']);
  });
}
