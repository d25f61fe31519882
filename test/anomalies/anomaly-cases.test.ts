import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnomalyEvent, AnomalyView } from '../../core/domain/anomalies.js';
import { localDateOf } from '../../core/domain/facts.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { smallCity } from '../helpers/registry.js';

const H = 3_600_000;
const TZ = 'Asia/Shanghai';
const DAY = 24 * H;
const T0 = Date.parse('2026-03-02T00:00:00+08:00');
const RANGE = 'from=2026-03-01&to=2026-04-01';
/** Local days around today: the platform decides `overdue` by its own clock. */
const day = (offset: number) => localDateOf(Date.now() + offset * DAY, TZ);

const event = (id: string, scope: string, startMs: number): AnomalyEvent => ({
  id,
  type: 'night_base_load',
  scope,
  energy: 'electricity',
  startMs,
  endMs: startMs + 6 * H,
  severity: 'medium',
  evidence: { observed: 12.5, expected: 4 },
  wastedNative: 8.5,
  wastedKgce: 1.04465,
  status: 'open',
  detectedAtMs: startMs + 7 * H,
});

type Problem = { code: string; details: { path: string }[] };

describe('anomaly cases: assignment, due dates and comments (issue 17, item 3)', () => {
  let t: TestPlatform;
  let officerGulou = '';
  let viewer = '';
  const list = async (query = '', token?: string) => {
    const res = await t.api<{ anomalies: AnomalyView[] }>(
      'GET',
      `/api/v1/anomalies?${RANGE}${query}`,
      undefined,
      token,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.anomalies;
  };
  const issue = async (name: string, role: string, scopes: string[]) => {
    const res = await t.api<{ token: string }>('POST', '/api/v1/tokens', { name, role, scopes });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.token;
  };

  beforeAll(async () => {
    t = await startTestPlatform();
    expect((await t.api('PUT', '/api/v1/registry', smallCity())).status).toBe(200);
    // m-light is in i-001 (district gulou), m-water in i-003 (xuanwu).
    await t.platform.store.upsertAnomalies([
      event('an-light', 'meter:m-light', T0),
      event('an-inst', 'institution:i-001', T0 + DAY),
      event('an-xuanwu', 'institution:i-003', T0 + 2 * DAY),
    ]);
    officerGulou = await issue('officer-gulou', 'officer', ['district:gulou']);
    viewer = await issue('viewer', 'viewer', ['district:gulou']);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('assigns with a due date, shows who assigned it, and replaces the assignment whole', async () => {
    const res = await t.api<AnomalyView>(
      'POST',
      '/api/v1/anomalies/an-light/assign',
      { assignee: ' 王工 ', dueDate: day(1) },
      officerGulou,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ id: 'an-light', assignee: '王工', dueDate: day(1), overdue: false, comments: [] });
    expect(res.body.assigned?.by).toBe('officer-gulou');
    const one = await t.api<AnomalyView>('GET', '/api/v1/anomalies/an-light');
    expect(one.body).toEqual(res.body);
    const again = await t.api<AnomalyView>('POST', '/api/v1/anomalies/an-light/assign', { assignee: '李工' });
    expect(again.body).toMatchObject({ assignee: '李工', dueDate: null, overdue: false });
    expect(again.body.assigned?.by).toBe('admin (ADMIN_TOKEN)');
    const unassigned = (await list()).find((a) => a.id === 'an-inst');
    expect(unassigned).toMatchObject({ assignee: null, dueDate: null, assigned: null, overdue: false, comments: [] });
  });

  it('lists by assignee and overdue (due before today, not resolved)', async () => {
    await t.api('POST', '/api/v1/anomalies/an-light/assign', { assignee: '王工', dueDate: day(-1) });
    await t.api('POST', '/api/v1/anomalies/an-inst/assign', { assignee: '王工', dueDate: day(0) });
    await t.api('POST', '/api/v1/anomalies/an-xuanwu/assign', { assignee: '赵工', dueDate: day(-3) });
    expect((await list('&assignee=王工')).map((a) => a.id)).toEqual(['an-inst', 'an-light']);
    expect((await list('&overdue=true')).map((a) => [a.id, a.overdue])).toEqual([
      ['an-xuanwu', true],
      ['an-light', true],
    ]);
    expect((await list('&assignee=王工&overdue=true&scope=district:gulou')).map((a) => a.id)).toEqual(['an-light']);
    // A scoped reader sees its district's overdue anomalies only.
    expect((await list('&overdue=true', viewer)).map((a) => a.id)).toEqual(['an-light']);
    const resolved = await t.api<AnomalyView>('POST', '/api/v1/anomalies/an-xuanwu/resolve', { comment: 'fixed' });
    expect(resolved.body).toMatchObject({ status: 'resolved', overdue: false, assignee: '赵工' });
    expect((await list('&overdue=true')).map((a) => a.id)).toEqual(['an-light']);
    const bad = await t.api<Problem>('GET', `/api/v1/anomalies?${RANGE}&overdue=yes`);
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d) => d.path)).toEqual(['overdue']);
  });

  it('keeps comments in order with who and when, in the list and the anomaly', async () => {
    const first = await t.api<AnomalyView>(
      'POST',
      '/api/v1/anomalies/an-inst/comments',
      { text: '已通知物业' },
      officerGulou,
    );
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const second = await t.api<AnomalyView>('POST', '/api/v1/anomalies/an-inst/comments', { text: 'timer fixed' });
    expect(second.body.comments.map((c) => [c.by, c.text])).toEqual([
      ['officer-gulou', '已通知物业'],
      ['admin (ADMIN_TOKEN)', 'timer fixed'],
    ]);
    expect(Date.parse(second.body.comments[1]?.at ?? '')).toBeGreaterThanOrEqual(
      Date.parse(first.body.comments[0]?.at ?? ''),
    );
    expect((await list()).find((a) => a.id === 'an-inst')?.comments).toEqual(second.body.comments);
    // A resolved anomaly takes comments still, but no new assignment.
    expect((await t.api('POST', '/api/v1/anomalies/an-xuanwu/comments', { text: 'checked a week later' })).status).toBe(
      201,
    );
    const late = await t.api<Problem>('POST', '/api/v1/anomalies/an-xuanwu/assign', { assignee: '王工' });
    expect(late.status).toBe(400);
    expect(late.body.details.map((d) => d.path)).toEqual(['id']);
  });

  it('refuses bad bodies naming the field, unknown anomalies, and changes outside the token’s scope or role', async () => {
    for (const [path, body, field] of [
      ['assign', {}, 'body.assignee'],
      ['assign', { assignee: '  ' }, 'body.assignee'],
      ['assign', { assignee: '王工', dueDate: '2026-02-30' }, 'body.dueDate'],
      ['comments', { text: '' }, 'body.text'],
      ['comments', { text: 'x'.repeat(2001) }, 'body.text'],
    ] as const) {
      const res = await t.api<Problem>('POST', `/api/v1/anomalies/an-light/${path}`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.details.map((d) => d.path)).toEqual([field]);
    }
    expect((await t.api('POST', '/api/v1/anomalies/an-nope/assign', { assignee: '王工' })).status).toBe(404);
    expect((await t.api('POST', '/api/v1/anomalies/an-nope/comments', { text: 'x' })).status).toBe(404);
    expect((await t.api('GET', '/api/v1/anomalies/an-nope')).status).toBe(404);
    // An officer of gulou cannot touch xuanwu's anomaly; a viewer cannot act at all.
    const outside = await t.api<Problem>(
      'POST',
      '/api/v1/anomalies/an-xuanwu/comments',
      { text: 'not mine' },
      officerGulou,
    );
    expect(outside.status).toBe(403);
    expect((await t.api('GET', '/api/v1/anomalies/an-xuanwu', undefined, viewer)).status).toBe(403);
    expect((await t.api('POST', '/api/v1/anomalies/an-light/assign', { assignee: 'me' }, viewer)).status).toBe(403);
    expect((await t.api('POST', '/api/v1/anomalies/an-light/comments', { text: 'hi' }, viewer)).status).toBe(403);
  });

  it('audits assignments and comments with the anomaly before and after', async () => {
    const res = await t.api<{
      audit: { route: string; entity: string; tokenName: string; before: AnomalyView; after: AnomalyView }[];
    }>('GET', `/api/v1/audit?from=${day(-1)}&to=${day(2)}`);
    expect(res.status).toBe(200);
    const assigned = res.body.audit.filter((e) => e.route === 'POST /api/v1/anomalies/:id/assign');
    expect(assigned[0]).toMatchObject({
      entity: 'anomaly:an-light',
      tokenName: 'officer-gulou',
      before: { assignee: null },
      after: { assignee: '王工' },
    });
    const commented = res.body.audit.filter((e) => e.route === 'POST /api/v1/anomalies/:id/comments');
    expect(commented[0]).toMatchObject({ entity: 'anomaly:an-inst', before: { comments: [] } });
    expect(commented[0]?.after.comments.map((c) => c.text)).toEqual(['已通知物业']);
  });
});
