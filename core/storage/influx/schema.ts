import type { HourlyConsumption } from '../../domain/consumption.js';
import { MICRO } from '../../domain/consumption.js';
import { meterSpans, SPAN_MAX_MS, SPAN_MIN_MS } from '../../domain/meter-spans.js';
import type { Registry } from '../../domain/registry.js';
import { codeOfReason } from '../dead-letter-codes.js';
import type { DeadLetter, StoredReading } from '../store.js';

/**
 * Measurement, tag and field names of the InfluxDB backend, shared with the Grafana dashboards
 * (issue "InfluxDB backend"): change them only together with `dashboards/`. Times are epoch
 * milliseconds (dead-letter copies get sub-millisecond offsets so that letters of one instant do not
 * overwrite each other).
 */
export const INFLUX = {
  /** Raw register readings, one point per (meter, timestamp). */
  readings: {
    measurement: 'readings',
    tags: { meter: 'meter', gateway: 'gateway' },
    fields: {
      /** float: the register as received, in the meter's unit. */
      value: 'value',
      /** float: when Jieneng received it, epoch ms. */
      receivedMs: 'received_ms',
      /** bool: `true` once an officer's correction marks the reading invalid; absent otherwise. */
      invalid: 'invalid',
    },
  },
  /** Derived consumption, one point per (meter, hour). */
  hourly: {
    measurement: 'hourly',
    /** From the registry; `sub_item` is omitted when the meter has none. */
    tags: {
      meter: 'meter',
      energy: 'energy',
      subItem: 'sub_item',
      building: 'building',
      institution: 'institution',
      district: 'district',
      /** The parent meter of a sub-meter; omitted for a meter without a parent (totals count those only). */
      parent: 'parent',
      /** The parent meter's sub-item code, omitted when it has none: a sub-item's remainder subtracts these. */
      parentSubItem: 'parent_sub_item',
    },
    fields: {
      /** float: consumption in the energy's native unit, after the multiplier. */
      amount: 'amount',
      /** float: the part of `amount` spread over a gap. */
      estimated: 'estimated',
      /** string: good | estimated | suspect | missing. */
      quality: 'quality',
      /** integer: raw readings stamped in the hour. */
      readings: 'readings',
      /** integer: `amount` in micro-units; sums of it are exact (the store's aggregates use it). */
      amountMicro: 'amount_micro',
      /** integer: `estimated` in micro-units. */
      estimatedMicro: 'estimated_micro',
      /** integer 0/1: the hour's quality is good (sum it to count good hours). */
      qGood: 'q_good',
      /** integer 0/1: the hour's quality is estimated. */
      qEstimated: 'q_estimated',
      /** integer 0/1: the hour's quality is suspect. */
      qSuspect: 'q_suspect',
    },
  },
  /**
   * The daily rollup (issue "Production parity", item 4): per hourly series and local day in the
   * store's TIMEZONE, the sums of its hours, at local midnight, in retention policy `jieneng_rollup`
   * when the store may create it (rollup.ts). Same tags as `hourly`, and its integer fields under
   * the same names, so the same filters and sums run on either.
   */
  daily: {
    measurement: 'daily',
    fields: {
      /** float: `amount_micro` / 10⁶, for dashboards. */
      amount: 'amount',
      /** integer: sum of the hours' `readings`. */
      readings: 'readings',
      /** integer: sum of the hours' `amount_micro` (exact). */
      amountMicro: 'amount_micro',
      /** integer: sum of the hours' `estimated_micro`. */
      estimatedMicro: 'estimated_micro',
      /** integer: good hours of the day. */
      qGood: 'q_good',
      /** integer: estimated hours of the day. */
      qEstimated: 'q_estimated',
      /** integer: suspect hours of the day. */
      qSuspect: 'q_suspect',
    },
    /**
     * integer: `a00` … `a23`, the day's `amount_micro` by local clock hour in the rollup's zone (a
     * DST day's repeated hour sums into one field). All 24 are written, zeros too: a field left out
     * would keep the value of an earlier write of the point (InfluxDB merges the fields of a series'
     * point), so the days with consumption at an hour are counted with `WHERE "aHH" <> 0`.
     */
    hourFields: Array.from({ length: 24 }, (_, h) => `a${String(h).padStart(2, '0')}`),
  },
  /**
   * One point at time 0: the zone the daily rollup was built in and the retention policy it was
   * written to (empty: the default one), and the version of its fields (`ROLLUP_VERSION`); it is
   * rebuilt when any of them changes.
   */
  rollupZone: { measurement: 'rollup_zone', fields: { zone: 'zone', rp: 'rp', version: 'version' } },
  /** A copy of the dead letters (the metadata store holds the originals). */
  deadLetters: {
    measurement: 'dead_letters',
    tags: { gateway: 'gateway', reasonLabel: 'reason_label' },
    fields: { reason: 'reason', meter: 'meter', raw: 'raw' },
  },
} as const;

