import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readingsTopic } from '../../core/domain/topics.js';
import { signBody } from '../../ingest/alerts/webhook.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { smallCity } from '../helpers/registry.js';

const H = 3_600_000;
const SECRET = 'webhook-secret-0123456789';

interface Progress {
  scope: string;
  period: string;
  toDate: number;
  share: number;
  forecast: number;
  status: string;
  method: string;
}
interface Anomaly {
  id: string;
  type: string;
  scope: string;
  status: string;
  evidence: Record<string, unknown>;
  acknowledged: { by: string; comment: string } | null;
}

describe('targets, progress, detection jobs, anomaly life cycle and the alert webhook', () => {
  let t: TestPlatform;
  let hook: Server;
  const deliveries: { body: string; signature: string }[] = [];
  let failFirst = true;
  const now = Date.now();
  const local = new Date(now + 8 * H);
  const year = local.getUTCFullYear();
  const month = `${year}-${String(local.getUTCMonth() + 1).padStart(2, '0')}`;

  beforeAll(async () => {
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        if (failFirst) {
          failFirst = false;
          res.writeHead(503).end();
          return;
        }
        deliveries.push({ body, signature: String(req.headers['x-jieneng-signature']) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', () => resolve()));
    const address = hook.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    t = await startTestPlatform({ ALERT_WEBHOOK_URL: `http://127.0.0.1:${port}/hook`, ALERT_WEBHOOK_SECRET: SECRET });
    expect((await t.api('PUT', '/api/v1/registry', smallCity())).status).toBe(200);
    const gw = await t.connectGateway('gw-001', 'secret-gw-001');
    // m-hvac (institution i-001): 10 kWh an hour over the last 10 days.
    const start = Math.floor(now / H) * H - 10 * 24 * H;
    const readings = Array.from({ length: 10 * 24 + 1 }, (_, i) => ({
      meter: 'm-hvac',
      ts: start + i * H,
      value: 10 * i,
    }));
    for (let i = 0; i < readings.length; i += 100) {
      await gw.publishAsync(readingsTopic('gw-001'), JSON.stringify({ readings: readings.slice(i, i + 100) }), {
        qos: 1,
      });
    }
    await t.platform.pipeline.drain();
  });
  afterAll(async () => {
    await t?.close();
    await new Promise<void>((resolve) => hook?.close(() => resolve()));
  });

  it('refuses bad targets with a 400 naming the problem', async () => {
    const put = (targets: unknown[]) => t.api<{ message: string }>('PUT', '/api/v1/targets', { targets });
    const ok = { scope: 'institution:i-001', energy: 'electricity', period: month, value: 100, unit: 'kWh' };
    expect((await put([{ ...ok, scope: 'institution:nope' }])).body.message).toMatch(/targets\[0\]\.scope/);
    expect((await put([{ ...ok, value: -1 }])).body.message).toMatch(/targets\.0\.value/);
    expect((await put([{ ...ok, unit: 'm3' }])).body.message).toMatch(/targets\.0\.unit/);
    expect((await put([{ ...ok, energy: 'plutonium' }])).body.message).toMatch(/targets\.0\.energy/);
    expect((await put([{ ...ok, period: '2026-13' }])).body.message).toMatch(/targets\.0\.period/);
    const overlap = await put([ok, { ...ok, value: 200 }]);
    expect(overlap.status).toBe(400);
    expect(overlap.body.message).toMatch(/overlaps/);
  });

  it('tracks progress with a forecast and a status', async () => {
    const res = await t.api('PUT', '/api/v1/targets', {
      targets: [
        { scope: 'institution:i-001', energy: 'electricity', period: month, value: 50, unit: 'kWh' },
        { scope: 'institution:i-001', energy: 'electricity', period: String(year), value: 1_000_000, unit: 'kWh' },
        { scope: 'institution:i-001', energy: 'all', period: String(year), value: 5, unit: 'kgce/m2' },
      ],
    });
    expect(res.status).toBe(200);
    const progress = await t.api<{ progress: Progress[] }>(
      'GET',
      `/api/v1/targets/progress?scope=institution:i-001&year=${year}`,
    );
    expect(progress.status).toBe(200);
    const monthly = progress.body.progress.find((p) => p.period === month);
    expect(monthly?.status).toBe('over');
    expect(monthly?.toDate).toBeGreaterThan(50);
    expect(monthly?.forecast).toBeGreaterThanOrEqual(monthly?.toDate ?? 0);
    const annual = progress.body.progress.find(
      (p) => p.period === String(year) && p.status !== undefined && p.share < 1,
    );
    expect(annual?.status).toBe('on_track');
    expect(['seasonal-shape', 'last-year']).toContain(annual?.method);
    expect(annual?.forecast).toBeGreaterThan(annual?.toDate ?? 0);
    const bad = await t.api('GET', `/api/v1/targets/progress?scope=institution:i-001&year=26`);
    expect(bad.status).toBe(400);
  });

  it('runs detection on demand, records the event once, and sends it signed to the webhook (retried)', async () => {
    const jobs = await t.api<{ jobs: { name: string; lastRun: unknown }[] }>('GET', '/api/v1/jobs');
    expect(jobs.body.jobs.map((j) => j.name)).toContain('detect-targets');
    const run = await t.api<{ lastRun: { outcome: string; detail: { new: number } } }>(
      'POST',
      '/api/v1/jobs/detect-targets/run',
    );
    expect(run.status).toBe(200);
    expect(run.body.lastRun.outcome).toBe('ok');
    expect(run.body.lastRun.detail.new).toBe(1);
    const again = await t.api<{ lastRun: { detail: { new: number; found: number } } }>(
      'POST',
      '/api/v1/jobs/detect-targets/run',
    );
    expect(again.body.lastRun.detail).toEqual({ found: 1, new: 0 });
    expect(deliveries).toHaveLength(1);
    const delivery = deliveries[0] as { body: string; signature: string };
    expect(delivery.signature).toBe(signBody(SECRET, delivery.body));
    expect(JSON.parse(delivery.body).anomalies[0]).toMatchObject({ type: 'over_target', scope: 'institution:i-001' });
    const metrics = await t.api<string>('GET', '/metrics', undefined, '');
    expect(metrics.body).toMatch(/jieneng_anomalies_detected_total\{type="over_target"\} 1/);
    expect((await t.api('POST', '/api/v1/jobs/nope/run')).status).toBe(404);
  });

  it('lists anomalies with filters and moves them through acknowledge and resolve with who and a comment', async () => {
    const range = `from=${year - 1}-01-01&to=${year + 1}-01-01`;
    const list = await t.api<{ anomalies: Anomaly[] }>(
      'GET',
      `/api/v1/anomalies?${range}&scope=district:gulou&status=open`,
    );
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    expect(list.body.anomalies).toHaveLength(1);
    const a = list.body.anomalies[0] as Anomaly;

    expect(a.evidence).toMatchObject({ expected: 50, unit: 'kWh' });
    expect(
      (await t.api<{ anomalies: Anomaly[] }>('GET', `/api/v1/anomalies?${range}&scope=district:xuanwu`)).body.anomalies,
    ).toHaveLength(0);
    const ack = await t.api<Anomaly>('POST', `/api/v1/anomalies/${a.id}/ack`, {
      comment: 'calling the facilities manager',
    });
    expect(ack.status).toBe(200);
    expect(ack.body.status).toBe('acknowledged');
    expect(ack.body.acknowledged).toMatchObject({
      by: expect.stringMatching(/admin/),
      comment: 'calling the facilities manager',
    });
    expect((await t.api('POST', `/api/v1/anomalies/${a.id}/ack`, {})).status).toBe(400);
    const resolved = await t.api<Anomaly>('POST', `/api/v1/anomalies/${a.id}/resolve`, {
      comment: 'AC schedule fixed',
    });
    expect(resolved.body.status).toBe('resolved');
    // Re-running detection keeps the life cycle: no new event, still resolved.
    await t.api('POST', '/api/v1/jobs/detect-targets/run');
    const after = await t.api<{ anomalies: Anomaly[] }>('GET', `/api/v1/anomalies?${range}`);
    expect(after.body.anomalies.map((x) => x.status)).toEqual(['resolved']);
    expect((await t.api('POST', '/api/v1/anomalies/an-nope/resolve', {})).status).toBe(404);
  });
});
