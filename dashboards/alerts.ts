/**
 * Grafana alert rules (file provisioning format, apiVersion 1): a collection point stopped
 * reporting, and an institution's month-to-date standard coal above its monthly target. The
 * second reads both datasources and combines them with Grafana's server-side expressions (math,
 * reduce, threshold): InfluxDB gives kgce per institution and local day, PostgreSQL the days of the
 * current local month and the institutions' monthly kgce targets.
 */
import { kgce, type QuerySpec } from './influxql.js';
import { readingsPerMeter } from './queries.js';
import { DATASOURCE_UID, POSTGRES_UID, ZONE } from './schema.js';
import { isMonthlyKgceTarget, local, type SqlSpec, sql, targetInstitution } from './sql.js';

/** Silence after which a meter is offline: 3 expected intervals of 15 minutes. */
export const OFFLINE_AFTER = '45m';
/** How far back a meter must have reported to be watched at all, seconds (7 days). */
export const OFFLINE_LOOKBACK_S = 7 * 86_400;
/** Days of kgce the over-target rule reads: the longest month and the day the zone's offset may add, seconds. */
export const MONTH_LOOKBACK_S = 32 * 86_400;
export const ALERT_FOLDER = 'Jieneng';

const EXPR = { type: '__expr__', uid: '__expr__' } as const;

export interface AlertQuery {
  readonly refId: string;
  readonly relativeTimeRange: { readonly from: number; readonly to: number };
  readonly datasourceUid: string;
  readonly model: Readonly<Record<string, unknown>>;
}

export interface AlertRule {
  readonly uid: string;
  readonly title: string;
  readonly condition: string;
  readonly data: readonly AlertQuery[];
  readonly noDataState: 'NoData' | 'OK' | 'Alerting';
  readonly execErrState: 'Error' | 'OK' | 'Alerting';
  readonly for: string;
  readonly annotations: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly isPaused: false;
}

export interface AlertFile {
  readonly apiVersion: 1;
  readonly groups: readonly {
    readonly orgId: 1;
    readonly name: string;
    readonly folder: string;
    readonly interval: string;
    readonly rules: readonly AlertRule[];
  }[];
}

/** A datasource query of an alert rule, for the test to run. */
export interface AlertQuerySpec {
  readonly ruleUid: string;
  readonly refId: string;
  readonly lookbackS: number;
  readonly spec: QuerySpec | SqlSpec;
}

function postgres(refId: string, spec: SqlSpec, format: 'table' | 'time_series'): AlertQuery {
  return {
    refId,
    // SQL reads now() itself; the range only matters to Grafana's macros, which these queries do not use.
    relativeTimeRange: { from: MONTH_LOOKBACK_S, to: 0 },
    datasourceUid: POSTGRES_UID,
    model: {
      refId,
      datasource: { type: 'grafana-postgresql-datasource', uid: POSTGRES_UID },
      rawSql: spec.text,
      rawQuery: true,
      editorMode: 'code',
      format,
      intervalMs: 60_000,
      maxDataPoints: 43_200,
    },
  };
}

function expression(refId: string, model: Readonly<Record<string, unknown>>): AlertQuery {
  return {
    refId,
    relativeTimeRange: { from: 0, to: 0 },
    datasourceUid: '__expr__',
    model: { refId, datasource: EXPR, ...model },
  };
}

function influx(refId: string, lookbackS: number, spec: QuerySpec): AlertQuery {
  return {
    refId,
    relativeTimeRange: { from: lookbackS, to: 0 },
    datasourceUid: DATASOURCE_UID,
    model: {
      refId,
      datasource: { type: 'influxdb', uid: DATASOURCE_UID },
      query: spec.text,
      rawQuery: true,
      resultFormat: 'time_series',
      intervalMs: 60_000,
      maxDataPoints: 43_200,
    },
  };
}

/** B = last value of A per series; C = B compared with a threshold (the rule's condition). */
function lastAndThreshold(type: 'gt' | 'lt', threshold: number): AlertQuery[] {
  return [
    {
      refId: 'B',
      relativeTimeRange: { from: 0, to: 0 },
      datasourceUid: '__expr__',
      model: {
        refId: 'B',
        datasource: EXPR,
        type: 'reduce',
        expression: 'A',
        reducer: 'last',
        settings: { mode: 'dropNN' },
      },
    },
    {
      refId: 'C',
      relativeTimeRange: { from: 0, to: 0 },
      datasourceUid: '__expr__',
      model: {
        refId: 'C',
        datasource: EXPR,
        type: 'threshold',
        expression: 'B',
        conditions: [{ evaluator: { type, params: [threshold] } }],
      },
    },
  ];
}

const offlineQuery = readingsPerMeter(OFFLINE_AFTER, { lastReceived: false });

