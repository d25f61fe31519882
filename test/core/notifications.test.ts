import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../core/config.js';
import type { AnomalyEvent } from '../../core/domain/anomalies.js';
import {
  type Channel,
  mergeChannels,
  type NotificationConfig,
  NotificationRoutesInputSchema,
  notificationRoutesView,
  routeAnomalies,
} from '../../core/domain/notifications.js';
import type { Registry } from '../../core/domain/registry.js';
import {
  anomalyMessage,
  districtOfScope,
  ROBOT_MARKDOWN_MAX_BYTES,
  scopeName,
} from '../../core/notifications/message.js';
import { dingTalkSign, scrubber, signedDingTalkUrl } from '../../ingest/alerts/channels.js';
import { notifierSettings } from '../../ingest/alerts/notifier.js';
import { smallCity } from '../helpers/registry.js';

// Only names and the hierarchy are read: the input form (gateway secrets unhashed) serves.
const registry = smallCity() as unknown as Registry;
const T = Date.parse('2026-03-02T02:00:00+08:00');
const H = 3_600_000;

const event = (id: string, over: Partial<AnomalyEvent> = {}): AnomalyEvent => ({
  id,
  type: 'leak',
  scope: 'meter:m-water',
  energy: 'water',
  startMs: T,
  endMs: T + 4 * H,
  severity: 'high',
  evidence: {},
  wastedNative: 3.2,
  wastedKgce: 0,
  status: 'open',
  detectedAtMs: T + 5 * H,
  ...over,
});

