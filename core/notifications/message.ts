/**
 * The text of anomaly notifications (issue 17, item 4), in Chinese: what, where, how serious,
 * when, how much was wasted, and a link to the page when PUBLIC_URL is set. One batch of anomalies
 * becomes one message per channel: markdown for the group robots, plain text for e-mail.
 */
import type { AnomalyEvent } from '../domain/anomalies.js';
import { ENERGY_INFO, type Energy } from '../domain/energy.js';
import { ANOMALY_TYPE_NAMES_ZH, type Severity } from '../domain/notifications.js';
import type { Registry } from '../domain/registry.js';
import { parseScope } from '../domain/scope.js';
import { localParts } from '../domain/time.js';

/** What naming and dating anomalies needs. */
export interface MessageContext {
  readonly registry: Registry;
  readonly timeZone: string;
  /** The page's public address (`PUBLIC_URL`); without it messages carry no links. */
  readonly publicUrl?: string;
}

/** A message for every kind of channel. */
export interface NotificationMessage {
  /** Subject of an e-mail, title of a DingTalk message. */
  readonly title: string;
  /** Markdown for the robots, within `ROBOT_MARKDOWN_MAX_BYTES`. */
  readonly markdown: string;
  /** Plain text for e-mail. */
  readonly text: string;
}

/**
 * Longest robot markdown, in UTF-8 bytes: a WeCom group robot takes at most 4096 bytes of markdown
 * content (企业微信 群机器人 API), the smaller of the two robots' limits; a margin is kept.
 */
export const ROBOT_MARKDOWN_MAX_BYTES = 4000;
/** Anomalies listed one by one in one message at most; the rest are counted. */
export const MAX_LISTED = 20;

const SEVERITY_ZH: Readonly<Record<Severity, string>> = { high: '高', medium: '中', low: '低' };
const UNIT_SYMBOL: Readonly<Record<string, string>> = { m3: 'm³' };

/** The district of a scope (`meter:ID`, `building:ID`, `institution:ID`, `district:ID`); undefined for `city` or an unknown id. */
export function districtOfScope(scope: string, registry: Registry): string | undefined {
  const s = parseScope(scope);
  if (s === undefined || s.level === 'city') return undefined;
  if (s.level === 'district') return s.id;
  const buildingId = s.level === 'meter' ? registry.meters.find((m) => m.id === s.id)?.buildingId : s.id;
  const institutionId =
    s.level === 'institution' ? s.id : registry.buildings.find((b) => b.id === buildingId)?.institutionId;
  return registry.institutions.find((i) => i.id === institutionId)?.districtId;
}

