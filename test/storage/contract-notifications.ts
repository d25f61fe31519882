import { expect, it } from 'vitest';
import type { Delivery, NotificationConfig } from '../../core/domain/notifications.js';
import type { NotificationStore } from '../../core/storage/store.js';
import { T0 } from './contract-fixtures.js';

const MIN = 60_000;

const CONFIG: NotificationConfig = {
  channels: [
    // Not in id order: the saved order is kept.
    { id: 'wx', kind: 'wecom', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k-1' },
    { id: 'ding', kind: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send?access_token=t', secret: 'SEC-1' },
    { id: 'mail', kind: 'email', to: ['a@example.org', '能源办@example.org'] },
    { id: 'hook', kind: 'webhook', url: 'http://127.0.0.1:9/hook' },
  ],
  routes: [
    { channelId: 'wx', districtIds: ['d1', 'd2'] },
    { channelId: 'ding', types: ['leak', 'spike'], minSeverity: 'high' },
    { channelId: 'mail' },
    { channelId: 'wx', types: ['offline'] },
  ],
};

const delivery = (id: string, atMs: number, extra: Partial<Delivery> = {}): Delivery => ({
  id,
  messageId: `msg-${id}`,
  channelId: 'wx',
  kind: 'wecom',
  attempt: 1,
  atMs,
  durationMs: 12.5,
  status: 'delivered',
  anomalyIds: ['an-1', 'an-2'],
  ...extra,
});

/** Notification channels, routes and deliveries (issue 17, item 4): `NotificationStore`, as every metadata backend keeps it. */
export function notificationCases(store: () => NotificationStore): void {
  it('keeps channels and routes as saved, secrets included, and replaces them whole', async () => {
    expect(await store().config()).toEqual({ channels: [], routes: [] });
    await store().replaceConfig(CONFIG);
    expect(await store().config()).toEqual(CONFIG);
    // The same ids again, changed: a replacement, not an upsert.
    const next: NotificationConfig = {
      channels: [{ id: 'wx', kind: 'wecom', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k-2' }],
      routes: [{ channelId: 'wx', minSeverity: 'low' }],
    };
    await store().replaceConfig(next);
    expect(await store().config()).toEqual(next);
    await store().replaceConfig({ channels: [], routes: [] });
    expect(await store().config()).toEqual({ channels: [], routes: [] });
  });

  it('appends delivery attempts with every outcome field and lists them newest first', async () => {
    const ok = delivery('d-1', T0);
    const retry = delivery('d-2', T0 + MIN, {
      channelId: 'ding',
      kind: 'dingtalk',
      messageId: 'msg-x',
      status: 'retrying',
      httpStatus: 200,
      errcode: 310000,
      error: 'errcode 310000: sign not match',
    });
    const failed = delivery('d-3', T0 + 2 * MIN, {
      channelId: 'mail',
      kind: 'email',
      messageId: 'msg-x',
      attempt: 3,
      status: 'failed',
      smtpResponse: '451 4.3.0 try again later',
      anomalyIds: [],
    });
    await store().addDeliveries([ok, retry]);
    await store().addDeliveries([failed]);
    await store().addDeliveries([]);
    const all = { fromMs: T0, toMs: T0 + 3 * MIN, limit: 100 };
    expect(await store().deliveries(all)).toEqual([failed, retry, ok]);
    await expect(store().addDeliveries([delivery('d-1', T0 + 5 * MIN)])).rejects.toThrow();
    expect(await store().deliveries(all)).toHaveLength(3);
  });

  it('filters deliveries by time [from, to), channel and status in the store, and limits them', async () => {
    const rows = [
      delivery('d-1', T0 - 1),
      delivery('d-2', T0),
      delivery('d-3', T0 + MIN, { channelId: 'ding', kind: 'dingtalk', status: 'failed' }),
      delivery('d-4', T0 + 2 * MIN, { status: 'retrying' }),
      delivery('d-5', T0 + 3 * MIN),
    ];
    await store().addDeliveries(rows);
    const ids = async (q: Partial<Parameters<NotificationStore['deliveries']>[0]>) =>
      (await store().deliveries({ fromMs: T0, toMs: T0 + 3 * MIN, limit: 100, ...q })).map((d) => d.id);
    expect(await ids({})).toEqual(['d-4', 'd-3', 'd-2']);
    expect(await ids({ channelId: 'wx' })).toEqual(['d-4', 'd-2']);
    expect(await ids({ status: 'failed' })).toEqual(['d-3']);
    expect(await ids({ channelId: 'wx', status: 'failed' })).toEqual([]);
    expect(await ids({ limit: 2 })).toEqual(['d-4', 'd-3']);
    // Ties by time: by id, descending.
    await store().addDeliveries([delivery('d-0', T0 + 2 * MIN), delivery('d-9', T0 + 2 * MIN)]);
    expect(await ids({ fromMs: T0 + 2 * MIN })).toEqual(['d-9', 'd-4', 'd-0']);
  });
}