/** The hourly tags that come from the registry, in line-protocol (sorted) order. */
export type HourlyTags = Readonly<Record<string, string>>;

const escapeKey = (s: string) => s.replace(/[,= \\]/g, (c) => `\\${c}`);
const escapeMeasurement = (s: string) => s.replace(/[, \\]/g, (c) => `\\${c}`);
/** A line-protocol string field; newlines are not allowed in 1.x, so they are written as `\n`. */
const str = (s: string) => `"${s.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\r?\n/g, '\\n')}"`;
const float = (n: number) => String(n);
const int = (n: number) => `${Math.trunc(n)}i`;

function line(
  measurement: string,
  tags: Record<string, string | undefined>,
  fields: string,
  time: number | bigint,
): string {
  const tagText = Object.keys(tags)
    .sort()
    .flatMap((k) => {
      const v = tags[k];
      return v === undefined || v === '' ? [] : [`,${escapeKey(k)}=${escapeKey(v)}`];
    })
    .join('');
  return `${escapeMeasurement(measurement)}${tagText} ${fields} ${time}`;
}

/** A raw reading as a line (ms precision). */
export function readingLine(r: StoredReading): string {
  const { tags, fields, measurement } = INFLUX.readings;
  return line(
    measurement,
    { [tags.meter]: r.meterId, [tags.gateway]: r.gatewayId },
    `${fields.value}=${float(r.value)},${fields.receivedMs}=${float(r.receivedAtMs)}`,
    r.tsMs,
  );
}

/** The `invalid=true` flag on a stored reading's point (ms precision). */
export function invalidLine(meterId: string, gatewayId: string, tsMs: number): string {
  const { tags, fields, measurement } = INFLUX.readings;
  return line(measurement, { [tags.meter]: meterId, [tags.gateway]: gatewayId }, `${fields.invalid}=true`, tsMs);
}

/** A meter's hourly tags over [fromMs, toMs) (a span of meter-spans.ts). */
export interface TaggedSpan {
  readonly fromMs: number;
  readonly toMs: number;
  readonly tags: HourlyTags;
}

/**
 * The hourly tags of meters from a registry (indexed once), per span of their attribution over
 * time (meter-spans.ts): `meter`, and when the registry knows the meter, `energy`, `sub_item`
 * (omitted when empty), `building`, `institution`, `district` where the meter was in that span,
 * and for a sub-meter `parent` and `parent_sub_item` (omitted when the parent has no code).
 */
export function hourlySpans(registry: Registry): (meterId: string) => readonly TaggedSpan[] {
  const t = INFLUX.hourly.tags;
  const meters = new Map(registry.meters.map((m) => [m.id, m]));
  const buildings = new Map(registry.buildings.map((b) => [b.id, b]));
  const institutions = new Map(registry.institutions.map((i) => [i.id, i]));
  const cache = new Map<string, readonly TaggedSpan[]>();
  const tagsOf = (meterId: string, buildingId: string | undefined, parentId: string | undefined) => {
    const m = meters.get(meterId);
    const building = buildingId === undefined ? undefined : buildings.get(buildingId);
    const institution = building === undefined ? undefined : institutions.get(building.institutionId);
    const out: Record<string, string> = { [t.meter]: meterId };
    if (m !== undefined) out[t.energy] = m.energy;
    if (m?.subItem !== undefined && m.subItem !== '') out[t.subItem] = m.subItem;
    if (buildingId !== undefined) out[t.building] = buildingId;
    if (building !== undefined) out[t.institution] = building.institutionId;
    if (institution !== undefined) out[t.district] = institution.districtId;
    const parent = parentId === undefined ? undefined : meters.get(parentId);
    if (parent !== undefined) out[t.parent] = parent.id;
    if (parent?.subItem !== undefined && parent.subItem !== '') out[t.parentSubItem] = parent.subItem;
    return out;
  };
  return (meterId) => {
    const known = cache.get(meterId);
    if (known !== undefined) return known;
    const m = meters.get(meterId);
    const spans: TaggedSpan[] =
      m === undefined
        ? [{ fromMs: SPAN_MIN_MS, toMs: SPAN_MAX_MS, tags: tagsOf(meterId, undefined, undefined) }]
        : meterSpans(m).map((s) => ({
            fromMs: s.fromMs,
            toMs: s.toMs,
            tags: tagsOf(meterId, s.buildingId, s.parentId),
          }));
    cache.set(meterId, spans);
    return spans;
  };
}

/** The hourly tags of a meter's hour (its span's), or its current ones without an hour. */
export function hourlyTagger(registry: Registry): (meterId: string, hourStartMs?: number) => HourlyTags {
  const spansOf = hourlySpans(registry);
  return (meterId, hourStartMs) => {
    const spans = spansOf(meterId);
    const span =
      hourStartMs === undefined ? spans.at(-1) : spans.find((s) => hourStartMs >= s.fromMs && hourStartMs < s.toMs);
    return (span ?? spans.at(-1))?.tags ?? { [INFLUX.hourly.tags.meter]: meterId };
  };
}

