import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { postgresSkipReason, startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { smallCity } from '../helpers/registry.js';

const skip = postgresSkipReason();

/**
 * Issue "Production parity": with METADATA_URL the registry, tokens and meter events live in
 * PostgreSQL, so a second platform process (another DATA_DIR) starts with what the first wrote.
 */
describe.skipIf(skip !== undefined)('platform with METADATA_URL (real PostgreSQL)', () => {
  let server: TestPostgres;
  const platforms: TestPlatform[] = [];
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    for (const p of platforms.reverse()) await p.close();
    await server?.stop();
  });

  it('keeps registry, tokens and meter events in PostgreSQL, seen by a second platform at start', async () => {
    const url = await server.createDatabase();
    const first = await startTestPlatform({ METADATA_URL: url });
    platforms.push(first);
    expect((await first.api('PUT', '/api/v1/registry', smallCity())).status).toBe(200);
    const issued = await first.api<{ id: string; token: string }>('POST', '/api/v1/tokens', {
      name: 'city auditor',
      role: 'auditor',
    });
    expect(issued.status).toBe(201);
    const event = await first.api('POST', '/api/v1/meters/m-hvac/events', {
      type: 'multiplier',
      ts: '2026-11-01T08:00:00+08:00',
      multiplier: 2,
    });
    expect(event.status).toBe(201);

    const meters = await server.query(url, 'SELECT id FROM meters ORDER BY id');
    expect(meters.map((r) => r.id)).toEqual(
      smallCity()
        .meters.map((m) => m.id)
        .sort(),
    );
    expect(await server.query(url, 'SELECT name, role FROM tokens WHERE id = $1', [issued.body.id])).toEqual([
      { name: 'city auditor', role: 'auditor' },
    ]);
    expect(await server.query(url, 'SELECT meter_id, type, multiplier FROM meter_events')).toEqual([
      { meter_id: 'm-hvac', type: 'multiplier', multiplier: 2 },
    ]);
    const audited = await server.query(url, 'SELECT entity FROM audit_log ORDER BY seq');
    expect(audited.map((r) => r.entity)).toContain('registry');

    // Another process, its own DuckDB series in another DATA_DIR, the same PostgreSQL.
    const second = await startTestPlatform({ METADATA_URL: url, STORE: 'embedded' });
    platforms.push(second);
    const registry = await second.api<{ meters: { id: string }[] }>(
      'GET',
      '/api/v1/registry',
      undefined,
      issued.body.token,
    );
    expect(registry.status).toBe(200);
    expect(registry.body.meters.map((m) => m.id).sort()).toEqual(
      smallCity()
        .meters.map((m) => m.id)
        .sort(),
    );
    const events = await second.api<{ events: { type: string }[] }>('GET', '/api/v1/meters/m-hvac/events');
    expect(events.body.events.map((e) => e.type)).toEqual(['multiplier']);

    // The DuckDB series still get their nightly clustering with metadata in PostgreSQL (issue 19).
    const run = await second.api<{ lastRun: { outcome: string; detail: unknown } }>(
      'POST',
      '/api/v1/jobs/cluster-rollups/run',
    );
    expect(run.status).toBe(200);
    expect(run.body.lastRun).toMatchObject({ outcome: 'ok', detail: { dailyMonths: 0, monthlyYears: 0 } });
  });
});
