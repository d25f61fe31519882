import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HourlyConsumption } from '../../core/domain/consumption.js';
import type { Registry } from '../../core/domain/registry.js';
import { hourOfDayFromHourly, segmentOf } from '../../core/storage/hour-of-day.js';
import { hourOfDayRollupServes } from '../../core/storage/influx/hour-of-day.js';
import { InfluxHttp } from '../../core/storage/influx/http.js';
import { InfluxStore } from '../../core/storage/influx/influx-store.js';
import { dailyPlace, ROLLUP_RP, rollupIsBuilt } from '../../core/storage/influx/rollup.js';
import { dailyLine, INFLUX } from '../../core/storage/influx/schema.js';
import type { HourOfDayQuery, HourOfDayRow } from '../../core/storage/store.js';
import { influxdSkipReason } from '../helpers/influxd.js';
import { influxdForSuite } from '../helpers/influxd-suite.js';
import { waitFor } from '../helpers/wait.js';
import { H, hour, REGISTRY, T0, TZ } from './contract-fixtures.js';

/**
 * The hour-of-day fields of InfluxDB's daily rollup (`a00` … `a23`): `hourOfDayAmounts` reads them
 * when every boundary starts a local day, and must equal the fold of the hours (the reference)
 * across DST days and a meter moved mid-day; a rollup of the previous version is rebuilt at open.
 */
const skip = influxdSkipReason();
const BERLIN = 'Europe/Berlin';
const berlin = (iso: string) => Date.parse(iso);
/** The light meter was in b2 until noon of the autumn DST day (local), in b1 since. */
const MOVE = '2026-10-25T12:00:00+01:00';
const MOVED: Registry = {
  ...REGISTRY,
  meters: REGISTRY.meters.map((m) =>
    m.id === 'light' ? { ...m, attribution: [{ until: MOVE, buildingId: 'b2' }] } : m,
  ),
};

/** Hours of every meter over [fromMs, toMs), some of them zero, amounts that do not add up exactly in floats. */
function hoursOver(fromMs: number, toMs: number): HourlyConsumption[] {
  const out: HourlyConsumption[] = [];
  for (let t = fromMs; t < toMs; t += H)
    for (const [k, m] of REGISTRY.meters.entries()) {
      const i = (t - fromMs) / H;
      out.push(hour(m.id, t, (i + k) % 5 === 0 ? 0 : 333_333 + 100_003 * ((i * 7 + k * 3) % 11)));
    }
  return out;
}

/** One tuple per meter, segment and hour with an amount or a count. */
const cellsOf = (rows: readonly HourOfDayRow[], counts = true) =>
  rows
    .flatMap((r) =>
      r.amounts.map((a, h) => [r.meterId, r.segment, h, Number(a.toFixed(6)), counts ? r.hours?.[h] : 0] as const),
    )
    .filter(([, , , a, n]) => a !== 0 || (n ?? 0) !== 0)
    .sort((a, b) => a[0].localeCompare(b[0]) || a[1] - b[1] || a[2] - b[2]);

