import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketStart, formatLocalIso } from '../../core/domain/time.js';
import { readingsTopic } from '../../core/domain/topics.js';
import { startTestPlatform, TEST_ADMIN_TOKEN, type TestPlatform } from '../helpers/platform.js';
import { hourlyMeter } from '../helpers/registry.js';
import { touPrice, touTariff } from '../helpers/tariffs.js';

const H = 3_600_000;
const TZ = 'Asia/Shanghai';
const DAYS = 3;
/** Local midnight three days ago: days 0, 1, 2 are whole days of readings. */
const T0 = bucketStart(Date.now(), 'day', TZ) - DAYS * 24 * H;
const day = (k: number) => formatLocalIso(T0 + k * 24 * H, TZ).slice(0, 10);
const YEAR = Number(day(1).slice(0, 4));

const meter = (id: string, over: Record<string, unknown> = {}) =>
  hourlyMeter(id, { installedAt: new Date(T0 - H).toISOString(), ...over });

/**
 * A hand-built city: institution i1 has a billed main meter (account ACC-1) with a sub-meter, an
 * unbilled meter on the general time-of-use tariff, a water meter and a gas meter without any
 * tariff; institution i2 has its own flat electricity tariff.
 */
const REGISTRY = {
  districts: [{ id: 'd1', name: '一区' }],
  institutions: [
    { id: 'i1', name: '机关一', districtId: 'd1', type: 'office', floorAreaM2: 10_000, occupants: 100 },
    { id: 'i2', name: '学校二', districtId: 'd1', type: 'school', floorAreaM2: 8_000, occupants: 50 },
  ],
  buildings: [
    { id: 'b1', institutionId: 'i1', name: '主楼', floorAreaM2: 10_000 },
    { id: 'b2', institutionId: 'i2', name: '教学楼', floorAreaM2: 8_000 },
  ],
  gateways: [{ id: 'g1', secret: 'cost-secret-g1' }],
  meters: [
    meter('el1', { accountNo: 'ACC-1' }),
    meter('sub1', { parentId: 'el1', subItem: '01A10' }),
    meter('el2'),
    meter('el3', { buildingId: 'b2' }),
    meter('w1', { energy: 'water', unit: 'm3' }),
    meter('g1', { energy: 'gas', unit: 'm3' }),
  ],
};

/** Consumption per hour h (hours since T0, = local hour of day h % 24). */
const RATE: Record<string, (h: number) => number> = {
  el1: (h) => (h % 4) + 1,
  sub1: () => 0.5,
  el2: () => 1,
  el3: () => 2,
  w1: () => 0.25,
  g1: () => 1,
};

const TARIFFS = {
  tariffs: [
    touTariff('2020-01-01'),
    { energy: 'electricity', institutionId: 'i2', from: '2020-01-01', priceYuanPerUnit: 0.9 },
    { energy: 'water', from: '2020-01-01', priceYuanPerUnit: 4.1 },
  ],
};

/** el1 consumed 60 kWh on each day; day 1 is billed 61 kWh (within 2 %), day 2 70 kWh (−14 %: flagged). */
const BILL_DAY1 = {
  accountNo: 'ACC-1',
  energy: 'electricity',
  from: day(1),
  to: day(2),
  quantity: 61,
  amountYuan: 100,
};
const BILL_DAY2 = {
  accountNo: 'ACC-1',
  energy: 'electricity',
  from: day(2),
  to: day(3),
  quantity: 70,
  amountYuan: 77.77,
};

function registers(): { meter: string; ts: number; value: number }[] {
  return Object.entries(RATE).flatMap(([id, rate]) => {
    let value = 1000;
    return Array.from({ length: DAYS * 24 + 1 }, (_, h) => {
      if (h > 0) value += rate(h - 1);
      return { meter: id, ts: T0 + h * H, value };
    });
  });
}

