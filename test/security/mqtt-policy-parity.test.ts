import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MQTT_AUTH_HEADER, mqttAuthRoutes } from '../../api/routes/mqtt-auth.js';
import {
  type MqttAction,
  type MqttPrincipal,
  mayAct,
  mayPublish,
  maySubscribe,
  SERVICE_USERNAME,
  willTopics,
} from '../../core/domain/mqtt-policy.js';
import {
  ALL_READINGS_FILTER,
  ALL_WEATHER_FILTER,
  errorsTopic,
  readingsTopic,
  statusTopic,
  weatherTopic,
  workerGoneTopic,
} from '../../core/domain/topics.js';
import { type Mosquitto, mosquittoSkipReason, startMosquitto } from '../helpers/mosquitto.js';
import { startTestPlatform, TEST_ADMIN_TOKEN, type TestPlatform } from '../helpers/platform.js';
import { smallCity } from '../helpers/registry.js';

/**
 * Issue "Production parity", item 3: one MQTT access policy. Each case of one table is asked of the
 * pure policy, the embedded aedes broker, the EMQX HTTP ACL route and a real Mosquitto running the
 * generated ACL; any of them drifting from the others fails a case.
 */

const INGEST = { user: 'jieneng-ingest', password: 'ingest-password' } as const;
/** The share group `startMosquitto` generates the ACL for (the generator's default). */
const GROUP = 'jieneng';
const EMQX_SECRET = 'emqx-shared-secret-0123456789';

type Login = 'gw-001' | 'gw-002' | 'service' | 'ingest';
const PRINCIPALS: Record<Login, MqttPrincipal> = {
  'gw-001': { kind: 'gateway', gatewayId: 'gw-001' },
  'gw-002': { kind: 'gateway', gatewayId: 'gw-002' },
  service: { kind: 'service' },
  ingest: { kind: 'ingest', shareGroup: GROUP },
};
const USERNAMES: Record<Login, string> = {
  'gw-001': 'gw-001',
  'gw-002': 'gw-002',
  service: SERVICE_USERNAME,
  ingest: INGEST.user,
};

interface Case {
  readonly who: Login;
  readonly action: MqttAction;
  readonly topic: string;
  readonly allow: boolean;
  /** Subscriptions: a topic the filter matches, published to see whether the subscriber gets it (Mosquitto). */
  readonly probe?: string;
  /** Why Mosquitto cannot show this case. */
  readonly notOnMosquitto?: string;
}

const NO_WRITER = 'no Mosquitto login may publish the probe topic (the platform writes errors only on aedes)';
const gone = workerGoneTopic(GROUP);

