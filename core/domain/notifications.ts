/**
 * Notifications of new anomalies (issue 17, item 4): channels (WeCom and DingTalk group robots,
 * e-mail, a plain webhook), routes that pick anomalies for a channel by district, type and
 * severity, and the delivery log. Pure: schemas and the rules over them.
 */
import { z } from 'zod';
import { IdSchema } from './registry.js';

/** How a channel is reached. */
export const ChannelKindSchema = z.enum(['wecom', 'dingtalk', 'email', 'webhook']);
export type ChannelKind = z.infer<typeof ChannelKindSchema>;

/** An anomaly's severity, lowest first. */
export const SeveritySchema = z.enum(['low', 'medium', 'high']);
export type Severity = z.infer<typeof SeveritySchema>;

/** A severity's rank: a route's `minSeverity` lets through its own rank and above. */
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { low: 0, medium: 1, high: 2 };

/** Chinese names of the anomaly types the detectors record (as the page names them, web/src/labels.ts). */
export const ANOMALY_TYPE_NAMES_ZH: Readonly<Record<string, string>> = {
  over_target: '预计超目标',
  after_hours: '非工作时间用能',
  spike: '突增',
  flat: '读数不变',
  offline: '离线',
  continuous: '持续运行',
  leak: '疑似漏水',
  step: '基础负荷突变',
  implausible: '不合理跳变',
  weather_baseline: '超出天气基线',
  imbalance: '总分表不平衡',
};

const HttpUrlSchema = z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }).max(2000);
/** A signing secret: a string to set it, null to remove it, absent to keep the stored one. */
const SecretInputSchema = z.string().min(1).max(256).nullable().optional();

/** What GET shows instead of a channel's credentials; taken back and ignored. */
const SHOWN = {
  urlOrigin: z.string().max(2000).optional().describe('as GET shows it; ignored'),
  hasSecret: z.boolean().optional().describe('as GET shows it; ignored'),
};

/**
 * A channel as `PUT /api/v1/notification-routes` takes it. `url` and `secret` may be left out for
 * a channel stored before under the same id and kind: the stored ones are kept (GET never shows
 * them, so a body read back from GET can be sent again as it is).
 */
export const ChannelInputSchema = z.discriminatedUnion('kind', [
  z.strictObject({ id: IdSchema, kind: z.literal('wecom'), url: HttpUrlSchema.optional(), ...SHOWN }),
  z.strictObject({
    ...SHOWN,
    id: IdSchema,
    kind: z.literal('dingtalk'),
    url: HttpUrlSchema.optional(),
    secret: SecretInputSchema.describe('the robot’s 加签 secret (SEC…); requests are then signed'),
  }),
  z.strictObject({ id: IdSchema, kind: z.literal('email'), to: z.array(z.email()).min(1).max(50), ...SHOWN }),
  z.strictObject({
    ...SHOWN,
    id: IdSchema,
    kind: z.literal('webhook'),
    url: HttpUrlSchema.optional(),
    secret: SecretInputSchema.describe('signs the body: X-Jieneng-Signature: sha256=<HMAC hex>'),
  }),
]);
export type ChannelInput = z.infer<typeof ChannelInputSchema>;

/** A channel as stored: robots and webhooks with their URL, e-mail with its recipients. */
export const ChannelSchema = z.object({
  id: IdSchema,
  kind: ChannelKindSchema,
  url: HttpUrlSchema.optional(),
  secret: z.string().min(1).max(256).optional(),
  to: z.array(z.email()).min(1).max(50).optional(),
});
export type Channel = z.infer<typeof ChannelSchema>;

/** Which anomalies a channel gets; a filter left out lets every anomaly through. */
export const RouteSchema = z.strictObject({
  channelId: IdSchema,
  districtIds: z.array(IdSchema).min(1, 'omit districtIds to match every district').max(1000).optional(),
  types: z.array(z.string().min(1).max(64)).min(1, 'omit types to match every type').max(100).optional(),
  minSeverity: SeveritySchema.optional(),
});
export type Route = z.infer<typeof RouteSchema>;

/** The body of `PUT /api/v1/notification-routes`: every channel and route, replaced whole. */
export const NotificationRoutesInputSchema = z.strictObject({
  channels: z.array(ChannelInputSchema).max(100),
  routes: z.array(RouteSchema).max(1000),
});
export type NotificationRoutesInput = z.infer<typeof NotificationRoutesInputSchema>;

/** Channels and routes as stored (secrets included). */
export interface NotificationConfig {
  readonly channels: readonly Channel[];
  readonly routes: readonly Route[];
}

/** An empty configuration: nothing is sent. */
export const EMPTY_NOTIFICATION_CONFIG: NotificationConfig = Object.freeze({ channels: [], routes: [] });

/** A channel as the API shows it: the URL's origin only, never a secret. */
export const ChannelViewSchema = z.object({
  id: z.string(),
  kind: ChannelKindSchema,
  urlOrigin: z.string().optional().describe('the URL’s origin only: the rest of a robot URL is its credential'),
  hasSecret: z.boolean(),
  to: z.array(z.string()).optional(),
});
export type ChannelView = z.infer<typeof ChannelViewSchema>;

/** What `GET /api/v1/notification-routes` answers. */
export const NotificationRoutesViewSchema = z.object({
  channels: z.array(ChannelViewSchema),
  routes: z.array(RouteSchema),
});
export type NotificationRoutesView = z.infer<typeof NotificationRoutesViewSchema>;

