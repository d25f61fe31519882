/**
 * Names of the InfluxDB schema the dashboards read. The InfluxDB store writes exactly these; it
 * exports the same names from `core/storage/influx/schema.ts`, and the two are to be kept equal
 * (mirrored here so that the dashboards build without the store).
 */
import { ENERGY_INFO, type Energy, GBT_2589_2020 } from '../core/domain/energy.js';

/** Datasource uid the provisioned datasource, every panel and every alert query use. */
export const DATASOURCE_UID = 'jieneng-influx';
/** The tenant time zone of calendar buckets (days, months). */
export const TIME_ZONE = 'Asia/Shanghai';

/** Raw readings as received: one point per meter and timestamp. */
export const READINGS = {
  measurement: 'readings',
  tags: { meter: 'meter', gateway: 'gateway' },
  fields: { value: 'value', receivedMs: 'received_ms', invalid: 'invalid' },
} as const;

/** Hourly consumption per meter; time = start of the hour. */
export const HOURLY = {
  measurement: 'hourly',
  tags: {
    meter: 'meter',
    energy: 'energy',
    /** Electricity sub-item code (01A00, …); absent on meters without one. */
    subItem: 'sub_item',
    building: 'building',
    institution: 'institution',
    district: 'district',
  },
  fields: {
    /** Consumption in the energy's native unit (kWh, m3, GJ, …). */
    amount: 'amount',
    /** The part of `amount` spread over a gap (estimated), native unit. */
    estimated: 'estimated',
    /** good | estimated | suspect | missing. */
    quality: 'quality',
    /** Raw readings received in the hour (integer). */
    readings: 'readings',
  },
} as const;

/** Readings and messages rejected at ingest. */
export const DEAD_LETTERS = {
  measurement: 'dead_letters',
  tags: { gateway: 'gateway', reasonLabel: 'reason_label' },
  fields: { reason: 'reason', meter: 'meter', raw: 'raw' },
} as const;

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