const CASES: readonly Case[] = [
  { who: 'gw-001', action: 'publish', topic: readingsTopic('gw-001'), allow: true },
  { who: 'gw-001', action: 'publish', topic: statusTopic('gw-001'), allow: true },
  { who: 'gw-001', action: 'publish', topic: readingsTopic('gw-002'), allow: false },
  { who: 'gw-001', action: 'publish', topic: statusTopic('gw-002'), allow: false },
  { who: 'gw-001', action: 'publish', topic: errorsTopic('gw-001'), allow: false },
  // Issue 18, item 1: any gateway may publish weather on its own topic; which station it may feed is ingest's check.
  { who: 'gw-001', action: 'publish', topic: weatherTopic('gw-001'), allow: true },
  { who: 'gw-001', action: 'publish', topic: weatherTopic('gw-002'), allow: false },
  { who: 'service', action: 'publish', topic: weatherTopic('gw-001'), allow: false },
  { who: 'gw-001', action: 'publish', topic: gone, allow: false },
  { who: 'service', action: 'publish', topic: readingsTopic('gw-001'), allow: false },
  { who: 'ingest', action: 'publish', topic: gone, allow: true },
  { who: 'ingest', action: 'publish', topic: readingsTopic('gw-001'), allow: false },
  { who: 'gw-001', action: 'subscribe', topic: errorsTopic('gw-001'), allow: true, notOnMosquitto: NO_WRITER },
  { who: 'gw-001', action: 'subscribe', topic: 'jieneng/v1/gw-001/#', allow: true, probe: statusTopic('gw-001') },
  { who: 'gw-001', action: 'subscribe', topic: statusTopic('gw-001'), allow: true, probe: statusTopic('gw-001') },
  { who: 'gw-001', action: 'subscribe', topic: statusTopic('gw-002'), allow: false, probe: statusTopic('gw-002') },
  { who: 'gw-001', action: 'subscribe', topic: errorsTopic('gw-002'), allow: false, notOnMosquitto: NO_WRITER },
  { who: 'gw-001', action: 'subscribe', topic: ALL_READINGS_FILTER, allow: false, probe: readingsTopic('gw-002') },
  { who: 'gw-001', action: 'subscribe', topic: '#', allow: false, probe: statusTopic('gw-002') },
  { who: 'service', action: 'subscribe', topic: ALL_READINGS_FILTER, allow: true },
  { who: 'service', action: 'subscribe', topic: 'jieneng/v1/#', allow: true },
  { who: 'service', action: 'subscribe', topic: '$SYS/#', allow: true },
  { who: 'service', action: 'subscribe', topic: '#', allow: false },
  { who: 'service', action: 'subscribe', topic: gone, allow: false },
  {
    who: 'ingest',
    action: 'subscribe',
    topic: `$share/${GROUP}/${ALL_READINGS_FILTER}`,
    allow: true,
    probe: readingsTopic('gw-001'),
  },
  { who: 'ingest', action: 'subscribe', topic: ALL_READINGS_FILTER, allow: true, probe: readingsTopic('gw-002') },
  { who: 'ingest', action: 'subscribe', topic: `$share/${GROUP}/${gone}`, allow: true, probe: gone },
  {
    who: 'ingest',
    action: 'subscribe',
    topic: `$share/${GROUP}/${ALL_WEATHER_FILTER}`,
    allow: true,
    probe: weatherTopic('gw-001'),
  },
  { who: 'ingest', action: 'subscribe', topic: ALL_WEATHER_FILTER, allow: true, probe: weatherTopic('gw-002') },
  { who: 'gw-001', action: 'subscribe', topic: ALL_WEATHER_FILTER, allow: false, probe: weatherTopic('gw-002') },
  { who: 'service', action: 'subscribe', topic: ALL_WEATHER_FILTER, allow: true },
  { who: 'ingest', action: 'subscribe', topic: gone, allow: true, probe: gone },
  { who: 'ingest', action: 'subscribe', topic: 'jieneng/v1/+/status', allow: false, probe: statusTopic('gw-001') },
  {
    who: 'ingest',
    action: 'subscribe',
    topic: `$share/other/${ALL_READINGS_FILTER}`,
    allow: false,
    notOnMosquitto: 'its acl_file checks the topic of each delivered message, not the share group',
  },
];

const name = '$who $action $topic → allow: $allow';
const T0 = Date.parse('2026-11-01T08:00:00+08:00');
/** A payload the embedded broker accepts on the topic (status values are checked there). */
const payloadFor = (topic: string, n: number) =>
  topic.endsWith('/status') ? 'online' : JSON.stringify({ meter: 'm-light', ts: T0 + n * 3_600_000, value: n });

/** Messages a client receives, to poll on. */
function inbox(client: MqttClient): Array<{ topic: string; payload: string }> {
  const got: Array<{ topic: string; payload: string }> = [];
  client.on('message', (topic, payload) => got.push({ topic, payload: payload.toString() }));
  return got;
}

/** The SUBACK: granted, or refused with 0x80 (mqtt.js rejects with "Subscribe error"). */
const subscribed = (client: MqttClient, filter: string) =>
  client.subscribeAsync(filter, { qos: 1 }).then(
    (granted) => granted.every((g) => g.qos < 0x80),
    (error: Error) => {
      if (/Subscribe error/.test(error.message)) return false;
      throw error;
    },
  );

