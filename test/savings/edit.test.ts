/**
 * Savings projects edited and registered without a station (issue 18, item 3) on a real platform:
 * the station taken from the scope (a 400 naming `weatherStationId` when there is none), `PATCH`
 * of the name and reporting end (audited before and after), of the baseline while there are no
 * adjustments, refused with 409 once there are; 400 naming the field for anything else wrong.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SavingsProject } from '../../core/domain/savings-projects.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { b104Project, STATION, savingsRegistry, TZ } from './fixture.js';

interface Problem {
  code: string;
  message: string;
  details: { path: string }[];
}

let t: TestPlatform;
let officerOther: string;

beforeAll(async () => {
  t = await startTestPlatform({ TIMEZONE: TZ });
  const registry = savingsRegistry();
  // The estate's station is the institution's; `elsewhere` has none.
  registry.institutions = registry.institutions?.map((i) =>
    i.id === 'estate' ? { ...i, weatherStationId: STATION } : i,
  );
  const put = await t.api('PUT', '/api/v1/registry', registry);
  expect(put.status, JSON.stringify(put.body)).toBe(200);
  const token = await t.api<{ token: string }>('POST', '/api/v1/tokens', {
    name: 'officer-other',
    role: 'officer',
    scopes: ['district:other'],
  });
  officerOther = token.body.token;
}, 120_000);

afterAll(async () => {
  await t?.close();
});

const { weatherStationId: _station, ...withoutStation } = b104Project('p-1', 'daily');
const paths = (p: Problem) => p.details.map((d) => d.path.replace(/^body\./, ''));

describe('savings projects: station from the scope, edits', () => {
  it("takes the scope's station when none is given; 400 naming weatherStationId when there is none", async () => {
    const created = await t.api<SavingsProject>('POST', '/api/v1/savings-projects', withoutStation);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.weatherStationId).toBe(STATION);
    const meter = await t.api<SavingsProject>('POST', '/api/v1/savings-projects', {
      ...withoutStation,
      id: 'p-meter',
      scope: 'meter:b104-electricity',
    });
    expect(meter.body.weatherStationId).toBe(STATION);
    const none = await t.api<Problem>('POST', '/api/v1/savings-projects', {
      ...withoutStation,
      id: 'p-none',
      scope: 'institution:elsewhere',
    });
    expect(none.status).toBe(400);
    expect(none.body.code).toBe('JN_REQUEST_INVALID');
    expect(paths(none.body)).toEqual(['weatherStationId']);
    expect(none.body.message).toContain('no weather station');
  }, 60_000);

  it('edits the name and reporting end, audited with before and after; null reopens the end', async () => {
    const res = await t.api<SavingsProject>('PATCH', '/api/v1/savings-projects/p-1', {
      name: '更名后的项目',
      reportingTo: '2018-07-01',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      id: 'p-1',
      name: '更名后的项目',
      reportingTo: '2018-07-01',
      createdBy: 'admin (ADMIN_TOKEN)',
    });
    const got = await t.api<{ projects: SavingsProject[] }>('GET', '/api/v1/savings-projects');
    expect(got.body.projects.find((p) => p.id === 'p-1')?.name).toBe('更名后的项目');
    const audit = await t.api<{ audit: { entity: string; before: unknown; after: unknown }[] }>(
      'GET',
      '/api/v1/audit?from=2000-01-01&to=2100-01-01',
    );
    const edit = audit.body.audit.find((e) => e.entity === 'savings-project:p-1' && e.before !== null);
    expect(edit?.before).toMatchObject({ name: b104Project('p-1', 'daily').name, reportingTo: '2019-01-01' });
    expect(edit?.after).toMatchObject({ name: '更名后的项目', reportingTo: '2018-07-01' });
    const reopened = await t.api<SavingsProject>('PATCH', '/api/v1/savings-projects/p-1', { reportingTo: null });
    expect(reopened.status).toBe(200);
    expect(reopened.body.reportingTo).toBeUndefined();
  }, 60_000);

  it('answers 400 naming the field at fault, 404 and 403', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ reportingTo: '2017-06-01' }, 'reportingTo'],
      [{ baselineTo: '2016-06-01' }, 'baselineTo'],
      [{ reportingFrom: '2017-06-01' }, 'reportingFrom'],
      [{ baselineFrom: '2017-02-30' }, 'baselineFrom'],
      [{ weatherStationId: 'nowhere' }, 'weatherStationId'],
      [{ model: 'monthly' }, 'model'],
      [{ name: '  ' }, 'name'],
      [{ scope: 'building:b104' }, 'scope'],
      [{ energy: 'gas' }, 'energy'],
      [{}, 'nothing to change'],
      [{ name: 'x'.repeat(300_000) }, 'name'],
    ];
    for (const [body, field] of cases) {
      const res = await t.api<Problem>('PATCH', '/api/v1/savings-projects/p-1', body);
      expect(res.status, field).toBe(400);
      expect(res.body.code, field).toBe('JN_REQUEST_INVALID');
      expect(`${paths(res.body).join()} ${res.body.message}`, field).toContain(field);
    }
    expect((await t.api<Problem>('PATCH', '/api/v1/savings-projects/nope', { name: 'x' })).status).toBe(404);
    const foreign = await t.api<Problem>('PATCH', '/api/v1/savings-projects/p-1', { name: 'x' }, officerOther);
    expect([foreign.status, foreign.body.code]).toEqual([403, 'JN_FORBIDDEN']);
    const huge = await t.api<Problem>('PATCH', '/api/v1/savings-projects/p-1', { name: 'x'.repeat(20_000_000) });
    expect(huge.status).toBeGreaterThanOrEqual(400);
    expect(huge.status).toBeLessThan(500);
    expect(
      (await t.api<{ projects: SavingsProject[] }>('GET', '/api/v1/savings-projects')).body.projects[0]?.name,
    ).toBe('更名后的项目');
  }, 60_000);

  it('changes the baseline while there are no adjustments; refuses it with 409 once there is one', async () => {
    const moved = await t.api<SavingsProject>('PATCH', '/api/v1/savings-projects/p-1', {
      baselineFrom: '2017-03-01',
      model: 'hourly',
    });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body).toMatchObject({ baselineFrom: '2017-03-01', model: 'hourly' });
    const adj = { kind: 'percent', value: 5, from: '2018-03-01', reason: '新建配楼' };
    expect((await t.api('POST', '/api/v1/savings-projects/p-1/adjustments', adj)).status).toBe(201);
    const refused = await t.api<Problem>('PATCH', '/api/v1/savings-projects/p-1', {
      baselineTo: '2017-12-01',
      name: 'also renamed',
    });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('JN_SAVINGS_PROJECT_ADJUSTED');
    expect(paths(refused.body)).toEqual(['baselineTo']);
    // The same value is no change; the name alone may still change.
    const same = await t.api<SavingsProject>('PATCH', '/api/v1/savings-projects/p-1', {
      baselineTo: '2018-01-01',
      name: 'renamed after adjusting',
    });
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({
      baselineFrom: '2017-03-01',
      baselineTo: '2018-01-01',
      name: 'renamed after adjusting',
    });
  }, 60_000);
});
