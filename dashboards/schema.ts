/**
 * Names of the InfluxDB schema the dashboards read: the very constants the InfluxDB store writes
 * with (`core/storage/influx/schema.ts`), plus what only the dashboards need.
 */
import { ENERGY_INFO, type Energy, GBT_2589_2020 } from '../core/domain/energy.js';
import { INFLUX } from '../core/storage/influx/schema.js';

/** Datasource uid the provisioned datasource, every panel and every alert query use. */
export const DATASOURCE_UID = 'jieneng-influx';
/** The tenant time zone of calendar buckets (days, months). */
export const TIME_ZONE = 'Asia/Shanghai';

/** Raw readings as received: one point per meter and timestamp (the store's names). */
export const READINGS = INFLUX.readings;

/** Hourly consumption per meter; time = start of the hour. */
export const HOURLY = INFLUX.hourly;

/** Readings and messages rejected at ingest. */
export const DEAD_LETTERS = INFLUX.deadLetters;

/**
 * Detected anomalies; time = start of the anomaly. Not written yet: filled once anomaly
 * detection lands in the store (assumed schema, to reconcile then).
 */
export const ANOMALIES = {
  measurement: 'anomalies',
  tags: { type: 'type', institution: 'institution', meter: 'meter', severity: 'severity', status: 'status' },
  fields: { wastedKgce: 'wasted_kgce', wastedNative: 'wasted_native', evidence: 'evidence' },
} as const;

/** Interval qualities of `hourly.quality`. */
export const QUALITIES = ['good', 'estimated', 'suspect', 'missing'] as const;

/**
 * kgce per native unit of every energy that counts into total energy (water does not), from the
 * core coefficient table (GB/T 2589-2020), so that a new edition changes the dashboards too.
 */
export const KGCE_PER_UNIT: Readonly<Partial<Record<Energy, number>>> = Object.freeze(
  Object.fromEntries(
    (Object.keys(ENERGY_INFO) as Energy[])
      .filter((e) => ENERGY_INFO[e].countsAsEnergy)
      .map((e) => [e, GBT_2589_2020.kgcePerUnit[e]]),
  ),
);

/** Version of the coefficient table the kgce figures use, shown in panel descriptions. */
export const COEFFICIENT_TABLE = GBT_2589_2020.version;