/** A scope's name as people know it: `市行政中心 · 1号楼 · 照明电表` (ids where there are no names). */
export function scopeName(scope: string, registry: Registry): string {
  const s = parseScope(scope);
  if (s === undefined) return scope;
  if (s.level === 'city') return '全市';
  if (s.level === 'district') return registry.districts.find((d) => d.id === s.id)?.name ?? s.id;
  const meter = s.level === 'meter' ? registry.meters.find((m) => m.id === s.id) : undefined;
  const buildingId = s.level === 'meter' ? meter?.buildingId : s.level === 'building' ? s.id : undefined;
  const building = registry.buildings.find((b) => b.id === buildingId);
  const institutionId = s.level === 'institution' ? s.id : building?.institutionId;
  const institution = registry.institutions.find((i) => i.id === institutionId);
  const parts = [institution?.name ?? institutionId, building?.name, meter === undefined ? undefined : meter.name];
  const name = parts.filter((p): p is string => p !== undefined && p !== '').join(' · ');
  return s.level === 'meter' ? `${name === '' ? '' : `${name} · `}${s.id}` : name || s.id;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `YYYY-MM-DD HH:mm` in the zone. */
function localText(ms: number, timeZone: string): string {
  const p = localParts(ms, timeZone);
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}`;
}

/** Three significant figures at most, no exponent. */
function amount(x: number): string {
  return x >= 100 ? String(Math.round(x)) : String(Number(x.toPrecision(3)));
}

/** The estimated waste: native unit and kgce, `—` when none was estimated. */
function wasteText(e: AnomalyEvent): string {
  if (!(e.wastedNative > 0)) return '—';
  if (!(e.energy in ENERGY_INFO)) return `约 ${amount(e.wastedKgce)} kgce`;
  const info = ENERGY_INFO[e.energy as Energy];
  const native = `约 ${amount(e.wastedNative)} ${UNIT_SYMBOL[info.nativeUnit] ?? info.nativeUnit}`;
  return info.countsAsEnergy && info.nativeUnit !== 'kgce' ? `${native}（折 ${amount(e.wastedKgce)} kgce）` : native;
}

/** The page of the anomaly: the anomalies list filtered to its type, scope and days. */
export function anomalyLink(e: AnomalyEvent, ctx: MessageContext): string | undefined {
  if (ctx.publicUrl === undefined) return undefined;
  const day = (ms: number) => localText(ms, ctx.timeZone).slice(0, 10);
  const query = new URLSearchParams({
    type: e.type,
    scope: e.scope,
    from: day(e.startMs),
    to: day(e.endMs + 86_400_000),
  });
  return `${ctx.publicUrl.replace(/\/+$/, '')}/anomalies?${query.toString()}`;
}

/** The fields of one anomaly, as label and text. */
function fields(e: AnomalyEvent, ctx: MessageContext): [string, string][] {
  const start = localText(e.startMs, ctx.timeZone);
  const end = localText(e.endMs, ctx.timeZone);
  const energy = e.energy in ENERGY_INFO ? ENERGY_INFO[e.energy as Energy].nameZh : '综合能耗';
  return [
    ['对象', scopeName(e.scope, ctx.registry)],
    ['能源', energy],
    ['时间', `${start} 至 ${end.slice(0, 10) === start.slice(0, 10) ? end.slice(11) : end}`],
    ['浪费', wasteText(e)],
  ];
}

const typeName = (type: string) => ANOMALY_TYPE_NAMES_ZH[type] ?? type;
const heading = (e: AnomalyEvent) => `${typeName(e.type)}（${SEVERITY_ZH[e.severity]}级）`;

/** Most serious first, then earliest. */
function ordered(events: readonly AnomalyEvent[]): AnomalyEvent[] {
  const rank: Record<Severity, number> = { high: 0, medium: 1, low: 2 };
  return [...events].sort((a, b) => rank[a.severity] - rank[b.severity] || a.startMs - b.startMs);
}

function markdownOf(events: readonly AnomalyEvent[], listed: number, ctx: MessageContext): string {
  const blocks = events.slice(0, listed).map((e, i) => {
    const link = anomalyLink(e, ctx);
    return [
      `**${i + 1}. ${heading(e)}**`,
      ...fields(e, ctx).map(([k, v]) => `> ${k}：${v}`),
      ...(link === undefined ? [] : [`> [在平台查看](${link})`]),
    ].join('\n');
  });
  const rest = events.length - listed;
  return [
    `### 节能平台：${events.length} 条新异常`,
    ...blocks,
    ...(rest > 0 ? [`另有 ${rest} 条未列出，请在平台查看。`] : []),
  ].join('\n\n');
}

const utf8 = new TextEncoder();
/** A text's length in UTF-8 bytes. */
const bytes = (text: string) => utf8.encode(text).length;

/** Cuts a text to at most `maxBytes` of UTF-8, on a character boundary. */
function cutBytes(text: string, maxBytes: number): string {
  let chars = Array.from(text);
  while (bytes(chars.join('')) > maxBytes) chars = chars.slice(0, -16);
  return chars.join('');
}

/** The message of a batch of new anomalies (at least one), most serious first. */
export function anomalyMessage(events: readonly AnomalyEvent[], ctx: MessageContext): NotificationMessage {
  const sorted = ordered(events);
  const types = [...new Set(sorted.map((e) => typeName(e.type)))];
  const title = `【节能平台】${sorted.length} 条新异常：${types.slice(0, 3).join('、')}${types.length > 3 ? ' 等' : ''}`;
  let listed = Math.min(sorted.length, MAX_LISTED);
  let markdown = markdownOf(sorted, listed, ctx);
  while (listed > 1 && bytes(markdown) > ROBOT_MARKDOWN_MAX_BYTES) {
    listed -= 1;
    markdown = markdownOf(sorted, listed, ctx);
  }
  const blocks = sorted.slice(0, 100).map((e, i) => {
    const link = anomalyLink(e, ctx);
    const lines = [...fields(e, ctx), ...(link === undefined ? [] : [['查看', link] as [string, string]])];
    return [`${i + 1}. ${heading(e)}`, ...lines.map(([k, v]) => `   ${k}：${v}`)].join('\n');
  });
  const text = [
    `节能平台发现 ${sorted.length} 条新异常：`,
    ...blocks,
    ...(sorted.length > 100 ? [`另有 ${sorted.length - 100} 条未列出，请在平台查看。`] : []),
    '——\n此邮件由节能平台自动发送，请勿直接回复。',
  ].join('\n\n');
  return { title, markdown: cutBytes(markdown, ROBOT_MARKDOWN_MAX_BYTES), text };
}