/** A meter's attribution as one string: equal when its hours are tagged alike at every instant. */
export function attributionKey(spans: readonly TaggedSpan[]): string {
  return spans.map((s) => `${s.fromMs}:${hourlySeriesKey(s.tags)}`).join('|');
}

/** A series key of the hourly measurement (tags sorted), to compare tag sets. */
export function hourlySeriesKey(tags: HourlyTags, measurement: string = INFLUX.hourly.measurement): string {
  return line(measurement, tags, '', 0).split(' ')[0] as string;
}

/**
 * The version of the daily rollup's fields, in its marker: a rollup built by an earlier version
 * (no marker version: 1, before the hour-of-day fields) is rebuilt when the store opens.
 */
export const ROLLUP_VERSION = 2;

/** The sums of a meter's hours over a local day, in integer units (micro-units for amounts). */
export interface DailySums {
  readonly dayStartMs: number;
  readonly amountMicro: number;
  readonly estimatedMicro: number;
  readonly readings: number;
  readonly goodHours: number;
  readonly estimatedHours: number;
  readonly suspectHours: number;
  /** 24 sums of `amount_micro` by local clock hour (`INFLUX.daily.hourFields`); none: not written (tests). */
  readonly byHourMicro?: readonly number[];
}

/** A day of the rollup as a line (ms precision), tagged as the hourly series it sums. */
export function dailyLine(d: DailySums, tags: HourlyTags): string {
  const f = INFLUX.daily.fields;
  const fields = [
    `${f.amount}=${float(d.amountMicro / MICRO)}`,
    `${f.readings}=${int(d.readings)}`,
    `${f.amountMicro}=${int(d.amountMicro)}`,
    `${f.estimatedMicro}=${int(d.estimatedMicro)}`,
    `${f.qGood}=${int(d.goodHours)}`,
    `${f.qEstimated}=${int(d.estimatedHours)}`,
    `${f.qSuspect}=${int(d.suspectHours)}`,
    ...(d.byHourMicro === undefined
      ? []
      : INFLUX.daily.hourFields.map((name, h) => `${name}=${int(d.byHourMicro?.[h] ?? 0)}`)),
  ].join(',');
  return line(INFLUX.daily.measurement, tags, fields, d.dayStartMs);
}

/** The marker of the rollup's zone, retention policy and version (`ROLLUP_VERSION`) as a line. */
export function rollupZoneLine(timeZone: string, rp: string | undefined): string {
  const { measurement, fields } = INFLUX.rollupZone;
  const body = `${fields.zone}=${str(timeZone)},${fields.rp}=${str(rp ?? '')},${fields.version}=${int(ROLLUP_VERSION)}`;
  return line(measurement, {}, body, 0);
}

/** An hour of derived consumption as a line (ms precision). */
export function hourlyLine(h: HourlyConsumption, tags: HourlyTags): string {
  const f = INFLUX.hourly.fields;
  const fields = [
    `${f.amount}=${float(h.amountMicro / MICRO)}`,
    `${f.estimated}=${float(h.estimatedMicro / MICRO)}`,
    `${f.quality}=${str(h.quality)}`,
    `${f.readings}=${int(h.readingsCount)}`,
    `${f.amountMicro}=${int(h.amountMicro)}`,
    `${f.estimatedMicro}=${int(h.estimatedMicro)}`,
    `${f.qGood}=${int(h.quality === 'good' ? 1 : 0)}`,
    `${f.qEstimated}=${int(h.quality === 'estimated' ? 1 : 0)}`,
    `${f.qSuspect}=${int(h.quality === 'suspect' ? 1 : 0)}`,
  ].join(',');
  return line(INFLUX.hourly.measurement, tags, fields, h.hourStartMs);
}

/** Strings longer than this are cut in dead-letter copies (InfluxDB 1.x caps strings at 64 KiB). */
const RAW_MAX_CHARS = 4000;

/** A dead letter's copy as a line (ns precision: `seq` keeps letters of one millisecond apart). */
export function deadLetterLine(d: DeadLetter, seq: number): string {
  const { tags, fields, measurement } = INFLUX.deadLetters;
  const body = [
    `${fields.reason}=${str(d.reason.slice(0, RAW_MAX_CHARS))}`,
    `${fields.meter}=${str(d.meterId ?? '')}`,
    `${fields.raw}=${str(d.raw.slice(0, RAW_MAX_CHARS))}`,
  ].join(',');
  const ns = BigInt(Math.round(d.receivedAtMs)) * 1_000_000n + BigInt(seq % 1_000_000);
  return line(
    measurement,
    { [tags.gateway]: d.gatewayId, [tags.reasonLabel]: d.code ?? codeOfReason(d.reason) },
    body,
    ns,
  );
}
