import type { HourlyConsumption, Quality } from '../../domain/consumption.js';
import { MICRO } from '../../domain/consumption.js';
import type { Registry } from '../../domain/registry.js';
import { bucketStart, nextBucketStart } from '../../domain/time.js';
import { type InfluxHttp, quoteIdent, quoteString } from './http.js';
import { type DailyPlace, recomputeDaily, timeSpan } from './rollup.js';
import { hourlyLine, hourlySeriesKey, hourlyTagger, INFLUX } from './schema.js';
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

/** Deletes series of a measurement by their exact tags (an absent tag must stay absent). */
async function deleteSeries(http: InfluxHttp, measurement: string, keys: readonly string[]): Promise<void> {
  const tagKeys = Object.values(H.tags);
  await http.delete(
    measurement,
    keys.map((key) => {
      const old = tagsOfKey(key);
      return {
        tags: Object.fromEntries(tagKeys.map((k) => [k, old[k] ?? ''])),
        fromMs: -ALL_TIME_MS,
        toMs: ALL_TIME_MS,
      };
    }),
  );
}

/**
 * Gives meters' hourly points the tags the registry gives them now (a meter moved to another
 * building, a new sub-item): InfluxDB keys a series by its tags, so the points are written again
 * under the new series, then the old series are deleted by their exact tags; then the meter's daily
 * rollup is recomputed from its hours (now under the new tags) and its old daily series deleted.
 * Writing before deleting makes it safe to replay after a failure half-way.
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
  const tagsOf = hourlyTagger(registry);
  const staleOf = (i: number, current: string) =>
    rowsOf(shown[i]?.series ?? [])
      .map((r) => String(r.key))
      .filter((k) => k !== current);
  for (const [i, meterId] of meterIds.entries()) {
    const tags = tagsOf(meterId);
    const stale = staleOf(2 * i, hourlySeriesKey(tags));
    const staleDaily = staleOf(2 * i + 1, hourlySeriesKey(tags, D.measurement));
    if (stale.length > 0) await rewriteHourly(http, meterId, tags, stale);
    if (stale.length === 0 && staleDaily.length === 0) continue;
    const span = await timeSpan(http, quoteIdent(H.measurement), meterId);
    if (span !== undefined) {
      const fromMs = bucketStart(span.firstMs, 'day', timeZone);
      const toMs = nextBucketStart(bucketStart(span.lastMs, 'day', timeZone), 'day', timeZone);
      await recomputeDaily(http, place, [{ meterId, fromMs, toMs }], timeZone);
    }
    await deleteSeries(http, D.measurement, staleDaily);
  }
}

/** Writes a meter's hourly points again under `tags`, then deletes its `stale` series. */
async function rewriteHourly(
  http: InfluxHttp,
  meterId: string,
  tags: Readonly<Record<string, string>>,
  stale: readonly string[],
): Promise<void> {
  const current = hourlySeriesKey(tags);
  const [points] = await http.query([
    `SELECT * FROM ${quoteIdent(H.measurement)} WHERE ${quoteIdent(H.tags.meter)} = ${quoteString(meterId)}`,
  ]);
  // An hour may be in an old and the current series: the current one was derived later and wins.
  const hours = new Map<number, HourlyConsumption>();
  const fromCurrent = new Set<number>();
  for (const r of rowsOf(points?.series ?? [])) {
    const rowTags = Object.fromEntries(
      Object.values(H.tags).flatMap((k) => (typeof r[k] === 'string' && r[k] !== '' ? [[k, r[k] as string]] : [])),
    );
    const isCurrent = hourlySeriesKey(rowTags) === current;
    if (fromCurrent.has(Number(r.time))) continue;
    if (isCurrent) fromCurrent.add(Number(r.time));
    const micro = (intField: string, floatField: string) =>
      typeof r[intField] === 'number' ? Number(r[intField]) : Math.round(Number(r[floatField] ?? 0) * MICRO);
    hours.set(Number(r.time), {
      meterId,
      hourStartMs: Number(r.time),
      amountMicro: micro(H.fields.amountMicro, H.fields.amount),
      estimatedMicro: micro(H.fields.estimatedMicro, H.fields.estimated),
      quality: String(r[H.fields.quality] ?? 'missing') as Quality,
      readingsCount: Number(r[H.fields.readings] ?? 0),
    });
  }
  const lines = [...hours.values()].map((h) => hourlyLine(h, tags));
  for (let k = 0; k < lines.length; k += 5000) await http.write(lines.slice(k, k + 5000), 'ms');
  await deleteSeries(http, H.measurement, stale);
}
