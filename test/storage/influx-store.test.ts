import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { InfluxConnection } from '../../core/storage/influx/http.js';
import { InfluxStore } from '../../core/storage/influx/influx-store.js';
import { INFLUX } from '../../core/storage/influx/schema.js';
import { freePort, influxdSkipReason, startInfluxd } from '../helpers/influxd.js';
import { influxdForSuite } from '../helpers/influxd-suite.js';
import { H, hour, REGISTRY, reading, T0, TZ } from './contract-fixtures.js';

const skip = influxdSkipReason();

describe.skipIf(skip !== undefined)('InfluxStore specifics on a real InfluxDB 1.x', () => {
  const suite = influxdForSuite();
  const { dirs, open } = suite;
  const openStore = async (connection: Partial<InfluxConnection> = {}, extra = {}) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'jieneng-influx-meta-'));
    dirs.push(dataDir);
    const database = connection.api === 'v2' ? '' : await suite.influxd().createDatabase();
    const store = await InfluxStore.open({
      connection: { api: 'v1', url: suite.influxd().url, database, timeoutMs: 5000, ...connection } as InfluxConnection,
      dataDir,
      timeZone: TZ,
      spoolMaxBytes: 16 * 1024 * 1024,
      ...extra,
    });
    open.push(store);
    await store.saveRegistry(REGISTRY);
    return { store, database };
  };
  const series = async (q: string, db: string) =>
    ((await suite.influxd().query(q, db)).results[0]?.series ?? []).flatMap((s) => s.values);

  it('writes under the measurement, tag and field names shared with the dashboards', async () => {
    const { store, database } = await openStore();
    // light under hvac (coded 01B00): its hours carry the parent tags too.
    await store.saveRegistry({
      ...REGISTRY,
      meters: REGISTRY.meters.map((m) => (m.id === 'light' ? { ...m, buildingId: 'b2', parentId: 'hvac' } : m)),
    });
    await store.replaceHourly(
      [{ meterId: 'light', fromMs: T0, toMs: T0 + H }],
      [hour('light', T0, 1_500_000, 'estimated', 1_500_000, 3)],
      [reading('light', 0, 9), reading('light', 15, 9.5)],
    );
    await store.addCorrection({
      meterId: 'light',
      tsMs: T0,
      action: 'invalidate',
      reason: 'x',
      createdBy: 'o',
      createdAtMs: T0,
    });
    await store.addDeadLetters([
      { receivedAtMs: T0, reason: 'unknown meter "nope"', raw: '{}', gatewayId: 'g1', meterId: 'nope' },
    ]);
    const { readings, hourly, deadLetters } = INFLUX;
    expect((await series(`SHOW TAG KEYS FROM ${readings.measurement}`, database)).flat().sort()).toEqual(
      Object.values(readings.tags).sort(),
    );
    expect(await series(`SHOW FIELD KEYS FROM ${readings.measurement}`, database)).toEqual([
      [readings.fields.invalid, 'boolean'],
      [readings.fields.receivedMs, 'float'],
      [readings.fields.value, 'float'],
    ]);
    expect((await series(`SHOW TAG KEYS FROM ${hourly.measurement}`, database)).flat().sort()).toEqual(
      Object.values(hourly.tags).sort(),
    );
    const fields = Object.fromEntries(await series(`SHOW FIELD KEYS FROM ${hourly.measurement}`, database));
    expect(fields).toEqual({
      amount: 'float',
      estimated: 'float',
      quality: 'string',
      readings: 'integer',
      amount_micro: 'integer',
      estimated_micro: 'integer',
      q_good: 'integer',
      q_estimated: 'integer',
      q_suspect: 'integer',
    });
    expect(
      await series(`SELECT amount, quality, "readings", building, district, sub_item FROM hourly`, database),
    ).toEqual([[T0, 1.5, 'estimated', 3, 'b2', 'd1', '01A10']]);
    expect(await series(`SELECT value, invalid FROM readings WHERE meter = 'light'`, database)).toEqual([
      [T0, 9, true],
      [T0 + 15 * 60_000, 9.5, null],
    ]);
    expect(
      await series(`SELECT gateway, reason_label, reason, meter FROM ${deadLetters.measurement}`, database),
    ).toEqual([[T0, 'g1', 'unknown_meter', 'unknown meter "nope"', 'nope']]);
  });

  it('dead-letters readings InfluxDB refuses (field type conflict) with its message, keeps the rest, never retries', async () => {
    let refused = 0;
    const { store, database } = await openStore({}, { onRefusedReadings: (n: number) => (refused += n) });
    // Another writer made `value` a string in the shard of T0's week.
    await fetch(`${suite.influxd().url}/write?db=${database}&precision=ms`, {
      method: 'POST',
      body: `readings,meter=other,gateway=g9 value="broken" ${T0 - 60_000}`,
    });
    const later = reading('light', 60 * 24 * 30, 12);
    const outcome = await store.insertReadings([reading('light', 0, 9), later]);
    expect(outcome.inserted).toHaveLength(2);
    expect(store.health()).toMatchObject({ status: 'ok', spoolBytes: 0 });
    expect(refused).toBe(1);
    expect(await store.readings('light', T0 - H, T0 + 40 * 24 * H)).toEqual([later]);
    const [letter] = await store.deadLetters(0, T0 + 100 * 24 * H, 10);
    expect(letter).toMatchObject({
      meterId: 'light',
      tsMs: T0,
      gatewayId: 'g1',
      raw: JSON.stringify({ meter: 'light', ts: T0, value: 9 }),
    });
    expect(letter?.reason).toMatch(/^InfluxDB refused the reading: .*field type conflict/);
  });

  it('keeps the daily rollup in a retention policy of its own, or in the default one without admin rights', async () => {
    const day = { filter: {}, fromMs: T0, toMs: T0 + 24 * H, interval: 'day', timeZone: TZ, groupBy: 'meter' } as const;
    const rows = [hour('light', T0, 1_000_001), hour('light', T0 + 5 * H, 2_000_002, 'estimated', 2_000_002, 2)];
    const { store, database } = await openStore();
    await store.replaceHourly([{ meterId: 'light', fromMs: T0, toMs: T0 + 24 * H }], rows);
    const policies = await series('SHOW RETENTION POLICIES', database);
    expect(policies.find((p) => p[0] === 'jieneng_rollup')?.slice(1, 3)).toEqual(['0s', '87360h0m0s']);
    expect(
      await series(
        `SELECT amount_micro, estimated_micro, readings, q_good, q_estimated, building FROM "${database}"."jieneng_rollup"."daily"`,
        database,
      ),
    ).toEqual([[T0, 3_000_003, 2_000_002, 6, 1, 1, 'b1']]);
    expect(await series('SELECT zone, rp FROM rollup_zone', database)).toEqual([[0, TZ, 'jieneng_rollup']]);
    const [sum] = await store.aggregate(day);
    expect(sum).toMatchObject({
      bucketStartMs: T0,
      amount: 3.000003,
      estimated: 2.000002,
      readings: 6,
      goodHours: 1,
      estimatedHours: 1,
    });

    // A user with rights on its database only cannot create a retention policy.
    const admin = { username: 'jieneng', password: 'right-password' };
    const secured = await startInfluxd({ admin });
    try {
      const db = await secured.createDatabase();
      await secured.statements(db, `CREATE USER "writer" WITH PASSWORD 'pw'; GRANT ALL ON "${db}" TO "writer"`);
      const dataDir = await mkdtemp(join(tmpdir(), 'jieneng-influx-meta-'));
      dirs.push(dataDir);
      const limited = await InfluxStore.open({
        connection: { api: 'v1', url: secured.url, database: db, timeoutMs: 5000, username: 'writer', password: 'pw' },
        dataDir,
        timeZone: TZ,
        spoolMaxBytes: 1 << 20,
      });
      try {
        await limited.saveRegistry(REGISTRY);
        await limited.replaceHourly([], rows);
        expect(await limited.aggregate(day)).toEqual([sum]);
        const rollup = await secured.statements(db, 'SELECT amount_micro FROM "autogen"."daily"');
        expect(rollup[0]?.series?.[0]?.values).toEqual([[T0, 3_000_003]]);
      } finally {
        await limited.close();
      }
    } finally {
      await secured.stop();
    }
  });

  it('fails fast at start-up, naming the variable: unknown database, unreachable server', async () => {
    await expect(openStore({ database: 'no_such_db' } as Partial<InfluxConnection>)).rejects.toThrow(
      /^INFLUX_DATABASE: no database "no_such_db"/,
    );
    const nobody = `http://127.0.0.1:${await freePort()}`;
    await expect(openStore({ url: nobody })).rejects.toThrow(
      /^INFLUX_URL: InfluxDB at http:\/\/127\.0\.0\.1:\d+ does not answer/,
    );
  });

  it('fails fast on wrong credentials, and works with the right ones', async () => {
    const admin = { username: 'jieneng', password: 'right-password' };
    const secured = await startInfluxd({ admin });
    try {
      const database = await secured.createDatabase();
      const base = { api: 'v1', url: secured.url, database, timeoutMs: 5000 } as const;
      const dataDir = await mkdtemp(join(tmpdir(), 'jieneng-influx-meta-'));
      dirs.push(dataDir);
      const opts = { dataDir, timeZone: TZ, spoolMaxBytes: 1 << 20 };
      await expect(
        InfluxStore.open({ ...opts, connection: { ...base, username: 'jieneng', password: 'wrong' } }),
      ).rejects.toThrow(/^INFLUX_USERNAME: INFLUX_USERNAME\/INFLUX_PASSWORD rejected/);
      const store = await InfluxStore.open({ ...opts, connection: { ...base, ...admin } });
      await store.insertReadings([reading('light', 0, 9)]);
      expect(await store.readings('light', T0, T0 + H)).toEqual([reading('light', 0, 9)]);
      await store.close();
    } finally {
      await secured.stop();
    }
  });
});