async function billsWorkbook(rows: unknown[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('bills');
  ws.addRow(['电费账单 utility bills']);
  ws.addRow(['户号 accountNo', '能源 energy', '起 from', '止 to', '数量 quantity', '金额 amountYuan']);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Micro-yuan of tariff × consumption of a meter's hours [fromH, toH) (hours since T0). */
function tariffMicro(rate: (h: number) => number, price: (hour: number) => number, fromH: number, toH: number): number {
  let micro = 0;
  for (let h = fromH; h < toH; h++) micro += Math.round(rate(h) * Math.round(price(h % 24) * 1e6));
  return micro;
}
const yuan = (micro: number) => Math.round(micro / 1e4) / 100;

type Point = { start: string; value: number; billed: number; tariffed: number };
type CostBody = { unit: string; series: Point[]; total: number; billed: number; tariffed: number; uncosted: unknown[] };

describe('cost: bills where they cover it, tariff × consumption elsewhere (issue 16, item 1)', () => {
  let t: TestPlatform;
  const cost = async (query: string) => {
    const res = await t.api<CostBody>('GET', `/api/v1/consumption?unit=yuan&${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };

  beforeAll(async () => {
    t = await startTestPlatform();
    const put = await t.api('PUT', '/api/v1/registry', REGISTRY);
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const gw = await t.connectGateway('g1', 'cost-secret-g1');
    const all = registers();
    for (let i = 0; i < all.length; i += 50)
      await gw.publishAsync(readingsTopic('g1'), JSON.stringify({ readings: all.slice(i, i + 50) }), { qos: 1 });
    await t.platform.pipeline.drain();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('stores tariffs (admin) and refuses bad bands naming the field, and a viewer writing', async () => {
    const bad = await t.api<{ code: string; details: { path: string }[] }>('PUT', '/api/v1/tariffs', {
      tariffs: [{ ...TARIFFS.tariffs[0], bands: [{ name: 'flat', hours: [[0, 23]], priceYuanPerUnit: 1 }] }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('JN_REQUEST_INVALID');
    expect(bad.body.details.map((d) => d.path)).toEqual(['tariffs[0].bands']);
    const unknown = await t.api<{ details: { path: string }[] }>('PUT', '/api/v1/tariffs', {
      tariffs: [{ energy: 'water', institutionId: 'nope', from: '2020-01-01', priceYuanPerUnit: 1 }],
    });
    expect(unknown.body.details.map((d) => d.path)).toEqual(['tariffs[0].institutionId']);

    const put = await t.api<{ tariffs: unknown[] }>('PUT', '/api/v1/tariffs', TARIFFS);
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.tariffs).toHaveLength(3);

    const token = await t.api<{ token: string }>('POST', '/api/v1/tokens', {
      name: 'viewer-i2',
      role: 'viewer',
      scopes: ['institution:i2'],
    });
    expect(token.status).toBe(201);
    const denied = await t.api<{ code: string }>('PUT', '/api/v1/tariffs', TARIFFS, token.body.token);
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('JN_FORBIDDEN');
    const billDenied = await t.api('POST', '/api/v1/bills', { bills: [BILL_DAY1] }, token.body.token);
    expect(billDenied.status).toBe(403);
    const seen = await t.api<{ tariffs: { id: string }[] }>('GET', '/api/v1/tariffs', undefined, token.body.token);
    expect(seen.body.tariffs.map((x) => x.id)).toEqual([
      'electricity|*|2020-01-01',
      'electricity|i2|2020-01-01',
      'water|*|2020-01-01',
    ]);
    expect(
      (
        await t.api(
          'GET',
          '/api/v1/consumption?unit=yuan&scope=institution:i1&from=2026-01-01&to=2026-01-02',
          undefined,
          token.body.token,
        )
      ).status,
    ).toBe(403);
  });

  it('records bills as JSON and XLSX, and refuses bad, unknown and overlapping ones naming the item', async () => {
    const post = (body: unknown) =>
      t.api<{ code: string; details: { path: string; message: string }[] }>('POST', '/api/v1/bills', body);
    const bad = await post({ bills: [BILL_DAY1, { ...BILL_DAY2, from: '2026-13-01' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d) => d.path)).toEqual(['bills[1].from']);
    const unknown = await post({ bills: [{ ...BILL_DAY1, accountNo: 'ACC-9' }] });
    expect(unknown.body.details.map((d) => d.path)).toEqual(['bills[0].accountNo']);
    const fen = await post({ bills: [{ ...BILL_DAY1, amountYuan: 1.234 }] });
    expect(fen.body.details.map((d) => d.path)).toEqual(['bills[0].amountYuan']);

    const ok = await post({ bills: [BILL_DAY1] });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    const again = await post({ bills: [{ ...BILL_DAY1, from: day(0) }] });
    expect(again.status).toBe(400);
    expect(again.body.details.map((d) => d.path)).toEqual(['bills[0].from']);

    const [y, m, d] = day(2).split('-').map(Number) as [number, number, number];
    const badSheet = await billsWorkbook([
      ['ACC-1', 'electricity', new Date(Date.UTC(y, m - 1, d)), day(2), 70, 77.77],
    ]);
    const refused = await fetch(`${t.platform.apiUrl}/api/v1/bills`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${TEST_ADMIN_TOKEN}`,
        'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      },
      body: badSheet,
    });
    const refusedBody = (await refused.json()) as { details: { path: string; message: string }[] };
    expect(refused.status).toBe(400);
    expect(refusedBody.details).toEqual([{ path: 'bills[0].to', message: 'row 3: must be after from' }]);

    const sheet = await billsWorkbook([
      ['ACC-1', 'electricity', new Date(Date.UTC(y, m - 1, d)), BILL_DAY2.to, '70', BILL_DAY2.amountYuan],
    ]);
    const imported = await fetch(`${t.platform.apiUrl}/api/v1/bills`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${TEST_ADMIN_TOKEN}`,
        'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      },
      body: sheet,
    });
    expect(imported.status, await imported.clone().text()).toBe(201);
    const listed = await t.api<{ bills: unknown[] }>('GET', '/api/v1/bills?scope=institution:i1');
    expect(listed.body.bills).toEqual([
      expect.objectContaining({ ...BILL_DAY1, createdBy: expect.any(String) }),
      expect.objectContaining({ ...BILL_DAY2, createdBy: expect.any(String) }),
    ]);
    const audit = await t.api<{ audit: { entity: string }[] }>(
      'GET',
      `/api/v1/audit?from=${day(0)}&to=${formatLocalIso(Date.now() + 48 * H, TZ).slice(0, 10)}`,
    );
    const entities = audit.body.audit.map((e) => e.entity);
    expect(entities).toContain('tariffs');
    expect(entities.filter((e) => e.startsWith('bills:'))).toHaveLength(2);
  });

  it('costs tariff × consumption hour by hour (time-of-use) and bills spread by the metered shape, exactly', async () => {
    const span = `from=${day(0)}&to=${day(DAYS)}`;
    // Day 0 hour by hour: el1 and el2 on the general time-of-use tariff, sub1 inside el1 (not counted).
    const hourly = await cost(`scope=institution:i1&energy=electricity&${span}&interval=hour`);
    expect(hourly.unit).toBe('yuan');
    expect(hourly.series).toHaveLength(DAYS * 24);
    for (let h = 0; h < 24; h++) {
      const micro =
        tariffMicro(RATE.el1 as (h: number) => number, touPrice, h, h + 1) + tariffMicro(() => 1, touPrice, h, h + 1);
      expect(hourly.series[h], `hour ${h}`).toMatchObject({ value: yuan(micro), billed: 0, tariffed: yuan(micro) });
    }
    // Days 1 and 2: el1's bill spread by its shape ((h % 4) + 1 kWh of 60 a day), el2 still on the tariff.
    for (let h = 24; h < 48; h++) {
      const share = (100 * ((h % 4) + 1)) / 60;
      expect(Math.abs((hourly.series[h]?.billed ?? 0) - share), `hour ${h}`).toBeLessThanOrEqual(0.005);
      expect(hourly.series[h]?.tariffed).toBe(yuan(tariffMicro(() => 1, touPrice, h, h + 1)));
    }

    const daily = await cost(`scope=institution:i1&energy=electricity&${span}&interval=day`);
    const el2Day = tariffMicro(() => 1, touPrice, 0, 24);
    expect(el2Day).toBe(16_234_568);
    const el1Day0 = tariffMicro(RATE.el1 as (h: number) => number, touPrice, 0, 24);
    expect(daily.series.map((p) => p.billed)).toEqual([0, 100, 77.77]);
    expect(daily.series.map((p) => p.tariffed)).toEqual([yuan(el1Day0 + el2Day), yuan(el2Day), yuan(el2Day)]);
    const totalMicro = el1Day0 + 3 * el2Day + 177_770_000;
    expect(daily.total).toBe(yuan(totalMicro));
    expect(daily.billed).toBe(177.77);
    expect(daily.tariffed).toBe(yuan(el1Day0 + 3 * el2Day));

    // i2: its own flat tariff, 2 kWh an hour at 0.9; water on the general flat tariff; gas has none.
    expect((await cost(`scope=institution:i2&energy=electricity&${span}`)).total).toBe(129.6);
    expect((await cost(`scope=institution:i1&energy=water&${span}`)).total).toBe(73.8);
    const city = await cost(`scope=city&${span}&interval=month`);
    expect(city.total).toBe(yuan(totalMicro + 129_600_000 + 73_800_000));
    expect(city.uncosted).toEqual([{ meterId: 'g1', energy: 'gas', hours: 72, quantity: 72 }]);
    // A sub-meter alone is costed at the tariff (its bill covers its parent's account only).
    expect((await cost(`scope=meter:sub1&energy=electricity&from=${day(0)}&to=${day(1)}`)).total).toBe(
      yuan(tariffMicro(() => 0.5, touPrice, 0, 24)),
    );
  });

  it('documents the routes in the OpenAPI document', async () => {
    const res = await t.api<{ paths: Record<string, unknown> }>('GET', '/docs/json', undefined, '');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/tariffs', '/api/v1/bills', '/api/v1/bills/reconciliation']),
    );
  });

  it('reconciles billed with metered quantity, flagging the bill beyond BILL_TOLERANCE only', async () => {
    type Recon = {
      tolerance: number;
      flagged: number;
      bills: { from: string; billedQuantity: number; meteredQuantity: number; share: number; flagged: boolean }[];
    };
    // Days 1 and 2 may fall in two years (run on 1 January): ask for each one's year.
    const years = [...new Set([day(1), day(2)].map((d) => d.slice(0, 4)))];
    const answers = await Promise.all(
      years.map((y) => t.api<Recon>('GET', `/api/v1/bills/reconciliation?year=${y}&scope=city`)),
    );
    for (const res of answers) {
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.tolerance).toBe(0.02);
    }
    const bills = answers.flatMap((a) => a.body.bills);
    const byDay = Object.fromEntries(bills.map((b) => [b.from, b]));
    expect(byDay[day(1)]).toMatchObject({ billedQuantity: 61, meteredQuantity: 60, flagged: false });
    expect(byDay[day(1)]?.share).toBeCloseTo(-1 / 61, 6);
    expect(byDay[day(2)]).toMatchObject({ billedQuantity: 70, meteredQuantity: 60, flagged: true });
    expect(answers.reduce((n, a) => n + a.body.flagged, 0)).toBe(1);
    const bad = await t.api<{ details: { path: string }[] }>('GET', '/api/v1/bills/reconciliation?year=26&scope=city');
    expect(bad.status).toBe(400);
    expect((await t.api('GET', `/api/v1/bills/reconciliation?year=${YEAR}&scope=district:nope`)).status).toBe(400);
  });
});