/**
 * An attempt's outcome: `delivered`; `retrying` (it failed, another attempt follows); `failed` (it
 * failed and was the last attempt: the message was not delivered).
 */
export const DeliveryStatusSchema = z.enum(['delivered', 'retrying', 'failed']);
export type DeliveryStatus = z.infer<typeof DeliveryStatusSchema>;

/** One attempt to deliver one message to one channel, as the delivery log keeps it. */
export const DeliverySchema = z.object({
  id: z.string(),
  /** Shared by the attempts of one message. */
  messageId: z.string(),
  channelId: z.string(),
  kind: ChannelKindSchema,
  /** 1 for the first attempt. */
  attempt: z.number().int().min(1),
  atMs: z.number(),
  durationMs: z.number().min(0),
  status: DeliveryStatusSchema,
  /** The anomalies the message carried. */
  anomalyIds: z.array(z.string()),
  httpStatus: z.number().int().optional(),
  /** A robot's `errcode` (0: accepted). */
  errcode: z.number().int().optional(),
  /** The SMTP server's last reply, e.g. `250 OK`. */
  smtpResponse: z.string().optional(),
  /** Why it failed, with any secret or robot URL removed. */
  error: z.string().optional(),
});
export type Delivery = z.infer<typeof DeliverySchema>;

/** A problem of a request field. */
interface Problem {
  readonly path: string;
  readonly message: string;
}

/**
 * The stored channels from the input ones: a `url` or `secret` left out is taken from the stored
 * channel of the same id and kind (`secret: null` removes it). Problems name the field
 * (`channels[2].url`).
 */
export function mergeChannels(
  input: readonly ChannelInput[],
  stored: readonly Channel[],
): { channels: Channel[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  const channels = input.map((c, i): Channel => {
    if (seen.has(c.id)) problems.push({ path: `channels[${i}].id`, message: `duplicate channel id "${c.id}"` });
    seen.add(c.id);
    if (c.kind === 'email') return { id: c.id, kind: c.kind, to: [...c.to] };
    const before = stored.find((s) => s.id === c.id && s.kind === c.kind);
    const url = c.url ?? before?.url;
    if (url === undefined)
      problems.push({ path: `channels[${i}].url`, message: `required for a new ${c.kind} channel` });
    const secret = c.kind === 'wecom' || c.secret === null ? undefined : (c.secret ?? before?.secret);
    return { id: c.id, kind: c.kind, url: url ?? '', ...(secret === undefined ? {} : { secret }) };
  });
  return { channels, problems };
}

/** Routes to unknown channels, districts or anomaly types, each naming its field. */
export function routeProblems(
  routes: readonly Route[],
  channels: readonly Channel[],
  districtIds: ReadonlySet<string>,
): Problem[] {
  const ids = new Set(channels.map((c) => c.id));
  return routes.flatMap((r, i) => [
    ...(ids.has(r.channelId) ? [] : [{ path: `routes[${i}].channelId`, message: `unknown channel "${r.channelId}"` }]),
    ...(r.districtIds ?? []).flatMap((d, j) =>
      districtIds.has(d) ? [] : [{ path: `routes[${i}].districtIds[${j}]`, message: `unknown district "${d}"` }],
    ),
    ...(r.types ?? []).flatMap((t, j) =>
      t in ANOMALY_TYPE_NAMES_ZH ? [] : [{ path: `routes[${i}].types[${j}]`, message: `unknown anomaly type "${t}"` }],
    ),
  ]);
}

/** A URL's origin (`https://qyapi.weixin.qq.com`): a robot's path and query hold its key. */
export function urlOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid URL)';
  }
}

/** The configuration as the API and the audit log show it: no secret, no robot key. */
export function notificationRoutesView(config: NotificationConfig): NotificationRoutesView {
  return {
    channels: config.channels.map((c) => ({
      id: c.id,
      kind: c.kind,
      ...(c.url === undefined ? {} : { urlOrigin: urlOrigin(c.url) }),
      hasSecret: c.secret !== undefined,
      ...(c.to === undefined ? {} : { to: [...c.to] }),
    })),
    routes: config.routes.map((r) => ({ ...r })),
  };
}

/** What routing needs to know of an anomaly. */
export interface RoutedAnomaly {
  readonly type: string;
  readonly severity: Severity;
}

/** Whether a route lets an anomaly of this district (undefined: city-wide) through. */
export function routeMatches(route: Route, anomaly: RoutedAnomaly, districtId: string | undefined): boolean {
  if (route.types !== undefined && !route.types.includes(anomaly.type)) return false;
  if (route.minSeverity !== undefined && SEVERITY_RANK[anomaly.severity] < SEVERITY_RANK[route.minSeverity])
    return false;
  return route.districtIds === undefined || (districtId !== undefined && route.districtIds.includes(districtId));
}

/**
 * The anomalies each channel gets, in the input order, each at most once however many of its
 * routes match; channels that get none are left out.
 */
export function routeAnomalies<A extends RoutedAnomaly>(
  config: NotificationConfig,
  anomalies: readonly A[],
  districtOf: (anomaly: A) => string | undefined,
): { channel: Channel; anomalies: A[] }[] {
  return config.channels
    .map((channel) => {
      const routes = config.routes.filter((r) => r.channelId === channel.id);
      return { channel, anomalies: anomalies.filter((a) => routes.some((r) => routeMatches(r, a, districtOf(a)))) };
    })
    .filter((batch) => batch.anomalies.length > 0);
}
