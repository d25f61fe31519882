import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditFlagId } from '../../core/domain/audit-flags.js';
import type { HourlyConsumption } from '../../core/domain/consumption.js';
import { localDateOf } from '../../core/domain/facts.js';
import type { RegistryInput } from '../../core/domain/registry.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';

const H = 3_600_000;
const TZ = 'Asia/Shanghai';
const at = (local: string) => Date.parse(`${local}T00:00:00+08:00`);
const [Y2023, Y2024, Y2025] = [at('2023-01-01'), at('2024-01-01'), at('2025-01-01')];
const [MARCH, MID_MARCH] = [at('2024-03-01'), at('2024-03-16')];

/**
 * Seven offices of 10,000 m², one electricity meter each (hourly), each planted with one case of a
 * rule, beside two clean ones; kWh per hour in 2023 and 2024.
 */
const PLAN = {
  'o-1': { y2023: 10, y2024: 10 }, // clean, with a bill that matches its meter
  'o-2': { y2023: 11, y2024: 11 }, // clean
  'o-yoy': { y2023: 10, y2024: 14 }, // +40 % against 2023
  'o-hot': { y2023: 60, y2024: 60 }, // far above its peers' kgce/m², billed 40,000 kWh for a January metered 44,640
  'o-gap': { y2023: 11, y2024: 11 }, // the second half of March 2024 missing
  'o-area': { y2023: 12, y2024: 12 }, // floor area 10,000 → 12,000 m² on 2024-07-01
  'o-tree': { y2023: 13, y2024: 13 }, // sub-meter at 5 kWh/h under a 13 kWh/h main meter
} as const;
type Id = keyof typeof PLAN;
const IDS = Object.keys(PLAN) as Id[];
const SUB_KWH_PER_HOUR = 5;

/** Utility accounts (户号) of the two billed meters. */
const ACCOUNTS: Record<string, string> = { 'm-o-1': 'ACC-1', 'm-o-hot': 'ACC-HOT' };
const meter = (id: string, buildingId: string, parentId?: string) => ({
  id,
  buildingId,
  gatewayId: 'gw-1',
  energy: 'electricity' as const,
  unit: 'kWh',
  multiplier: 1,
  intervalS: 3600,
  ...(parentId === undefined ? {} : { parentId }),
  ...(ACCOUNTS[id] === undefined ? {} : { accountNo: ACCOUNTS[id] }),
});
const REGISTRY: RegistryInput = {
  districts: [{ id: 'd1', name: '鼓楼区' }],
  institutions: IDS.map((id) => ({
    id,
    name: id,
    districtId: 'd1',
    type: 'office' as const,
    floorAreaM2: 10_000,
    occupants: 100,
  })),
  buildings: IDS.map((id) => ({ id: `b-${id}`, institutionId: id, name: id, floorAreaM2: 10_000 })),
  gateways: [{ id: 'gw-1', secret: 'secret-gw-1' }],
  meters: [...IDS.map((id) => meter(`m-${id}`, `b-${id}`)), meter('m-o-tree-sub', 'b-o-tree', 'm-o-tree')],
};

/** The flag each planted case raises. */
const FLAGS = {
  area: auditFlagId('facts_changed', 'institution:o-area', 2024, 'floorAreaM2'),
  gap: auditFlagId('month_incomplete', 'institution:o-gap', 2024, '2024-03'),
  peer: auditFlagId('peer_outlier', 'institution:o-hot', 2024),
  bill: auditFlagId('bill_mismatch', 'institution:o-hot', 2024, 'ACC-HOT|electricity|2024-01-01'),
  tree: auditFlagId('meter_imbalance', 'institution:o-tree', 2024, 'm-o-tree'),
  yoy: auditFlagId('yoy_change', 'institution:o-yoy', 2024, 'kgce'),
};
const EXPECTED = Object.values(FLAGS);
const YOY_FLAG = FLAGS.yoy;

interface Flag {
  id: string;
  scope: string;
  rule: string;
  status: string;
  evidence: Record<string, unknown>;
  resolution: { status: string; by: string; comment: string; at: string } | null;
}
interface JobState {
  lastRun: { outcome: string; detail: { flags: number; new: number; skipped: { rules: { rule: string }[] } } };
}
interface Refusal {
  code: string;
  details: { path: string; message: string }[];
}

