import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readingsTopic } from '../../../core/domain/topics.js';
import { Notifier, notifierSettings } from '../../../ingest/alerts/notifier.js';
import { type DetectionDeps, recordFindings } from '../../../ingest/jobs/detection.js';
import type { TestRobot } from '../../helpers/robots.js';
import { smtpSkipReason } from '../../helpers/smtp.js';
import {
  BACKOFF_MS,
  type DeliveryOut,
  DING_SECRET,
  DING_TOKEN,
  finding,
  H,
  type NotifyHarness,
  robotMarkdown,
  startNotifyHarness,
  TIMEOUT_MS,
  WX_KEY,
  wecomAnswer,
} from './fixture.js';

const skip = smtpSkipReason();

/**
 * Failing channels (issue 17, item 4): a robot answering 500 and then a non-zero errcode, one that
 * is down for good, one that never answers, an SMTP server that greylists: each is retried with
 * back-off a bounded number of times and every attempt logged, while the others deliver and the
 * detection job goes on. Then the platform's own wiring: a detection job run through the API.
 */
describe.skipIf(skip !== undefined)('notification deliveries that fail: retries, timeouts, the log', () => {
  let h: NotifyHarness;
  let flaky: TestRobot;
  let down: TestRobot;
  let hang: TestRobot;
  let ok: TestRobot;
  const t0 = Math.floor(Date.now() / H) * H - 72 * H;
  const wecom = (id: string, robot: TestRobot) => ({
    id,
    kind: 'wecom',
    url: robot.url(`/cgi-bin/webhook/send?key=${WX_KEY}`),
  });
  const of = (log: DeliveryOut[], channelId: string) =>
    log.filter((d) => d.channelId === channelId).sort((a, b) => a.attempt - b.attempt);

  beforeAll(async () => {
    h = await startNotifyHarness();
    flaky = await h.robot((req, i) =>
      i === 0
        ? { status: 500 }
        : i === 1
          ? { json: { errcode: 45009, errmsg: 'api freq out of limit' } }
          : wecomAnswer(req),
    );
    down = await h.robot(() => ({ status: 502, json: { message: 'bad gateway' } }));
    hang = await h.robot(() => 'hang');
    ok = await h.robot(wecomAnswer);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('retries a failing robot and a greylisting SMTP server, gives up after 3 attempts, times out a hanging robot, and holds nobody up', async () => {
    const put = await h.t.api('PUT', '/api/v1/notification-routes', {
      channels: [
        wecom('flaky', flaky),
        { id: 'down', kind: 'dingtalk', url: down.url(`/robot/send?access_token=${DING_TOKEN}`), secret: DING_SECRET },
        wecom('hang', hang),
        { id: 'greylist', kind: 'email', to: ['greylist-duty@example.org'] },
        wecom('ok', ok),
      ],
      routes: ['flaky', 'down', 'hang', 'greylist', 'ok'].map((channelId) => ({ channelId })),
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const started = performance.now();
    await recordFindings(h.deps, [finding('spike', 'meter:m-light', 'high', t0, 'electricity', 20)]);
    // The detection job hands the anomalies over: waiting for the robot that never answers would
    // take three timeouts and two back-offs.
    expect(performance.now() - started).toBeLessThan(3 * TIMEOUT_MS);
    await h.notifier.idle();
    const log = await h.deliveries();

    const flakyLog = of(log, 'flaky');
    expect(flakyLog.map((d) => [d.attempt, d.status, d.httpStatus, d.errcode ?? null])).toEqual([
      [1, 'retrying', 500, null],
      [2, 'retrying', 200, 45009],
      [3, 'delivered', 200, 0],
    ]);
    expect(flakyLog[0]?.error).toBe('HTTP 500');
    expect(flakyLog[1]?.error).toBe('errcode 45009: api freq out of limit');
    expect(new Set(flakyLog.map((d) => d.messageId)).size).toBe(1);

    // Bounded: three attempts, spaced by the back-off (doubled), then given up.
    expect(of(log, 'down').map((d) => [d.attempt, d.status, d.httpStatus])).toEqual([
      [1, 'retrying', 502],
      [2, 'retrying', 502],
      [3, 'failed', 502],
    ]);
    expect(down.requests).toHaveLength(3);
    const at = down.requests.map((r) => r.atMs);
    expect((at[1] ?? 0) - (at[0] ?? 0)).toBeGreaterThanOrEqual(BACKOFF_MS);
    expect((at[2] ?? 0) - (at[1] ?? 0)).toBeGreaterThanOrEqual(2 * BACKOFF_MS);

    const hangLog = of(log, 'hang');
    expect(hangLog.map((d) => d.status)).toEqual(['retrying', 'retrying', 'failed']);
    expect(hang.requests).toHaveLength(3);
    for (const d of hangLog) {
      expect(d.error).toBe(`no answer within ${TIMEOUT_MS} ms`);
      expect(d.httpStatus).toBeUndefined();
      expect(d.durationMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    }

    // SMTP 451 (try again later) is retried; the second attempt is accepted.
    expect(of(log, 'greylist').map((d) => [d.status, d.smtpResponse?.slice(0, 3)])).toEqual([
      ['retrying', '451'],
      ['delivered', '250'],
    ]);
    expect(h.smtp.messages.map((m) => m.to)).toEqual([['greylist-duty@example.org']]);

    // The healthy robot (listed after the hanging one) had its message before the hanging one's last attempt.
    const [delivered] = of(log, 'ok');
    expect(delivered?.status).toBe('delivered');
    expect(ok.requests).toHaveLength(1);
    expect(Date.parse(delivered?.at ?? '') + (delivered?.durationMs ?? 0)).toBeLessThan(
      Date.parse(hangLog[2]?.at ?? ''),
    );
    expect((await h.deliveries('&status=failed')).map((d) => d.channelId).sort()).toEqual(['down', 'hang']);
    expect((await h.deliveries('&channelId=flaky&status=retrying')).map((d) => d.attempt)).toEqual([2, 1]);
  });

  it('cuts an attempt in flight short when it stops, and logs it as the last', async () => {
    await h.t.api('PUT', '/api/v1/notification-routes', {
      channels: [wecom('hang', hang)],
      routes: [{ channelId: 'hang' }],
    });
    const { config, store, registry } = h.t.platform;
    // A timeout far longer than the test: only the stop ends the attempt.
    const notifier = new Notifier({
      store: store.notifications,
      registry,
      timeZone: config.TIMEZONE,
      logger: pino({ level: 'silent' }),
      ...notifierSettings(config),
      timeoutMs: 60_000,
    });
    const deps: DetectionDeps = { ...h.deps, notifier };
    const requests = hang.requests.length;
    await recordFindings(deps, [finding('flat', 'meter:m-hvac', 'medium', t0 + H)]);
    await expect.poll(() => hang.requests.length).toBe(requests + 1);
    const stopping = performance.now();
    await notifier.stop();
    expect(performance.now() - stopping).toBeLessThan(1000);
    const [last] = await h.deliveries('&channelId=hang');
    expect(last).toMatchObject({ attempt: 1, status: 'failed', error: 'stopped: the platform is shutting down' });
  });

  it('sends what the platform’s own detection job finds, through the platform’s notifier', async () => {
    const robot = await h.robot(wecomAnswer);
    const put = await h.t.api('PUT', '/api/v1/notification-routes', {
      channels: [wecom('targets', robot)],
      routes: [{ channelId: 'targets', types: ['over_target'] }],
    });
    expect(put.status).toBe(200);
    // m-hvac (市行政中心, gulou): 10 kWh an hour for ten days, against a monthly target of 50 kWh.
    const gw = await h.t.connectGateway('gw-001', 'secret-gw-001');
    const start = Math.floor(Date.now() / H) * H - 10 * 24 * H;
    const readings = Array.from({ length: 241 }, (_, i) => ({ meter: 'm-hvac', ts: start + i * H, value: 10 * i }));
    for (let i = 0; i < readings.length; i += 100)
      await gw.publishAsync(readingsTopic('gw-001'), JSON.stringify({ readings: readings.slice(i, i + 100) }), {
        qos: 1,
      });
    await h.t.platform.pipeline.drain();
    const local = new Date(Date.now() + 8 * H);
    const month = `${local.getUTCFullYear()}-${String(local.getUTCMonth() + 1).padStart(2, '0')}`;
    const target = { scope: 'institution:i-001', energy: 'electricity', period: month, value: 50, unit: 'kWh' };
    expect((await h.t.api('PUT', '/api/v1/targets', { targets: [target] })).status).toBe(200);
    const run = await h.t.api<{ lastRun: { outcome: string; detail: { new: number } } }>(
      'POST',
      '/api/v1/jobs/detect-targets/run',
    );
    expect(run.body.lastRun, JSON.stringify(run.body)).toMatchObject({ outcome: 'ok', detail: { new: 1 } });
    await expect.poll(() => robot.requests.length).toBe(1);
    const content = robotMarkdown(robot.requests[0]);
    expect(content).toContain('预计超目标（高级）');
    expect(content).toContain('> 对象：市行政中心');
    await expect
      .poll(async () => (await h.deliveries('&channelId=targets')).map((d) => d.status))
      .toEqual(['delivered']);
  });
});