/** A: kgce per institution and local day (buckets at local midnight), over the last 32 days. */
const dailyKgce = kgce({ where: [], every: '1d', groupBy: ['institution'] });

/** The institutions' monthly kgce targets of this month. */
const TARGET_NOW = isMonthlyKgceTarget('now()');

/**
 * B: per institution with a target this month, one point (value 1) at each local midnight of the
 * month up to today: as a series labelled by institution it matches A's buckets of this month
 * (generated in local time, so a daylight-saving day is still one day).
 */
const monthDays = sql(
  `SELECT d.local_day AT TIME ZONE '${ZONE}' AS time, ${targetInstitution} AS institution, 1 AS in_month
   FROM targets t
   CROSS JOIN generate_series(date_trunc('month', ${local('now()')}), ${local('now()')}, interval '1 day') AS d(local_day)
   WHERE ${TARGET_NOW} ORDER BY 1, 2`,
  ['time', 'institution', 'in_month'],
);

/** C: the monthly kgce target of each institution that has one this month. */
const monthTargets = sql(
  `SELECT ${targetInstitution} AS institution, t.value AS target_kgce FROM targets t WHERE ${TARGET_NOW} ORDER BY 1`,
  ['institution', 'target_kgce'],
);

/** The datasource queries of every rule. */
export const ALERT_QUERIES: readonly AlertQuerySpec[] = [
  { ruleUid: 'jieneng-meter-offline', refId: 'A', lookbackS: OFFLINE_LOOKBACK_S, spec: offlineQuery },
  { ruleUid: 'jieneng-over-target', refId: 'A', lookbackS: MONTH_LOOKBACK_S, spec: dailyKgce },
  { ruleUid: 'jieneng-over-target', refId: 'B', lookbackS: MONTH_LOOKBACK_S, spec: monthDays },
  { ruleUid: 'jieneng-over-target', refId: 'C', lookbackS: MONTH_LOOKBACK_S, spec: monthTargets },
];

/**
 * The over-target rule's expressions: D keeps this month's days of A (math between series keeps
 * the points whose timestamps match), E sums them per institution (month-to-date kgce), F is the
 * excess over the target, G fires when it is positive. Series and numbers are matched by their
 * `institution` label.
 */
const overTargetExpressions: AlertQuery[] = [
  expression('D', { type: 'math', expression: '$A * $B' }),
  expression('E', { type: 'reduce', expression: 'D', reducer: 'sum', settings: { mode: 'dropNN' } }),
  expression('F', { type: 'math', expression: '$E - $C' }),
  expression('G', { type: 'threshold', expression: 'F', conditions: [{ evaluator: { type: 'gt', params: [0] } }] }),
];

/** The provisioning file's content. */
export function alertFile(): AlertFile {
  return {
    apiVersion: 1,
    groups: [
      {
        orgId: 1,
        name: 'jieneng',
        folder: ALERT_FOLDER,
        interval: '5m',
        rules: [
          {
            uid: 'jieneng-meter-offline',
            title: 'Collection point offline',
            condition: 'C',
            data: [influx('A', OFFLINE_LOOKBACK_S, offlineQuery), ...lastAndThreshold('lt', 1)],
            noDataState: 'NoData',
            execErrState: 'Error',
            for: '5m',
            annotations: {
              summary: 'Meter {{ $labels.meter }} (gateway {{ $labels.gateway }}) sent no reading for 45 minutes',
              description:
                'No reading for more than 3 expected 15-minute intervals. Meters silent for over 7 days drop out of ' +
                'this rule: see the Data quality dashboard (missing hours).',
            },
            labels: { severity: 'warning', area: 'collection' },
            isPaused: false,
          },
          {
            uid: 'jieneng-over-target',
            title: 'Institution above its monthly target',
            condition: 'G',
            data: [
              influx('A', MONTH_LOOKBACK_S, dailyKgce),
              postgres('B', monthDays, 'time_series'),
              postgres('C', monthTargets, 'table'),
              ...overTargetExpressions,
            ],
            noDataState: 'OK',
            execErrState: 'Error',
            for: '1h',
            annotations: {
              summary:
                'Institution {{ $labels.institution }} used {{ humanize $values.E.Value }} kgce this month, above its ' +
                'monthly target of {{ humanize $values.C.Value }} kgce',
              description:
                'Month-to-date standard coal (InfluxDB, local days) above the monthly kgce target (energy "all", unit ' +
                'kgce) set with PUT /api/v1/targets (PostgreSQL). Forecasts and at-risk targets: GET ' +
                '/api/v1/targets/progress and the over_target anomalies of the detect-targets job.',
            },
            labels: { severity: 'warning', area: 'targets' },
            isPaused: false,
          },
        ],
      },
    ],
  };
}