describe('the MQTT access policy (pure)', () => {
  it.each(CASES)(name, ({ who, action, topic, allow }) => {
    expect(mayAct(PRINCIPALS[who], action, topic)).toBe(allow);
  });

  it('refuses malformed topics and filters, and shared subscriptions outside the own group', () => {
    const gw = PRINCIPALS['gw-001'];
    expect(mayPublish(gw, 'jieneng/v1/gw-001/+')).toBe(false);
    expect(maySubscribe(gw, 'jieneng/v1/gw-001/#/x')).toBe(false);
    expect(maySubscribe(gw, 'jieneng/v1/gw-001/a#')).toBe(false);
    expect(maySubscribe(gw, `$share/${GROUP}/jieneng/v1/gw-001/errors`)).toBe(false);
    expect(maySubscribe(PRINCIPALS.ingest, `$share//${ALL_READINGS_FILTER}`)).toBe(false);
    expect(maySubscribe(PRINCIPALS.ingest, `$share/${GROUP}/`)).toBe(false);
    expect(maySubscribe(PRINCIPALS.ingest, readingsTopic('gw-001'))).toBe(true);
    expect(maySubscribe(PRINCIPALS.service, '$SYS/broker/uptime')).toBe(true);
  });

  it('lets every principal publish its will topics', () => {
    for (const who of Object.values(PRINCIPALS))
      for (const topic of willTopics(who)) expect(mayPublish(who, topic)).toBe(true);
  });
});

describe('the embedded broker and the EMQX ACL route follow the policy', () => {
  let t: TestPlatform;
  let emqx: FastifyInstance;
  let observer: MqttClient;
  let seen: Array<{ topic: string; payload: string }>;
  const connect = (who: Exclude<Login, 'ingest'>) =>
    who === 'service'
      ? mqtt.connectAsync(`mqtt://127.0.0.1:${t.platform.mqttPort}`, {
          username: SERVICE_USERNAME,
          password: TEST_ADMIN_TOKEN,
          reconnectPeriod: 0,
        })
      : t.connectGateway(who, `secret-${who}`);

  beforeAll(async () => {
    t = await startTestPlatform();
    expect((await t.api('PUT', '/api/v1/registry', smallCity())).status).toBe(200);
    emqx = Fastify();
    await emqx.register(mqttAuthRoutes, {
      registry: t.platform.registry,
      secret: EMQX_SECRET,
      ingest: { username: INGEST.user, password: INGEST.password, shareGroup: GROUP },
      verifyServiceToken: async (token) => token === TEST_ADMIN_TOKEN,
    });
    observer = await connect('service');
    seen = inbox(observer);
    expect(await subscribed(observer, 'jieneng/v1/#')).toBe(true);
  });
  afterAll(async () => {
    await observer?.endAsync(true);
    await emqx?.close();
    await t?.close();
  });

  it('EMQX: logs in the service login with an admin token only', async () => {
    const auth = async (password: string) =>
      (
        await emqx.inject({
          method: 'POST',
          url: '/api/v1/mqtt/auth',
          headers: { [MQTT_AUTH_HEADER]: EMQX_SECRET },
          payload: { username: SERVICE_USERNAME, password },
        })
      ).json<{ result: string }>().result;
    expect(await auth(TEST_ADMIN_TOKEN)).toBe('allow');
    expect(await auth('not-a-token')).toBe('deny');
    expect(await auth('')).toBe('deny');
  });

  it.each(CASES)(`EMQX: ${name}`, async ({ who, action, topic, allow }) => {
    const res = await emqx.inject({
      method: 'POST',
      url: '/api/v1/mqtt/acl',
      headers: { [MQTT_AUTH_HEADER]: EMQX_SECRET },
      payload: { username: USERNAMES[who], topic, action, clientid: `${who}-parity` },
    });
    expect(res.json()).toEqual({ result: allow ? 'allow' : 'deny' });
  });

  // The ingest workers have no login on the embedded broker: they run in the same process.
  it.each(CASES.filter((c) => c.who !== 'ingest').map((c, n) => ({ ...c, n })))(
    `aedes: ${name}`,
    async ({ who, action, topic, allow, n }) => {
      const client = await connect(who as Exclude<Login, 'ingest'>);
      try {
        if (action === 'subscribe') {
          expect(await subscribed(client, topic)).toBe(allow);
          return;
        }
        seen.length = 0;
        const payload = payloadFor(topic, n);
        if (allow) {
          // The service observer reads all of jieneng/v1/, where every allowed publish here goes.
          expect(maySubscribe(PRINCIPALS.service, topic)).toBe(true);
          await client.publishAsync(topic, payload, { qos: 1 });
          await expect.poll(() => seen.some((m) => m.topic === topic && m.payload === payload)).toBe(true);
        } else {
          // A refused publish closes the connection (aedes: an authorizePublish error).
          const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
          client.publish(topic, payload, { qos: 1 }, () => undefined);
          await closed;
          expect(seen.some((m) => m.topic === topic && m.payload === payload)).toBe(false);
        }
      } finally {
        await client.endAsync(true);
      }
    },
  );
});

