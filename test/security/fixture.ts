import type { AnomalyEvent } from '../../core/domain/anomalies.js';
import { readingsTopic } from '../../core/domain/topics.js';
import type { TestPlatform } from '../helpers/platform.js';
import { smallCity } from '../helpers/registry.js';
import { waitFor } from '../helpers/wait.js';

/** Ids of the xuanwu district in `smallCity()`: none may reach a token scoped to gulou. */
export const XUANWU_IDS = ['xuanwu', 'i-003', 'b-004', 'm-hosp', 'm-gas', 'gw-002'];

const H = 3_600_000;

/** Local (Asia/Shanghai) date `YYYY-MM-DD` of an instant. */
export function localDate(ms: number): string {
  return new Date(ms + 8 * H).toISOString().slice(0, 10);
}

/** A token as `POST /api/v1/tokens` answers. */
export interface Issued {
  id: string;
  token: string;
}

/**
 * A 2-district city with data in both districts: six hours of readings of every meter (yesterday),
 * one rejected reading per meter (dead letters), a target and an anomaly per district.
 * Returns the hour the readings start.
 */
export async function seedCity(t: TestPlatform): Promise<{ startMs: number }> {
  const put = await t.api('PUT', '/api/v1/registry', smallCity());
  if (put.status !== 200) throw new Error(`registry: ${JSON.stringify(put.body)}`);
  const startMs = Math.floor(Date.now() / H) * H - 30 * H;
  const gateways: Record<string, string[]> = {
    'gw-001': ['m-light', 'm-hvac', 'm-water', 'm-school'],
    'gw-002': ['m-hosp', 'm-gas'],
  };
  for (const [gw, meters] of Object.entries(gateways)) {
    const client = await t.connectGateway(gw, `secret-${gw}`);
    const readings = meters.flatMap((meter) => [
      ...[0, 1, 2, 3, 4, 5].map((h) => ({ meter, ts: startMs + h * H, value: 100 + h * 10 })),
      { meter, ts: startMs, value: 'not a number' },
    ]);
    await client.publishAsync(readingsTopic(gw), JSON.stringify({ readings }), { qos: 1 });
    await client.endAsync();
  }
  await waitFor(
    async () => (await t.platform.store.readings('m-gas', startMs, startMs + 6 * H)).length,
    (n) => n === 6,
  );
  const targets = ['institution:i-001', 'institution:i-003'].map((scope) => ({
    scope,
    energy: 'electricity',
    period: localDate(startMs).slice(0, 4),
    value: 100000,
    unit: 'kWh',
  }));
  const tput = await t.api('PUT', '/api/v1/targets', { targets });
  if (tput.status !== 200) throw new Error(`targets: ${JSON.stringify(tput.body)}`);
  const anomaly = (id: string, scope: string): AnomalyEvent => ({
    id,
    type: 'spike',
    scope,
    energy: 'electricity',
    startMs,
    endMs: startMs + H,
    severity: 'medium',
    evidence: { observed: 10, expected: 1 },
    wastedNative: 9,
    wastedKgce: 1.1,
    status: 'open',
    detectedAtMs: startMs + 2 * H,
  });
  // Detection is not under test here: the anomalies are written to the store directly.
  await t.platform.store.upsertAnomalies([
    anomaly('an-gulou', 'institution:i-001'),
    anomaly('an-xuanwu', 'meter:m-hosp'),
  ]);
  return { startMs };
}

/** Issues a token through the API with the admin token. */
export async function issue(t: TestPlatform, body: Record<string, unknown>): Promise<Issued> {
  const res = await t.api<Issued>('POST', '/api/v1/tokens', body);
  if (res.status !== 201) throw new Error(`token: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}