describe('data audit (数据会审, issue 16 item 4): rules over a year, flags, resolution and sign-off', () => {
  let t: TestPlatform;
  const tokens = { institution: '', district: '' };

  beforeAll(async () => {
    t = await startTestPlatform({ TIMEZONE: TZ });
    const put = await t.api('PUT', '/api/v1/registry', REGISTRY);
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    // Two years of hourly consumption written as the deriver would: far faster than publishing it.
    const rows: HourlyConsumption[] = [];
    const hour = (meterId: string, h: number, kwh: number) =>
      rows.push({
        meterId,
        hourStartMs: h,
        amountMicro: kwh * 1e6,
        estimatedMicro: 0,
        quality: 'good',
        readingsCount: 1,
      });
    for (const id of IDS)
      for (let h = Y2023; h < Y2025; h += H) {
        if (id === 'o-gap' && h >= MID_MARCH && h < at('2024-04-01')) continue;
        hour(`m-${id}`, h, h < Y2024 ? PLAN[id].y2023 : PLAN[id].y2024);
      }
    for (let h = Y2023; h < Y2025; h += H) hour('m-o-tree-sub', h, SUB_KWH_PER_HOUR);
    const meters = [...IDS.map((id) => `m-${id}`), 'm-o-tree-sub'];
    await t.platform.store.replaceHourly(
      meters.map((meterId) => ({ meterId, fromMs: Y2023, toMs: Y2025 })),
      rows,
    );
    const fact = await t.api('POST', '/api/v1/institutions/o-area/facts', { from: '2024-07-01', floorAreaM2: 12_000 });
    const january = { energy: 'electricity', from: '2024-01-01', to: '2024-02-01' };
    const bills = await t.api('POST', '/api/v1/bills', {
      bills: [
        { ...january, accountNo: 'ACC-1', quantity: 10 * 744, amountYuan: 5000 },
        { ...january, accountNo: 'ACC-HOT', quantity: 40_000, amountYuan: 28_000 },
      ],
    });
    expect(bills.status, JSON.stringify(bills.body)).toBe(201);
    expect(fact.status, JSON.stringify(fact.body)).toBe(201);
    for (const [key, name, scopes] of [
      ['institution', 'o-yoy officer', ['institution:o-yoy']],
      ['district', 'd1 reviewer', ['district:d1']],
    ] as const) {
      const res = await t.api<{ token: string }>('POST', '/api/v1/tokens', { name, role: 'officer', scopes });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      tokens[key] = res.body.token;
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  const flags = async (query: string, token?: string) =>
    t.api<{ flags: Flag[] }>('GET', `/api/v1/audit-flags?${query}`, undefined, token);

  it('runs on demand for {"year"}: each planted case raises its flag, the clean institutions none', async () => {
    const run = await t.api<JobState>('POST', '/api/v1/jobs/data-audit/run', { year: 2024 });
    expect(run.status, JSON.stringify(run.body)).toBe(200);
    expect(run.body.lastRun.outcome, JSON.stringify(run.body.lastRun)).toBe('ok');
    expect(run.body.lastRun.detail).toMatchObject({ flags: 6, new: 6 });
    expect(run.body.lastRun.detail.skipped.rules).toEqual([]);

    const list = await flags('year=2024');
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    expect(list.body.flags.map((f) => f.id).sort()).toEqual([...EXPECTED].sort());
    expect(list.body.flags.every((f) => f.status === 'open' && f.resolution === null)).toBe(true);
    const by = (id: string) => list.body.flags.find((f) => f.id === id)?.evidence;
    // +40 % per hour, over a leap year against a common one.
    expect(by(YOY_FLAG)).toMatchObject({ measure: 'kgce', threshold: 0.2 });
    expect(by(YOY_FLAG)?.change).toBeCloseTo((14 * 8784) / (10 * 8760) - 1, 4);
    expect(by(FLAGS.gap)).toMatchObject({ month: '2024-03', received: (MID_MARCH - MARCH) / H });
    expect(by(FLAGS.area)).toMatchObject({ field: 'floorAreaM2', atStart: 10_000, atEnd: 12_000 });
    expect(by(FLAGS.tree)).toMatchObject({ parent: 13 * 8784, children: 5 * 8784 });
    expect(by(FLAGS.bill)).toMatchObject({ billedQuantity: 40_000, meteredQuantity: 60 * 744 });
    expect(by(FLAGS.peer)).toMatchObject({ type: 'office', peers: 7 });
    expect((await flags('year=2023')).body.flags).toEqual([]);
  });

  it('re-running updates the flags and never duplicates them; a bad year is refused', async () => {
    const again = await t.api<JobState>('POST', '/api/v1/jobs/data-audit/run', { year: 2024 });
    expect(again.body.lastRun.detail).toMatchObject({ flags: 6, new: 0 });
    expect((await flags('year=2024')).body.flags).toHaveLength(6);
    const bad = await t.api<{ code: string }>('POST', '/api/v1/jobs/data-audit/run', { year: 'last' });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('JN_REQUEST_INVALID');
  });

  it("shows an institution's officer its own flags only", async () => {
    const own = await flags('year=2024', tokens.institution);
    expect(own.body.flags.map((f) => f.id)).toEqual([YOY_FLAG]);
    expect((await flags('year=2024&scope=institution:o-yoy&status=open', tokens.institution)).body.flags).toHaveLength(
      1,
    );
    expect((await flags('year=2024&scope=district:d1', tokens.institution)).status).toBe(403);
    expect((await flags('year=2024&scope=district:d1&status=open', tokens.district)).body.flags).toHaveLength(6);
  });

  it('refuses the sign-off while a flag is open (409 naming it), accepts it once the flag is explained', async () => {
    const signoff = '/api/v1/statistics/annual/2024/signoff?scope=institution:o-yoy';
    const refused = await t.api<Refusal>('POST', signoff, undefined, tokens.district);
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    expect(refused.body.code).toBe('JN_AUDIT_OPEN_FLAGS');
    expect(refused.body.details.map((d) => d.path)).toEqual([`flags.${YOY_FLAG}`]);
    // The institution explains its flags; it does not review its own year.
    expect((await t.api('POST', signoff, undefined, tokens.institution)).status).toBe(403);

    const resolve = `/api/v1/audit-flags/${encodeURIComponent(YOY_FLAG)}/resolve`;
    const bare = await t.api<{ code: string }>('POST', resolve, { status: 'explained' }, tokens.institution);
    expect(bare.status).toBe(400);
    expect(bare.body.code).toBe('JN_REQUEST_INVALID');
    const other = `/api/v1/audit-flags/${encodeURIComponent(FLAGS.peer)}/resolve`;
    expect((await t.api('POST', other, { status: 'accepted' }, tokens.institution)).status).toBe(403);
    const comment = 'A new data-centre room opened in March 2024.';
    const explained = await t.api<Flag>('POST', resolve, { status: 'explained', comment }, tokens.institution);
    expect(explained.status, JSON.stringify(explained.body)).toBe(200);
    expect(explained.body.status).toBe('explained');
    expect(explained.body.resolution).toMatchObject({ status: 'explained', by: 'o-yoy officer', comment });
    expect((await t.api('POST', resolve, { status: 'accepted' }, tokens.institution)).status).toBe(400);

    const accepted = await t.api<{ scope: string; by: string; flags: number }>(
      'POST',
      signoff,
      undefined,
      tokens.district,
    );
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body).toMatchObject({ scope: 'institution:o-yoy', by: 'd1 reviewer', flags: 1 });
    // A clean institution is signed off straight away.
    const clean = await t.api('POST', '/api/v1/statistics/annual/2024/signoff?scope=institution:o-1');
    expect(clean.status, JSON.stringify(clean.body)).toBe(200);
    // A year still under way is not signed off.
    const future = await t.api(
      'POST',
      `/api/v1/statistics/annual/${new Date().getFullYear()}/signoff?scope=institution:o-1`,
    );
    expect(future.status).toBe(400);

    const list = await t.api<{ signoffs: { institutionId: string; flags: number; openFlags: number }[] }>(
      'GET',
      '/api/v1/statistics/annual/2024/signoffs',
    );
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    expect(list.body.signoffs.map((s) => [s.institutionId, s.flags, s.openFlags])).toEqual([
      ['o-1', 0, 0],
      ['o-yoy', 1, 0],
    ]);
    // A re-run keeps the explanation: the flag stays explained.
    await t.api('POST', '/api/v1/jobs/data-audit/run', { year: 2024 });
    expect((await flags('year=2024&scope=institution:o-yoy')).body.flags.map((f) => f.status)).toEqual(['explained']);
  });

  it('records the run, the resolution, the refused and the accepted sign-off in the audit log', async () => {
    const day = (ms: number) => localDateOf(ms, TZ);
    const log = await t.api<{
      audit: { tokenName: string; route: string; entity: string; before: unknown; after: unknown }[];
    }>('GET', `/api/v1/audit?from=${day(Date.now() - 86_400_000)}&to=${day(Date.now() + 86_400_000)}`);
    expect(log.status, JSON.stringify(log.body)).toBe(200);
    const entries = log.body.audit;
    expect(entries).toContainEqual(
      expect.objectContaining({
        entity: 'job:data-audit',
        route: 'POST /api/v1/jobs/:name/run',
        after: expect.objectContaining({ input: { year: 2024 } }),
      }),
    );
    expect(entries).toContainEqual(
      expect.objectContaining({
        entity: `audit-flag:${YOY_FLAG}`,
        tokenName: 'o-yoy officer',
        before: expect.objectContaining({ status: 'open' }),
        after: expect.objectContaining({ status: 'explained' }),
      }),
    );
    const signoffs = entries.filter((e) => e.entity === 'signoff:2024:institution:o-yoy');
    expect(signoffs.map((e) => [e.tokenName, e.after])).toEqual([
      ['d1 reviewer', { refused: 'JN_AUDIT_OPEN_FLAGS', openFlags: [YOY_FLAG] }],
      ['d1 reviewer', expect.objectContaining({ by: 'd1 reviewer', flags: 1 })],
    ]);
  });
});
