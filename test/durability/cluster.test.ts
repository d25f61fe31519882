import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readingsTopic } from '../../core/domain/topics.js';
import { freePort, type Influxd, influxdSkipReason, startInfluxd } from '../helpers/influxd.js';
import { type Mosquitto, mosquittoSkipReason, startMosquitto } from '../helpers/mosquitto.js';
import { TEST_ADMIN_TOKEN } from '../helpers/platform.js';
import { postgresSkipReason, startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { smallCity } from '../helpers/registry.js';
import { waitFor } from '../helpers/wait.js';
import { type PlatformProcess, platformProcess } from './platform-process.js';

/**
 * Issue "Production parity", item 2: two platform processes (external Mosquitto, InfluxDB, metadata
 * in one PostgreSQL) behave as one system: a registry, a meter event or a token revocation made
 * through one takes effect in the other, and the scheduled jobs run on one of them at a time.
 */
const INGEST_USER = 'jieneng-ingest';
const INGEST_PASSWORD = 'ingest-password-0123';
const HOUR_MS = 3_600_000;
const START_MS = Math.floor((Date.now() - 30 * 86_400_000) / HOUR_MS) * HOUR_MS;
const FROM = new Date(START_MS - 2 * 86_400_000).toISOString().slice(0, 10);
const TO = new Date(START_MS + 3 * 86_400_000).toISOString().slice(0, 10);
const CITY = smallCity();
const METER = 'm-light';
/** Its multiplier in the registry (kWh per register unit). */
const MULTIPLIER = 80;
/** The job both processes schedule every second (cheap: no targets, nothing to find). */
const JOB = 'detect-targets';

const skip = mosquittoSkipReason('cluster test') ?? influxdSkipReason() ?? postgresSkipReason();

interface Node {
  readonly proc: PlatformProcess;
  readonly api: string;
}

interface JobView {
  readonly name: string;
  readonly lastRun: { readonly startedAt: string } | null;
}

describe.skipIf(skip !== undefined)('a cluster of two platform processes is one system', () => {
  let dir = '';
  let mosquitto: Mosquitto | undefined;
  let influxd: Influxd | undefined;
  let postgres: TestPostgres | undefined;
  const nodes: Node[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jieneng-cluster-'));
    [mosquitto, influxd, postgres] = await Promise.all([
      startMosquitto(dir, CITY, { user: INGEST_USER, password: INGEST_PASSWORD }),
      startInfluxd(),
      startPostgres(),
    ]);
    const database = await influxd.createDatabase('cluster');
    const metadataUrl = await postgres.createDatabase('cluster');
    for (const id of ['a', 'b']) {
      const port = await freePort();
      const api = `http://127.0.0.1:${port}`;
      const proc = platformProcess(
        {
          DATA_DIR: join(dir, id),
          HOST: '127.0.0.1',
          PORT: String(port),
          ADMIN_TOKEN: TEST_ADMIN_TOKEN,
          INGEST_FLUSH_MS: '20',
          MQTT_MODE: 'external',
          MQTT_URL: mosquitto.url,
          MQTT_USERNAME: INGEST_USER,
          MQTT_PASSWORD: INGEST_PASSWORD,
          INGEST_WORKER_ID: `cluster-${id}`,
          INGEST_WORKERS: '2',
          // One connection each: Mosquitto's round robin then alternates between the two processes.
          INGEST_CONNECTIONS: '1',
          STORE: 'influx',
          INFLUX_URL: influxd.url,
          INFLUX_DATABASE: database,
          METADATA_URL: metadataUrl,
          JOBS: 'on',
          JOB_SCHEDULES: `${JOB}=* * * * * *`,
        },
        `${api}/healthz`,
      );
      nodes.push({ proc, api });
    }
    // One after the other: the first creates the admin token the second then finds.
    for (const n of nodes) await n.proc.start();
  }, 120_000);

  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.proc.stop()));
    await Promise.all([mosquitto?.stop(), influxd?.stop(), postgres?.stop()]);
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  async function request(api: string, method: string, path: string, body?: unknown, token = TEST_ADMIN_TOKEN) {
    const res = await fetch(`${api}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text === '' || path === '/metrics' ? text : JSON.parse(text)) as unknown };
  }

  async function call<T>(api: string, method: string, path: string, body?: unknown): Promise<T> {
    const res = await request(api, method, path, body);
    expect(res.status, `${method} ${api}${path}: ${JSON.stringify(res.body).slice(0, 300)}`).toBeLessThan(300);
    return res.body as T;
  }

  const accepted = async (api: string) =>
    Number(/^jieneng_readings_accepted_total\s+(\S+)/m.exec(await call<string>(api, 'GET', '/metrics'))?.[1] ?? 0);

  /** Publishes each reading of `METER` in its own message, QoS 1, as gateway gw-001. */
  async function publish(readings: readonly { tsMs: number; value: number }[]): Promise<void> {
    const gateway = CITY.gateways[0] as { id: string; secret: string };
    const client = await mqtt.connectAsync(mosquitto?.url ?? '', {
      username: gateway.id,
      password: gateway.secret,
      clientId: `${gateway.id}-cluster-test`,
    });
    try {
      for (const r of readings)
        await client.publishAsync(
          readingsTopic(gateway.id),
          JSON.stringify({ readings: [{ meter: METER, ts: r.tsMs, value: r.value }] }),
          { qos: 1 },
        );
    } finally {
      await client.endAsync();
    }
  }

  const storedReadings = async (api: string) =>
    (await call<{ readings: unknown[] }>(api, 'GET', `/api/v1/meters/${METER}/readings?from=${FROM}&to=${TO}`)).readings
      .length;

  const jobOf = async (api: string) =>
    (await call<{ jobs: JobView[] }>(api, 'GET', '/api/v1/jobs')).jobs.find((j) => j.name === JOB);

  it('takes a registry, a replacement and a revocation made on one process into effect on the other', async () => {
    const [a, b] = nodes as [Node, Node];
    // The registry, saved through A, reaches B's ingest and API.
    await call(a.api, 'PUT', '/api/v1/registry', CITY);
    await expect
      .poll(async () => (await call<{ meters: unknown[] }>(b.api, 'GET', '/api/v1/registry')).meters.length, {
        timeout: 1000,
      })
      .toBe(CITY.meters.length);

    // Hourly readings 1000…1050, then the meter is replaced at +5.5 h (old register 1055, new 0).
    const before = [0, 1, 2, 3, 4, 5].map((i) => ({ tsMs: START_MS + i * HOUR_MS, value: 1000 + 10 * i }));
    await publish(before);
    await waitFor(
      () => storedReadings(b.api),
      (n) => n === before.length,
      20_000,
    );
    const replaceTs = START_MS + 5.5 * HOUR_MS;
    await call(a.api, 'POST', `/api/v1/meters/${METER}/events`, {
      type: 'replace',
      ts: replaceTs,
      oldFinal: 1055,
      newInitial: 0,
    });
    await expect
      .poll(
        async () =>
          (await call<{ events: { type: string }[] }>(b.api, 'GET', `/api/v1/meters/${METER}/events`)).events.map(
            (e) => e.type,
          ),
        { timeout: 1000 },
      )
      .toEqual(['replace']);

    // The new register 5…95, ingested by both processes in turn: B derives with the replacement.
    const acceptedByB = await accepted(b.api);
    const after = Array.from({ length: 10 }, (_, i) => ({ tsMs: START_MS + (6 + i) * HOUR_MS, value: 5 + 10 * i }));
    await publish(after);
    await waitFor(
      () => storedReadings(b.api),
      (n) => n === before.length + after.length,
      20_000,
    );
    expect(await accepted(b.api), 'B ingested part of the readings after the replacement').toBeGreaterThan(acceptedByB);
    // 1000→1055 on the old register, 0→95 on the new one.
    const wantKwh = (55 + 95) * MULTIPLIER;
    const path = `/api/v1/consumption?scope=meter:${METER}&energy=electricity&from=${FROM}&to=${TO}&interval=month`;
    for (const n of [a, b])
      await expect
        .poll(async () => (await call<{ total: number }>(n.api, 'GET', path)).total, { timeout: 10_000 })
        .toBeCloseTo(wantKwh, 6);

    // A token issued and revoked through A: B, which has it cached, refuses it within a second.
    const issued = await call<{ id: string; token: string }>(a.api, 'POST', '/api/v1/tokens', {
      name: 'auditor',
      role: 'auditor',
    });
    expect((await request(b.api, 'GET', '/api/v1/registry', undefined, issued.token)).status).toBe(200);
    await call(a.api, 'DELETE', `/api/v1/tokens/${issued.id}`);
    await expect
      .poll(async () => (await request(b.api, 'GET', '/api/v1/registry', undefined, issued.token)).status, {
        timeout: 1000,
        interval: 50,
      })
      .toBe(401);
  }, 60_000);

  it('runs a job scheduled on both on one of them, and on the other once the leader is killed', async () => {
    const [a, b] = nodes as [Node, Node];
    // A started first and leads: its runs advance, B's schedule never runs.
    const first = await waitFor(
      () => jobOf(a.api),
      (j) => j?.lastRun !== null,
      5000,
    );
    await waitFor(
      () => jobOf(a.api),
      (j) => j?.lastRun?.startedAt !== first?.lastRun?.startedAt,
      5000,
    );
    expect((await jobOf(b.api))?.lastRun, 'the follower ran nothing').toBeNull();
    // On demand on B while A leads: it runs there (or is refused while A's run holds the job).
    const onDemand = await request(b.api, 'POST', `/api/v1/jobs/${JOB}/run`);
    expect([200, 409]).toContain(onDemand.status);
    if (onDemand.status === 409) expect((onDemand.body as { code: string }).code).toBe('JN_JOB_BUSY');
    const demanded = (await jobOf(b.api))?.lastRun?.startedAt;
    // Two more of A's ticks: B's schedule still runs nothing.
    for (let tick = 0; tick < 2; tick++) {
      const seen = (await jobOf(a.api))?.lastRun?.startedAt;
      await waitFor(
        () => jobOf(a.api),
        (j) => j?.lastRun?.startedAt !== seen,
        5000,
      );
    }
    expect((await jobOf(b.api))?.lastRun?.startedAt, 'the follower ran no scheduled run').toBe(demanded);

    // The leader dies (SIGKILL: its PostgreSQL session ends, and its locks with it): B's schedule runs.
    await a.proc.kill();
    const taken = await waitFor(
      () => jobOf(b.api),
      (j) => j?.lastRun?.startedAt !== demanded,
      5000,
    );
    await waitFor(
      () => jobOf(b.api),
      (j) => j?.lastRun?.startedAt !== taken?.lastRun?.startedAt,
      5000,
    );
  }, 30_000);
});