describe.skipIf(skip !== undefined)("hour-of-day fields of InfluxDB's daily rollup", () => {
  const suite = influxdForSuite();
  const { dirs, open } = suite;

  const openStore = async (database: string, timeZone: string) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'jieneng-influx-hod-'));
    dirs.push(dataDir);
    const store = await InfluxStore.open({
      connection: { api: 'v1', url: suite.influxd().url, database, timeoutMs: 5000 },
      dataDir,
      timeZone,
      spoolMaxBytes: 16 * 1024 * 1024,
      rollupSettle: { delayMs: 0 },
    });
    open.push(store);
    return store;
  };
  const http = (database: string) => new InfluxHttp({ api: 'v1', url: suite.influxd().url, database, timeoutMs: 5000 });

  it('equals the reference across both DST days of Europe/Berlin and a meter moved mid-day', async () => {
    const store = await openStore(await suite.influxd().createDatabase('hod'), BERLIN);
    await store.saveRegistry(MOVED);
    const spring = [berlin('2026-03-28T00:00:00+01:00'), berlin('2026-03-31T00:00:00+02:00')] as const;
    const autumn = [berlin('2026-10-24T00:00:00+02:00'), berlin('2026-10-27T00:00:00+01:00')] as const;
    const rows = [...hoursOver(...spring), ...hoursOver(...autumn)];
    const ranges = REGISTRY.meters.flatMap((m) =>
      [spring, autumn].map(([fromMs, toMs]) => ({ meterId: m.id, fromMs, toMs })),
    );
    await store.replaceHourly(ranges, rows);
    await store.rollupSettled();
    const days = (...isos: string[]) => isos.map(berlin);
    const rollup = { timeZone: BERLIN, from: '' };
    let twice = 0;
    for (const boundariesMs of [
      days(
        '2026-03-28T00:00:00+01:00',
        '2026-03-29T00:00:00+01:00',
        '2026-03-30T00:00:00+02:00',
        '2026-03-31T00:00:00+02:00',
      ),
      days(
        '2026-10-24T00:00:00+02:00',
        '2026-10-25T00:00:00+02:00',
        '2026-10-26T00:00:00+01:00',
        '2026-10-27T00:00:00+01:00',
      ),
      days('2026-03-01T00:00:00+01:00', '2026-04-01T00:00:00+02:00', '2026-11-01T00:00:00+01:00'),
      // Not local midnights: read from the hours.
      days('2026-03-29T01:00:00+01:00', '2026-10-25T02:00:00+01:00', '2026-10-26T00:00:00+01:00'),
    ])
      for (const filter of [
        {},
        { buildingId: 'b1' },
        { buildingId: 'b2' },
        { districtId: 'd1' },
        { meterId: 'light' },
      ]) {
        const q: HourOfDayQuery = { filter, boundariesMs, timeZone: BERLIN };
        const label = JSON.stringify(q);
        const reference = cellsOf(await hourOfDayFromHourly((a) => store.aggregate(a), q));
        expect(reference.length, label).toBeGreaterThan(0);
        expect(cellsOf(await store.hourOfDayAmounts(q), false), label).toEqual(
          cellsOf(await hourOfDayFromHourly((a) => store.aggregate(a), q), false),
        );
        const counted = cellsOf(await store.hourOfDayAmounts({ ...q, counts: true }));
        const autumnDay = segmentOf(boundariesMs, berlin('2026-10-25T00:00:00+02:00'));
        if (!hourOfDayRollupServes(q, rollup) || autumnDay < 0) {
          expect(counted, label).toEqual(reference);
          continue;
        }
        // The repeated 02:00 of the autumn day is one field of the day: the rollup counts days
        // with consumption at a clock hour (as the embedded store's does), the reference hours.
        const repeated = (c: (typeof reference)[number]) => c[1] === autumnDay && c[2] === 2;
        expect(
          counted.filter((c) => !repeated(c)),
          label,
        ).toEqual(reference.filter((c) => !repeated(c)));
        for (const c of counted.filter(repeated)) {
          const ref = reference.find((r) => r[0] === c[0] && repeated(r));
          expect(c.slice(0, 4), label).toEqual(ref?.slice(0, 4));
          expect([0, 1], label).toContain((ref?.[4] ?? 0) - (c[4] ?? 0));
          if (ref?.[4] !== c[4]) twice++;
        }
      }
    expect(twice).toBeGreaterThan(0);
  });

  it('rewrites an hour that fell to zero, and counts the day no more at it', async () => {
    const database = await suite.influxd().createDatabase('hod');
    const store = await openStore(database, TZ);
    await store.saveRegistry(REGISTRY);
    const range = [{ meterId: 'water', fromMs: T0, toMs: T0 + 24 * H }];
    const day = Array.from({ length: 24 }, (_, h) => hour('water', T0 + h * H, 1_000_000 + h));
    await store.replaceHourly(range, day);
    await store.replaceHourly(
      range,
      day.map((h, i) => (i === 5 ? { ...h, amountMicro: 0 } : h)),
    );
    await store.rollupSettled();
    const q: HourOfDayQuery = {
      filter: { meterId: 'water' },
      boundariesMs: [T0, T0 + 24 * H],
      timeZone: TZ,
      counts: true,
    };
    const [row] = await store.hourOfDayAmounts(q);
    expect(row?.amounts[5]).toBe(0);
    expect(row?.hours?.[5]).toBe(0);
    expect(row?.amounts[6]).toBe(1.000006);
    expect(row?.hours?.[6]).toBe(1);
    expect(cellsOf(await store.hourOfDayAmounts(q))).toEqual(
      cellsOf(await hourOfDayFromHourly((a) => store.aggregate(a), q)),
    );
  });

  it('rebuilds at open a rollup of the previous version (no hour fields, no version in its marker)', async () => {
    const database = await suite.influxd().createDatabase('hod');
    const store = await openStore(database, TZ);
    await store.saveRegistry(REGISTRY);
    const rows = hoursOver(T0, T0 + 3 * 24 * H);
    await store.replaceHourly(
      REGISTRY.meters.map((m) => ({ meterId: m.id, fromMs: T0, toMs: T0 + 3 * 24 * H })),
      rows,
    );
    await store.rollupSettled();
    await store.close();
    open.splice(0);
    // What the previous code left: days without a00 … a23, and a marker without a version.
    const h = http(database);
    const place = await dailyPlace(h);
    expect(place.rp).toBe(ROLLUP_RP);
    await suite.influxd().statements(database, `DROP MEASUREMENT "${INFLUX.daily.measurement}"`);
    await suite.influxd().statements(database, `DROP MEASUREMENT "${INFLUX.rollupZone.measurement}"`);
    const old = REGISTRY.meters.map((m) =>
      dailyLine(
        {
          dayStartMs: T0,
          amountMicro: 1,
          estimatedMicro: 0,
          readings: 0,
          goodHours: 0,
          estimatedHours: 0,
          suspectHours: 0,
        },
        { meter: m.id, energy: m.energy, building: m.buildingId },
      ),
    );
    await h.write(old, 'ms', place.rp);
    await h.write([`rollup_zone zone="${TZ}",rp="${ROLLUP_RP}" 0`], 'ms');
    expect(await rollupIsBuilt(h, place, TZ)).toBe(false);

    const reopened = await openStore(database, TZ);
    await waitFor(
      () => rollupIsBuilt(h, place, TZ),
      (built) => built,
      20_000,
    );
    const [fields] = await suite
      .influxd()
      .statements(database, `SHOW FIELD KEYS FROM "${ROLLUP_RP}"."${INFLUX.daily.measurement}"`);
    const names = (fields?.series?.[0]?.values ?? []).map((v) => v[0]);
    expect(names).toEqual(expect.arrayContaining(INFLUX.daily.hourFields));
    const q: HourOfDayQuery = {
      filter: {},
      boundariesMs: [T0, T0 + 24 * H, T0 + 3 * 24 * H],
      timeZone: TZ,
      counts: true,
    };
    const answer = cellsOf(await reopened.hourOfDayAmounts(q));
    expect(answer.length).toBeGreaterThan(24);
    expect(answer).toEqual(cellsOf(await hourOfDayFromHourly((a) => reopened.aggregate(a), q)));
    await h.close();
  });
});