describe('notification routing (issue 17, item 4)', () => {
  const channels: Channel[] = [
    { id: 'gulou', kind: 'wecom', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k' },
    { id: 'serious', kind: 'email', to: ['duty@example.org'] },
    { id: 'idle', kind: 'webhook', url: 'https://hooks.example.org/x' },
  ];
  const config: NotificationConfig = {
    channels,
    routes: [
      { channelId: 'gulou', districtIds: ['gulou'] },
      // Two routes to one channel: an anomaly both let through is sent once.
      { channelId: 'serious', minSeverity: 'high' },
      { channelId: 'serious', types: ['leak', 'offline'], minSeverity: 'medium' },
      { channelId: 'idle', types: ['step'] },
    ],
  };

  it('gives each channel the anomalies its routes let through, once each, in order', () => {
    const leak = event('a1');
    const spike = event('a2', { type: 'spike', scope: 'meter:m-hosp', severity: 'medium' });
    const offline = event('a3', { type: 'offline', scope: 'building:b-003', severity: 'medium' });
    const city = event('a4', { type: 'over_target', scope: 'city', severity: 'high' });
    const batches = routeAnomalies(config, [leak, spike, offline, city], (e) => districtOfScope(e.scope, registry));
    expect(batches.map((b) => [b.channel.id, b.anomalies.map((a) => a.id)])).toEqual([
      ['gulou', ['a1', 'a3']],
      ['serious', ['a1', 'a3', 'a4']],
    ]);
  });

  it('finds the district of every kind of scope, and names scopes as people know them', () => {
    expect(districtOfScope('meter:m-hosp', registry)).toBe('xuanwu');
    expect(districtOfScope('building:b-001', registry)).toBe('gulou');
    expect(districtOfScope('institution:i-002', registry)).toBe('gulou');
    expect(districtOfScope('district:xuanwu', registry)).toBe('xuanwu');
    expect(districtOfScope('city', registry)).toBeUndefined();
    expect(districtOfScope('meter:nope', registry)).toBeUndefined();
    expect(scopeName('meter:m-water', registry)).toBe('市行政中心 · 1号楼 · m-water');
    expect(scopeName('institution:i-003', registry)).toBe('人民医院');
    expect(scopeName('district:gulou', registry)).toBe('鼓楼区');
    expect(scopeName('city', registry)).toBe('全市');
  });

  it('keeps a stored URL and secret a body leaves out, removes a secret set to null, names what is missing', () => {
    const stored: Channel[] = [
      { id: 'ding', kind: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send?access_token=t', secret: 'SEC-a' },
    ];
    const view = notificationRoutesView({ channels: stored, routes: [] });
    expect(view.channels).toEqual([
      { id: 'ding', kind: 'dingtalk', urlOrigin: 'https://oapi.dingtalk.com', hasSecret: true },
    ]);
    // GET's answer sent back as it is keeps the credentials.
    const back = NotificationRoutesInputSchema.parse(view);
    expect(mergeChannels(back.channels, stored)).toEqual({ channels: stored, problems: [] });
    expect(mergeChannels([{ id: 'ding', kind: 'dingtalk', secret: null }], stored).channels).toEqual([
      { id: 'ding', kind: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send?access_token=t' },
    ]);
    // Another kind under the same id is a new channel: it needs its URL.
    expect(mergeChannels([{ id: 'ding', kind: 'wecom' }], stored).problems).toEqual([
      { path: 'channels[0].url', message: 'required for a new wecom channel' },
    ]);
  });
});

describe('notification messages', () => {
  const ctx = { registry, timeZone: 'Asia/Shanghai', publicUrl: 'https://jieneng.example.org/' };

  it('says what, where, how serious, when and how much was wasted, with a link to the page, in Chinese', () => {
    const spike = event('a2', {
      type: 'spike',
      scope: 'meter:m-hosp',
      energy: 'electricity',
      severity: 'medium',
      wastedNative: 40,
      wastedKgce: 4.916,
    });
    const m = anomalyMessage([spike, event('a1')], ctx);
    expect(m.title).toBe('【节能平台】2 条新异常：疑似漏水、突增');
    // Most serious first.
    expect(m.markdown.indexOf('疑似漏水（高级）')).toBeLessThan(m.markdown.indexOf('突增（中级）'));
    expect(m.markdown).toContain('> 对象：市行政中心 · 1号楼 · m-water');
    expect(m.markdown).toContain('> 时间：2026-03-02 02:00 至 06:00');
    expect(m.markdown).toContain('> 浪费：约 3.2 m³');
    expect(m.markdown).toContain('> 浪费：约 40 kWh（折 4.92 kgce）');
    expect(m.markdown).toContain(
      '[在平台查看](https://jieneng.example.org/anomalies?type=leak&scope=meter%3Am-water&from=2026-03-02&to=2026-03-03)',
    );
    expect(m.text).toContain('1. 疑似漏水（高级）\n   对象：市行政中心 · 1号楼 · m-water\n   能源：水');
    expect(anomalyMessage([event('a1')], { ...ctx, publicUrl: undefined }).markdown).not.toContain('http');
  });

  it('keeps a robot message within the WeCom limit of 4096 bytes, counting what it leaves out', () => {
    const many = Array.from({ length: 300 }, (_, i) => event(`a${i}`, { startMs: T + i * H, endMs: T + i * H + H }));
    const m = anomalyMessage(many, ctx);
    expect(new TextEncoder().encode(m.markdown).length).toBeLessThanOrEqual(ROBOT_MARKDOWN_MAX_BYTES);
    expect(m.markdown).toMatch(/### 节能平台：300 条新异常/);
    expect(m.markdown).toMatch(/另有 \d+ 条未列出，请在平台查看。/);
    expect(m.text).toContain('100. 疑似漏水');
    expect(m.text).toContain('另有 200 条未列出');
  });
});

describe('DingTalk signed requests and credentials', () => {
  it('signs as DingTalk specifies: Base64 of HMAC-SHA256(secret, timestamp + "\\n" + secret), URL-encoded', () => {
    // The vector of the `dingding` crate's signature test (docs.rs/crate/dingding, src/signature.rs).
    expect(encodeURIComponent(dingTalkSign('secret', 1_700_000_000_000))).toBe(
      'OuzzJR5%2BxZ4%2FEYwqtNt6sMYZQMTa%2FHEGvc9miJe7XzY%3D',
    );
    const url = signedDingTalkUrl('https://oapi.dingtalk.com/robot/send?access_token=t', 'secret', 1_700_000_000_000);
    expect(url).toBe(
      'https://oapi.dingtalk.com/robot/send?access_token=t&timestamp=1700000000000&sign=OuzzJR5%2BxZ4%2FEYwqtNt6sMYZQMTa%2FHEGvc9miJe7XzY%3D',
    );
  });

  it('scrubs a channel’s URL, key and secret from an error text', () => {
    const scrub = scrubber(
      {
        id: 'd',
        kind: 'dingtalk',
        url: 'https://oapi.dingtalk.com/robot/send?access_token=tok-123456',
        secret: 'SEC-9f8e',
      },
      ['smtp-pass-1'],
    );
    expect(scrub('POST https://oapi.dingtalk.com/robot/send?access_token=tok-123456 failed')).toBe('POST *** failed');
    expect(scrub('token tok-123456, secret SEC-9f8e, password smtp-pass-1')).toBe(
      'token ***, secret ***, password ***',
    );
  });
});

describe('notification settings (PUBLIC_URL, SMTP_*, NOTIFY_*)', () => {
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig(env);
      return [];
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as ConfigError).problems.map((p) => p.split(':')[0]);
    }
  };

  it('needs one way to name the SMTP server, a sender, and a user with a password', () => {
    expect(problems({ SMTP_HOST: 'smtp.example.org', SMTP_PASS: 'p' }).sort()).toEqual(['SMTP_FROM', 'SMTP_USER']);
    expect(problems({ SMTP_URL: 'smtp://a@h:25', SMTP_HOST: 'h', SMTP_FROM: 'j@example.org' })).toEqual(['SMTP_HOST']);
    expect(problems({ SMTP_URL: 'https://h', PUBLIC_URL: 'ftp://x', NOTIFY_ATTEMPTS: '0' }).sort()).toEqual([
      'NOTIFY_ATTEMPTS',
      'PUBLIC_URL',
      'SMTP_URL',
    ]);
  });

  it('hands the notifier its settings, bounded by default: 3 attempts, 2 s first back-off, 10 s per attempt', () => {
    expect(notifierSettings(loadConfig({}))).toEqual({ attempts: 3, backoffMs: 2000, timeoutMs: 10_000 });
    const c = loadConfig({
      SMTP_HOST: 'smtp.example.org',
      SMTP_PORT: '465',
      SMTP_USER: 'jieneng',
      SMTP_PASS: 'p',
      SMTP_FROM: '节能平台 <jieneng@example.org>',
      PUBLIC_URL: 'https://jieneng.example.org',
    });
    expect(notifierSettings(c)).toMatchObject({
      publicUrl: 'https://jieneng.example.org',
      smtp: { host: 'smtp.example.org', port: 465, user: 'jieneng', pass: 'p', from: '节能平台 <jieneng@example.org>' },
    });
  });
});
