import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';

describe('API rate limit before authentication', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform({ API_RATE_LIMIT_PER_MIN: '5' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('counts requests with wrong or missing tokens per client address, and keeps serving a valid token', async () => {
    const statuses: number[] = [];
    // A new guess every time: a per-token key would give each guess a fresh budget.
    for (let i = 0; i < 6; i++)
      statuses.push((await t.api('GET', '/api/v1/registry', undefined, `jn_guess-${i}-${Math.random()}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    const missing = await t.api<{ code: string }>('GET', '/api/v1/registry', undefined, '');
    expect(missing).toMatchObject({ status: 429, body: { code: 'JN_RATE_LIMITED' } });
    expect((await t.api('GET', '/api/v1/registry')).status).toBe(200);
  });
});
