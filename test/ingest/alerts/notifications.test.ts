import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordFindings } from '../../../ingest/jobs/detection.js';
import type { TestRobot } from '../../helpers/robots.js';
import { smtpSkipReason } from '../../helpers/smtp.js';
import {
  CREDENTIALS,
  DING_SECRET,
  DING_TOKEN,
  dingTalkAnswer,
  finding,
  H,
  HOOK_SECRET,
  type NotifyHarness,
  robotMarkdown,
  signedWithHookSecret,
  startNotifyHarness,
  WX_KEY,
  wecomAnswer,
} from './fixture.js';

interface Problem {
  code: string;
  details: { path: string; message: string }[];
}
interface RoutesView {
  channels: Record<string, unknown>[];
  routes: Record<string, unknown>[];
}

const skip = smtpSkipReason();

/**
 * Routed notifications (issue 17, item 4) against real receivers: HTTP servers acting as a WeCom
 * and a DingTalk group robot (the DingTalk one checks the signature) and a webhook, and a real SMTP
 * server (Debian python3-aiosmtpd) with a login, on a real platform.
 */
describe.skipIf(skip !== undefined)('notification routes: channels, routing, messages, secrets', () => {
  let h: NotifyHarness;
  let wx: TestRobot;
  let ding: TestRobot;
  let hook: TestRobot;
  let config: { channels: unknown[]; routes: unknown[] };
  const t0 = Math.floor(Date.now() / H) * H - 72 * H;

  beforeAll(async () => {
    h = await startNotifyHarness();
    wx = await h.robot(wecomAnswer);
    ding = await h.robot(dingTalkAnswer);
    hook = await h.robot((req) => (signedWithHookSecret(req) ? { status: 204 } : { status: 401 }));
    config = {
      channels: [
        { id: 'wx-gulou', kind: 'wecom', url: wx.url(`/cgi-bin/webhook/send?key=${WX_KEY}`) },
        {
          id: 'ding-serious',
          kind: 'dingtalk',
          url: ding.url(`/robot/send?access_token=${DING_TOKEN}`),
          secret: DING_SECRET,
        },
        { id: 'mail-all', kind: 'email', to: ['energy@example.org', 'duty@example.org'] },
        { id: 'hook-xuanwu', kind: 'webhook', url: hook.url('/jieneng'), secret: HOOK_SECRET },
      ],
      routes: [
        { channelId: 'wx-gulou', districtIds: ['gulou'] },
        { channelId: 'ding-serious', types: ['leak', 'spike'], minSeverity: 'high' },
        { channelId: 'mail-all' },
        { channelId: 'hook-xuanwu', districtIds: ['xuanwu'], minSeverity: 'medium' },
      ],
    };
  });
  afterAll(async () => {
    await h?.close();
  });

  it('refuses bad route bodies with a 400 naming the field, and non-admins with a 403', async () => {
    const wecom = { id: 'w', kind: 'wecom', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k' };
    const cases: [unknown, string][] = [
      [{ channels: [{ id: 'a', kind: 'sms', url: wecom.url }], routes: [] }, 'channels[0].kind'],
      [{ channels: [{ id: 'a', kind: 'wecom' }], routes: [] }, 'channels[0].url'],
      [{ channels: [{ ...wecom, url: 'ftp://example.org/x' }], routes: [] }, 'channels[0].url'],
      [{ channels: [{ ...wecom, secret: 'not for wecom' }], routes: [] }, 'channels[0]'],
      [{ channels: [{ id: 'm', kind: 'email' }], routes: [] }, 'channels[0].to'],
      [{ channels: [{ id: 'm', kind: 'email', to: ['not an address'] }], routes: [] }, 'channels[0].to[0]'],
      [{ channels: [wecom, wecom], routes: [] }, 'channels[1].id'],
      [{ channels: [{ ...wecom, id: 'a/b' }], routes: [] }, 'channels[0].id'],
      [{ channels: [wecom], routes: [{ channelId: 'nope' }] }, 'routes[0].channelId'],
      [{ channels: [wecom], routes: [{ channelId: 'w', districtIds: ['atlantis'] }] }, 'routes[0].districtIds[0]'],
      [{ channels: [wecom], routes: [{ channelId: 'w', districtIds: [] }] }, 'routes[0].districtIds'],
      [{ channels: [wecom], routes: [{ channelId: 'w', types: ['leak', 'ufo'] }] }, 'routes[0].types[1]'],
      [{ channels: [wecom], routes: [{ channelId: 'w', minSeverity: 'urgent' }] }, 'routes[0].minSeverity'],
      [{ channels: [wecom] }, 'routes'],
    ];
    for (const [body, path] of cases) {
      const res = await h.t.api<Problem>('PUT', '/api/v1/notification-routes', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.code).toBe('JN_REQUEST_INVALID');
      expect(
        res.body.details.map((d) => d.path),
        JSON.stringify(res.body),
      ).toContain(path);
    }
    const officer = await h.t.api<{ token: string }>('POST', '/api/v1/tokens', {
      name: 'officer',
      role: 'officer',
      scopes: ['district:gulou'],
    });
    for (const [method, path] of [
      ['PUT', '/api/v1/notification-routes'],
      ['GET', '/api/v1/notification-routes'],
      ['GET', '/api/v1/notification-deliveries?from=2020-01-01&to=2100-01-01'],
    ] as const) {
      const res = await h.t.api<Problem>(method, path, method === 'PUT' ? config : undefined, officer.body.token);
      expect(res.status, path).toBe(403);
    }
    expect((await h.t.api<RoutesView>('GET', '/api/v1/notification-routes')).body).toEqual({
      channels: [],
      routes: [],
    });
  });

  it('saves channels and routes, shows them without secrets or robot keys, and audits the change the same way', async () => {
    const put = await h.t.api<RoutesView>('PUT', '/api/v1/notification-routes', config);
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const got = await h.t.api<RoutesView>('GET', '/api/v1/notification-routes');
    expect(got.body).toEqual(put.body);
    expect(got.body.channels).toEqual([
      { id: 'wx-gulou', kind: 'wecom', urlOrigin: wx.url(''), hasSecret: false },
      { id: 'ding-serious', kind: 'dingtalk', urlOrigin: ding.url(''), hasSecret: true },
      { id: 'mail-all', kind: 'email', hasSecret: false, to: ['energy@example.org', 'duty@example.org'] },
      { id: 'hook-xuanwu', kind: 'webhook', urlOrigin: hook.url(''), hasSecret: true },
    ]);
    expect(got.body.routes).toEqual(config.routes);
    // GET's answer sent back as it is keeps every URL and secret (the deliveries below prove it).
    expect((await h.t.api('PUT', '/api/v1/notification-routes', got.body)).status).toBe(200);
    const audit = await h.t.api<{ audit: { entity: string; before: unknown; after: unknown }[] }>(
      'GET',
      '/api/v1/audit?from=2020-01-01&to=2100-01-01',
    );
    const entries = audit.body.audit.filter((e) => e.entity === 'notification-routes');
    expect(entries).toHaveLength(2);
    expect(entries[0]?.after).toEqual(got.body);
    for (const text of [JSON.stringify(got.body), JSON.stringify(audit.body)])
      for (const secret of CREDENTIALS) expect(text.includes(secret), secret).toBe(false);
  });

  it('sends each channel one message of the new anomalies its routes match, in Chinese, with links', async () => {
    const leak = finding('leak', 'meter:m-water', 'high', t0, 'water', 3.2);
    const spike = finding('spike', 'meter:m-hosp', 'medium', t0, 'electricity', 40);
    const offline = finding('offline', 'meter:m-school', 'low', t0);
    const afterHours = finding('after_hours', 'institution:i-003', 'low', t0, 'electricity', 12);
    const started = Date.now();
    const run = await recordFindings(h.deps, [leak, spike, offline, afterHours]);
    expect(run).toEqual({ found: 4, new: 4 });
    await h.notifier.idle();
    // Gulou's robot: the leak and the offline meter of gulou, not xuanwu's spike.
    expect(wx.requests).toHaveLength(1);
    const wxText = robotMarkdown(wx.requests[0]);
    expect(wxText).toContain('### 节能平台：2 条新异常');
    expect(wxText).toContain('**1. 疑似漏水（高级）**');
    expect(wxText).toContain('> 对象：市行政中心 · 1号楼 · m-water');
    expect(wxText).toContain('> 浪费：约 3.2 m³');
    expect(wxText).toContain('**2. 离线（低级）**');
    expect(wxText).toContain('[在平台查看](https://jieneng.example.org/anomalies?type=leak&scope=meter%3Am-water');
    expect(wxText).not.toContain('突增');
    // DingTalk: leaks and spikes of high severity only; the robot checked the signature.
    expect(ding.requests).toHaveLength(1);
    const dingBody = ding.requests[0]?.body as { markdown: { title: string; text: string } };
    expect(dingBody.markdown.title).toBe('【节能平台】1 条新异常：疑似漏水');
    expect(dingBody.markdown.text).not.toContain('突增');
    // The webhook: xuanwu's anomalies of medium severity and above, signed.
    expect(hook.requests).toHaveLength(1);
    const hookBody = hook.requests[0]?.body as { kind: string; anomalies: { type: string; scope: string }[] };
    expect(hookBody.kind).toBe('jieneng.anomalies');
    expect(hookBody.anomalies.map((a) => [a.type, a.scope])).toEqual([['spike', 'meter:m-hosp']]);
    // E-mail: all four, one message, to both recipients, after logging in.
    expect(h.smtp.messages).toHaveLength(1);
    const mail = h.smtp.messages[0];
    expect(mail?.to).toEqual(['energy@example.org', 'duty@example.org']);
    expect(mail?.login).toBe('jieneng');
    expect(mail?.subject).toBe('【节能平台】4 条新异常：疑似漏水、突增、离线 等');
    expect(mail?.text).toContain('2. 突增（中级）\n   对象：人民医院 · 门诊楼 · m-hosp\n   能源：电');
    expect(mail?.text).toContain('浪费：约 40 kWh（折 4.92 kgce）');
    expect(mail?.text).toContain('4. 非工作时间用能（低级）\n   对象：人民医院');
    // The log: one delivered attempt per channel, with the anomalies it carried.
    const log = await h.deliveries();
    expect(log.map((d) => [d.channelId, d.status, d.attempt, d.anomalyIds.length]).sort()).toEqual([
      ['ding-serious', 'delivered', 1, 1],
      ['hook-xuanwu', 'delivered', 1, 1],
      ['mail-all', 'delivered', 1, 4],
      ['wx-gulou', 'delivered', 1, 2],
    ]);
    const byChannel = Object.fromEntries(log.map((d) => [d.channelId, d]));
    expect(byChannel['ding-serious']).toMatchObject({ kind: 'dingtalk', httpStatus: 200, errcode: 0 });
    expect(byChannel['hook-xuanwu']).toMatchObject({ kind: 'webhook', httpStatus: 204 });
    expect(byChannel['mail-all']?.smtpResponse).toMatch(/^250 /);
    expect(Date.parse(byChannel['wx-gulou']?.at ?? '')).toBeGreaterThanOrEqual(started - 1000);
    expect((await h.deliveries('&channelId=mail-all')).map((d) => d.channelId)).toEqual(['mail-all']);
    expect(await h.deliveries('&status=failed')).toEqual([]);
    // Detection again: nothing new, nothing sent.
    expect(await recordFindings(h.deps, [leak, spike, offline, afterHours])).toEqual({ found: 4, new: 0 });
    await h.notifier.idle();
    expect(wx.requests.length + ding.requests.length + hook.requests.length + h.smtp.messages.length).toBe(4);
  });

  it('sends nothing an anomaly no route matches, and a city-wide one only where no district is asked for', async () => {
    const before = { wx: wx.requests.length, ding: ding.requests.length, mail: h.smtp.messages.length };
    await recordFindings(h.deps, [finding('over_target', 'city', 'high', t0 + H, 'all', 500)]);
    await h.notifier.idle();
    expect(wx.requests.length).toBe(before.wx);
    expect(ding.requests.length).toBe(before.ding);
    expect(h.smtp.messages.length).toBe(before.mail + 1);
    expect(h.smtp.messages.at(-1)?.text).toContain('对象：全市');
    expect(h.smtp.messages.at(-1)?.text).toContain('浪费：约 500 kgce');
  });

  it('keeps every secret, robot key and the SMTP password out of the logs and the delivery log', async () => {
    const deliveries = JSON.stringify(await h.deliveries());
    const logs = h.logs.join('');
    expect(logs).toContain('notification delivered');
    expect(logs).toContain('notification routes replaced');
    for (const secret of CREDENTIALS) {
      expect(logs.includes(secret), `a credential in the logs: ${secret.slice(0, 4)}…`).toBe(false);
      expect(deliveries.includes(secret), `a credential in the delivery log: ${secret.slice(0, 4)}…`).toBe(false);
    }
  });
});
