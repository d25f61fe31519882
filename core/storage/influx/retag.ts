import type { HourlyConsumption, Quality } from '../../domain/consumption.js';
import { MICRO } from '../../domain/consumption.js';
import type { Registry } from '../../domain/registry.js';
import { bucketStart, nextBucketStart } from '../../domain/time.js';
import { type InfluxHttp, quoteIdent, quoteString } from './http.js';
import { type DailyPlace, recomputeDaily, timeSpan } from './rollup.js';
import { hourlyLine, hourlySeriesKey, hourlySpans, INFLUX, type TaggedSpan } from './schema.js';
import { queryMany, rowsOf } from './windows.js';

const H = INFLUX.hourly;
const D = INFLUX.daily;
const ALL_TIME_MS = 9_000_000_000_000;

/** Tags of a series key `hourly,building=b,energy=electricity,…` (ids never hold `,` `=` or spaces). */
function tagsOfKey(key: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const pair of key.split(',').slice(1)) {
    const at = pair.indexOf('=');
    if (at > 0) tags[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return tags;
}

/**
 * The time ranges of [-ALL_TIME_MS, ALL_TIME_MS) outside the spans with series key `key`: where a
 * series of that key must hold no points.
 */
function outside(spans: readonly TaggedSpan[], key: string): { fromMs: number; toMs: number }[] {
  const own = spans
    .filter((s) => hourlySeriesKey(s.tags) === key)
    .map((s) => ({ fromMs: Math.max(s.fromMs, -ALL_TIME_MS), toMs: Math.min(s.toMs, ALL_TIME_MS) }));
  const out: { fromMs: number; toMs: number }[] = [];
  let at = -ALL_TIME_MS;
  for (const s of own) {
    if (s.fromMs > at) out.push({ fromMs: at, toMs: s.fromMs });
    at = Math.max(at, s.toMs);
  }
  if (at < ALL_TIME_MS) out.push({ fromMs: at, toMs: ALL_TIME_MS });
  return out;
}

/**
 * Gives meters' hourly points the tags the registry gives them now, hour by hour (a meter moved to
 * another building from a date, put under a parent, a new sub-item; meter-spans.ts): InfluxDB keys
 * a series by its tags, so the points are written again under the series of their hour's span,
 * then every old series loses its points outside its spans (by exact tags and time); then the
 * meter's daily rollup is deleted and recomputed from its hours (now under the new tags). Writing
 * before deleting keeps the hours safe to replay after a failure half-way (the op is replayed
 * until done).
 */
export async function retagHourly(
  http: InfluxHttp,
  registry: Registry,
  meterIds: readonly string[],
  rollup: { readonly place: DailyPlace; readonly timeZone: string },
): Promise<void> {
  const { place, timeZone } = rollup;
  const show = (measurement: string, id: string) =>
    `SHOW SERIES FROM ${quoteIdent(measurement)} WHERE ${quoteIdent(H.tags.meter)} = ${quoteString(id)}`;
  const shown = await queryMany(
    http,
    meterIds.flatMap((id) => [show(H.measurement, id), show(D.measurement, id)]),
  );
  const spansOf = hourlySpans(registry);
  const keysOf = (i: number) => rowsOf(shown[i]?.series ?? []).map((r) => String(r.key));
  for (const [i, meterId] of meterIds.entries()) {
    const spans = spansOf(meterId);
    const hourlyKeys = keysOf(2 * i);
    const dailyKeys = keysOf(2 * i + 1);
    await rewriteHourly(http, meterId, spans);
    await http.delete(
      H.measurement,
      hourlyKeys.flatMap((key) => outside(spans, key).map((r) => ({ tags: exactTags(key), ...r }))),
    );
    const span = await timeSpan(http, quoteIdent(H.measurement), meterId);
    await http.delete(
      D.measurement,
      dailyKeys.map((key) => ({ tags: exactTags(key), fromMs: -ALL_TIME_MS, toMs: ALL_TIME_MS })),
    );
    if (span !== undefined) {
      const fromMs = bucketStart(span.firstMs, 'day', timeZone);
      const toMs = nextBucketStart(bucketStart(span.lastMs, 'day', timeZone), 'day', timeZone);
      await recomputeDaily(http, place, [{ meterId, fromMs, toMs }], timeZone);
    }
  }
}

/** Every hourly tag of a series key, absent ones as '' (so that a delete matches that series only). */
function exactTags(key: string): Record<string, string> {
  const old = tagsOfKey(key);
  return Object.fromEntries(Object.values(H.tags).map((k) => [k, old[k] ?? '']));
}

/** Writes a meter's hourly points again, each under the tags of its hour's span. */
async function rewriteHourly(http: InfluxHttp, meterId: string, spans: readonly TaggedSpan[]): Promise<void> {
  const [points] = await http.query([
    `SELECT * FROM ${quoteIdent(H.measurement)} WHERE ${quoteIdent(H.tags.meter)} = ${quoteString(meterId)}`,
  ]);
  const tagsAt = (ms: number) =>
    (spans.find((s) => ms >= s.fromMs && ms < s.toMs) ?? spans.at(-1))?.tags ?? { [H.tags.meter]: meterId };
  // An hour may be in an old and the current series: the one of its span was derived later and wins.
  const hours = new Map<number, HourlyConsumption>();
  const fromCurrent = new Set<number>();
  for (const r of rowsOf(points?.series ?? [])) {
    const time = Number(r.time);
    const rowTags = Object.fromEntries(
      Object.values(H.tags).flatMap((k) => (typeof r[k] === 'string' && r[k] !== '' ? [[k, r[k] as string]] : [])),
    );
    if (fromCurrent.has(time)) continue;
    if (hourlySeriesKey(rowTags) === hourlySeriesKey(tagsAt(time))) fromCurrent.add(time);
    const micro = (intField: string, floatField: string) =>
      typeof r[intField] === 'number' ? Number(r[intField]) : Math.round(Number(r[floatField] ?? 0) * MICRO);
    hours.set(time, {
      meterId,
      hourStartMs: time,
      amountMicro: micro(H.fields.amountMicro, H.fields.amount),
      estimatedMicro: micro(H.fields.estimatedMicro, H.fields.estimated),
      quality: String(r[H.fields.quality] ?? 'missing') as Quality,
      readingsCount: Number(r[H.fields.readings] ?? 0),
    });
  }
  const lines = [...hours.values()].map((h) => hourlyLine(h, tagsAt(h.hourStartMs)));
  for (let k = 0; k < lines.length; k += 5000) await http.write(lines.slice(k, k + 5000), 'ms');
}
