/**
 * Names of the InfluxDB schema the dashboards read: the very constants the InfluxDB store writes
 * with (`core/storage/influx/schema.ts`), plus what only the dashboards need.
 */
import { ENERGY_INFO, type Energy, GBT_2589_2020 } from '../core/domain/energy.js';
import { INFLUX } from '../core/storage/influx/schema.js';

/** Uid of the provisioned InfluxDB datasource (InfluxQL): series panels and alert queries. */
export const DATASOURCE_UID = 'jieneng-influx';
/** Uid of the provisioned PostgreSQL datasource: the metadata (anomalies, targets, registry). */
export const POSTGRES_UID = 'jieneng-postgres';
/** The zone the dashboards are generated for when `TIMEZONE` is not set (the platform's default). */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';
/**
 * Stands for the tenant time zone (`TIMEZONE`) in queries and texts: they are written once and the
 * generator (`build.ts`) binds the zone of the deployment, in InfluxQL `tz('…')`, in SQL
 * `AT TIME ZONE '…'` and in each dashboard's `timezone`.
 */
export const ZONE = '%TIMEZONE%';

/** Every `ZONE` in a JSON-like value replaced by `zone` (an IANA name: no quote to escape). */
export function bindZone<T>(value: T, zone: string): T {
  if (!/^[A-Za-z0-9_+\-/]+$/.test(zone)) throw new Error(`not a time zone name: ${zone}`);
  return JSON.parse(JSON.stringify(value).replaceAll(ZONE, zone)) as T;
}

/** Raw readings as received: one point per meter and timestamp (the store's names). */
export const READINGS = INFLUX.readings;

/** Hourly consumption per meter; time = start of the hour. */
export const HOURLY = INFLUX.hourly;

/** Readings and messages rejected at ingest. */
export const DEAD_LETTERS = INFLUX.deadLetters;

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
