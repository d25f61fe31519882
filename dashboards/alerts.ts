/**
 * Grafana alert rules (file provisioning format, apiVersion 1): a collection point stopped
 * reporting, and an institution's monthly standard coal above a limit (a placeholder until
 * targets land in the platform).
 */
import type { QuerySpec } from './influxql.js';
import { kgce } from './influxql.js';
import { readingsPerMeter } from './queries.js';
import { DATASOURCE_UID } from './schema.js';

/** Placeholder monthly limit per institution, kgce over a rolling 30 days, until targets land. */
export const MONTHLY_KGCE_LIMIT = 50_000;
/** Silence after which a meter is offline: 3 expected intervals of 15 minutes. */
export const OFFLINE_AFTER = '45m';
/** How far back a meter must have reported to be watched at all, seconds (7 days). */
export const OFFLINE_LOOKBACK_S = 7 * 86_400;
/** The rolling "month" of the over-target rule, seconds (30 days). */
export const MONTH_S = 30 * 86_400;
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

/** An InfluxQL query of an alert rule, for the test to run. */
export interface AlertQuerySpec {
  readonly ruleUid: string;
  readonly refId: string;
  readonly lookbackS: number;
  readonly spec: QuerySpec;
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
const monthlyKgce = kgce({ where: [], groupBy: ['institution'] });

/** The InfluxQL of every rule. */
export const ALERT_QUERIES: readonly AlertQuerySpec[] = [
  { ruleUid: 'jieneng-meter-offline', refId: 'A', lookbackS: OFFLINE_LOOKBACK_S, spec: offlineQuery },
  { ruleUid: 'jieneng-over-target', refId: 'A', lookbackS: MONTH_S, spec: monthlyKgce },
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
            title: 'Institution above monthly kgce limit',
            condition: 'C',
            data: [influx('A', MONTH_S, monthlyKgce), ...lastAndThreshold('gt', MONTHLY_KGCE_LIMIT)],
            noDataState: 'OK',
            execErrState: 'Error',
            for: '1h',
            annotations: {
              summary: 'Institution {{ $labels.institution }} used more than the monthly limit (kgce, rolling 30 days)',
              description:
                `Placeholder limit of ${MONTHLY_KGCE_LIMIT} kgce per rolling 30 days for every institution, until ` +
                'per-institution targets land. Change MONTHLY_KGCE_LIMIT in dashboards/alerts.ts and run ' +
                '`npx tsx dashboards/build.ts`.',
            },
            labels: { severity: 'info', area: 'targets' },
            isPaused: false,
          },
        ],
      },
    ],
  };
}
