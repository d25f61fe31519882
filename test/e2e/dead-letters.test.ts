import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeadLetter } from '../../core/storage/store.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { smallCity } from '../helpers/registry.js';
import { waitFor } from '../helpers/wait.js';
import { type Issued, issue } from '../security/fixture.js';

const H = 3_600_000;
const RANGE = 'from=2020-01-01&to=2100-01-01';

interface Letter {
  id: string;
  code: string;
  gatewayId: string | null;
  meterId: string | null;
  retriedAt: string | null;
}
interface Page {
  deadLetters: Letter[];
  nextCursor: string | null;
}

describe('dead letters: scoped, paged, retried', () => {
  let t: TestPlatform;
  let officer: Issued;
  const tsMs = Math.floor(Date.now() / H) * H - 2 * H;
  const base = Date.now() - 60_000;
  // Received one second apart, oldest first; ids given so that the test can name them.
  const letters: DeadLetter[] = [
    { id: 'dl-gw1-msg', receivedAtMs: base, reason: 'payload: not valid JSON', raw: '{x', gatewayId: 'gw-001' },
    { id: 'dl-gw2-msg', receivedAtMs: base + 1000, reason: 'payload: not valid JSON', raw: '{y', gatewayId: 'gw-002' },
    {
      id: 'dl-gw2-unknown',
      receivedAtMs: base + 2000,
      reason: 'unknown meter "m-new"',
      raw: JSON.stringify({ meter: 'm-new', ts: tsMs, value: 1 }),
      gatewayId: 'gw-002',
      meterId: 'm-new',
    },
    {
      id: 'dl-hvac',
      code: 'store_failed',
      receivedAtMs: base + 3000,
      reason: 'store_failed: disk I/O error',
      raw: JSON.stringify({ meter: 'm-hvac', ts: tsMs, value: 4242.5 }),
      gatewayId: 'gw-001',
      meterId: 'm-hvac',
      tsMs,
    },
    { id: 'dl-no-gateway', code: 'store_failed', receivedAtMs: base + 4000, reason: 'store_failed: wal', raw: 'AA==' },
  ];

  beforeAll(async () => {
    t = await startTestPlatform();
    expect((await t.api('PUT', '/api/v1/registry', smallCity())).status).toBe(200);
    officer = await issue(t, { name: 'gulou officer', role: 'officer', scopes: ['district:gulou'] });
    await t.platform.store.addDeadLetters(letters);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('shows a district officer its meters and its own gateways whole messages, never another district', async () => {
    const res = await t.api<Page>('GET', `/api/v1/dead-letters?${RANGE}`, undefined, officer.token);
    expect(res.status).toBe(200);
    expect(res.body.deadLetters.map((d) => d.id)).toEqual(['dl-hvac', 'dl-gw1-msg']);
    const all = await t.api<Page>('GET', `/api/v1/dead-letters?${RANGE}`);
    expect(all.body.deadLetters.map((d) => d.id)).toEqual([
      'dl-no-gateway',
      'dl-hvac',
      'dl-gw2-unknown',
      'dl-gw2-msg',
      'dl-gw1-msg',
    ]);
    expect(all.body.deadLetters[2]).toMatchObject({ code: 'unknown_meter', gatewayId: 'gw-002', meterId: 'm-new' });
  });

  it('pages newest first with a cursor, and filters by code, meter and gateway', async () => {
    const seen: string[] = [];
    let cursor: string | null = '';
    for (let pages = 0; cursor !== null && pages < 10; pages++) {
      const page: { status: number; body: Page } = await t.api<Page>(
        'GET',
        `/api/v1/dead-letters?${RANGE}&limit=2${cursor === '' ? '' : `&cursor=${cursor}`}`,
      );
      expect(page.status).toBe(200);
      expect(page.body.deadLetters.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.deadLetters.map((d) => d.id));
      cursor = page.body.nextCursor;
    }
    expect(seen).toEqual(['dl-no-gateway', 'dl-hvac', 'dl-gw2-unknown', 'dl-gw2-msg', 'dl-gw1-msg']);
    const ids = async (query: string) =>
      (await t.api<Page>('GET', `/api/v1/dead-letters?${RANGE}&${query}`)).body.deadLetters.map((d) => d.id);
    expect(await ids('code=store_failed')).toEqual(['dl-no-gateway', 'dl-hvac']);
    expect(await ids('meterId=m-hvac')).toEqual(['dl-hvac']);
    expect(await ids('gatewayId=gw-002')).toEqual(['dl-gw2-unknown', 'dl-gw2-msg']);
    const bad = await t.api<{ code: string }>('GET', `/api/v1/dead-letters?${RANGE}&cursor=xyz`);
    expect(bad).toMatchObject({ status: 400, body: { code: 'JN_REQUEST_INVALID' } });
  });

  it('retries a store_failed reading through ingest once, for an admin only, and audits it', async () => {
    const forbidden = await t.api<{ code: string }>(
      'POST',
      '/api/v1/dead-letters/dl-hvac/retry',
      undefined,
      officer.token,
    );
    expect(forbidden).toMatchObject({ status: 403, body: { code: 'JN_FORBIDDEN' } });
    const res = await t.api<Letter>('POST', '/api/v1/dead-letters/dl-hvac/retry');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ id: 'dl-hvac', code: 'store_failed', retriedAt: expect.any(String) });
    await waitFor(
      async () => (await t.platform.store.readings('m-hvac', tsMs, tsMs + 1)).map((r) => r.value),
      (values) => values.length === 1 && values[0] === 4242.5,
    );
    const again = await t.api<{ code: string }>('POST', '/api/v1/dead-letters/dl-hvac/retry');
    expect(again).toMatchObject({ status: 409, body: { code: 'JN_DEAD_LETTER_RETRIED' } });
    const listed = await t.api<Page>('GET', `/api/v1/dead-letters?${RANGE}&meterId=m-hvac`);
    expect(listed.body.deadLetters[0]?.retriedAt).toBe(res.body.retriedAt);
    const audit = await t.platform.store.audit(0, Date.now() + H);
    expect(audit.find((a) => a.entity === 'dead_letter:dl-hvac')).toMatchObject({
      route: 'POST /api/v1/dead-letters/:id/retry',
      tokenName: 'admin (ADMIN_TOKEN)',
    });
  });

  it('retries an unknown meter reading once the admin has registered the meter', async () => {
    const city = smallCity();
    const registry = {
      ...city,
      meters: [...city.meters, { id: 'm-new', buildingId: 'b-004', gatewayId: 'gw-002', energy: 'water', unit: 'm3' }],
    };
    expect((await t.api('PUT', '/api/v1/registry', registry)).status).toBe(200);
    expect((await t.api('POST', '/api/v1/dead-letters/dl-gw2-unknown/retry')).status).toBe(200);
    await waitFor(
      async () => (await t.platform.store.readings('m-new', tsMs, tsMs + 1)).length,
      (n) => n === 1,
    );
  });

  it('refuses to retry whole messages, letters without a gateway, and unknown ids, with stable codes', async () => {
    for (const id of ['dl-gw1-msg', 'dl-no-gateway']) {
      const res = await t.api<{ code: string }>('POST', `/api/v1/dead-letters/${id}/retry`);
      expect(res, id).toMatchObject({ status: 409, body: { code: 'JN_DEAD_LETTER_NOT_RETRIABLE' } });
    }
    const missing = await t.api<{ code: string }>('POST', '/api/v1/dead-letters/dl-nope/retry');
    expect(missing).toMatchObject({ status: 404, body: { code: 'JN_NOT_FOUND' } });
  });
});