const skip = mosquittoSkipReason('MQTT policy parity test');

/**
 * Mosquitto 2.0's acl_file grants every SUBACK and drops, per delivered message, what the
 * subscriber may not read, and drops unauthorised publishes silently. So each case looks at
 * deliveries: a probe message, then a sentinel the reader publishes on its own will topic (which
 * it may write and read); the broker delivers in order, so once the sentinel is in, the probe is in
 * too or never comes.
 */
describe.skipIf(skip !== undefined)('Mosquitto with the generated ACL follows the policy', () => {
  let dir: string;
  let broker: Mosquitto;
  const opened: MqttClient[] = [];
  const logins = ['gw-001', 'gw-002', 'ingest'] as const;
  type MosquittoLogin = (typeof logins)[number];
  const connect = async (who: MosquittoLogin) => {
    const client = await mqtt.connectAsync(broker.url, {
      username: USERNAMES[who],
      password: who === 'ingest' ? INGEST.password : `secret-${who}`,
      clientId: `${who}-${Math.random().toString(16).slice(2)}`,
      reconnectPeriod: 0,
    });
    opened.push(client);
    return client;
  };
  /** The first login the policy lets do `can`. */
  const loginWho = (can: (p: MqttPrincipal) => boolean): MosquittoLogin | undefined =>
    logins.find((l) => can(PRINCIPALS[l]));
  /** Publishes a sentinel on `reader`'s will topic and waits for it: earlier deliveries are in. */
  const settle = async (reader: MqttClient, got: ReturnType<typeof inbox>, who: MosquittoLogin, n: number) => {
    const [echo] = willTopics(PRINCIPALS[who]);
    if (echo === undefined) throw new Error(`${who} has no will topic`);
    expect(await subscribed(reader, echo)).toBe(true);
    const sentinel = `sentinel-${n}`;
    await reader.publishAsync(echo, sentinel, { qos: 1 });
    await expect.poll(() => got.some((m) => m.payload === sentinel)).toBe(true);
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jieneng-policy-'));
    broker = await startMosquitto(dir, smallCity(), INGEST);
  });
  afterAll(async () => {
    await Promise.all(opened.map((c) => c.endAsync(true).catch(() => undefined)));
    await broker?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  // The service login exists only where API tokens are checked (aedes, EMQX): Mosquitto has no password for it.
  const cases = CASES.filter((c) => c.who !== 'service' && c.notOnMosquitto === undefined).map((c, n) => ({ ...c, n }));
  it.each(cases)(`mosquitto: ${name}`, async ({ who, action, topic, allow, probe, n }) => {
    const marker = `probe-${n}`;
    if (action === 'publish') {
      const readerWho = loginWho((p) => maySubscribe(p, topic));
      if (readerWho === undefined) throw new Error(`nobody may read ${topic}: nothing to observe`);
      const reader = await connect(readerWho);
      const got = inbox(reader);
      expect(await subscribed(reader, topic)).toBe(true);
      await (await connect(who as MosquittoLogin)).publishAsync(topic, marker, { qos: 1 });
      await settle(reader, got, readerWho, n);
      expect(got.some((m) => m.topic === topic && m.payload === marker)).toBe(allow);
      return;
    }
    if (probe === undefined) throw new Error('a subscription case needs a probe topic');
    const writerWho = loginWho((p) => mayPublish(p, probe));
    if (writerWho === undefined) throw new Error(`nobody may publish ${probe}`);
    const subscriber = await connect(who as MosquittoLogin);
    const got = inbox(subscriber);
    const granted = await subscribed(subscriber, topic);
    await (await connect(writerWho)).publishAsync(probe, marker, { qos: 1 });
    await settle(subscriber, got, who as MosquittoLogin, n);
    expect(granted && got.some((m) => m.topic === probe && m.payload === marker)).toBe(allow);
  });
});
