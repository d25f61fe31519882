/**
 * *Anomalies*: the anomalies the detection jobs record in PostgreSQL (`anomalies`, with
 * METADATA_URL), by type over time, the energy they wasted, and the list with evidence.
 */
import { AnomalyStatusSchema } from '../../core/domain/anomalies.js';
import { ANOMALY_TYPES } from '../../core/domain/detectors/types.js';
import type { DashboardSpec } from '../grafana.js';
import { ANOMALIES_WITH_INSTITUTION, anomalyOverlapsRange, localDay, sql } from '../sql.js';
import { barchart, customVariable, KGCE_UNIT, sqlVariable, stat, table, text, timeseries } from './common.js';

/** The dashboard's filters; anomalies of a district or the city have no institution and drop out. */
const WHERE = `WHERE ${anomalyOverlapsRange} AND a.institution IN ($institution) AND a.type IN ($type)
  AND a.status IN ($status)`;

const total = (column: string, expr: string, extra = '') =>
  sql(`SELECT ${expr} AS ${column} FROM ${ANOMALIES_WITH_INSTITUTION} ${WHERE}${extra}`, [column]);

const wastedBy = (column: 'institution' | 'type') =>
  sql(
    `SELECT a.${column}, sum(a.wasted_kgce) AS wasted_kgce FROM ${ANOMALIES_WITH_INSTITUTION} ${WHERE}
     GROUP BY a.${column} ORDER BY wasted_kgce DESC`,
    [column, 'wasted_kgce'],
  );

/** Columns of the anomaly list, as the panel shows them. */
export const ANOMALY_LIST_COLUMNS = [
  'time',
  'end',
  'institution',
  'scope',
  'type',
  'energy',
  'severity',
  'status',
  'wasted_kgce',
  'wasted_native',
  'evidence',
  'id',
] as const;

export const ANOMALIES_DASHBOARD: DashboardSpec = {
  uid: 'jieneng-anomalies',
  title: 'Jieneng · Anomalies',
  description:
    'Detected anomalies (after-hours base load, spikes, offline or flat meters, over target, …) and the energy they wasted.',
  time: { from: 'now-30d', to: 'now' },
  variables: [
    sqlVariable('institution', 'Institution', 'SELECT id FROM institutions ORDER BY id', { multi: true }),
    customVariable('type', 'Type', ANOMALY_TYPES, 'Anomaly type (the detectors of the platform)', { multi: true }),
    customVariable('status', 'Status', AnomalyStatusSchema.options, 'Where the anomaly is in its life', {
      multi: true,
    }),
  ],
  panels: [
    text(
      'About this dashboard',
      'Anomalies are found by the platform’s detection jobs (`detect-hourly`, `detect-daily`, `detect-targets`) and ' +
        'kept in PostgreSQL; acknowledge or resolve them in the platform (API or web page). An anomaly counts in the ' +
        'time range when it overlaps it. Wasted energy is in kgce (water anomalies count 0 kgce) and in the ' +
        "meter's native unit.",
      { h: 3 },
    ),
    stat('Anomalies', { spec: total('anomalies', 'count(*)'), format: 'table' }, { noValue: '0' }),
    stat(
      'Open anomalies',
      { spec: total('anomalies', 'count(*)', " AND a.status = 'open'"), format: 'table' },
      { noValue: '0' },
    ),
    stat(
      'Wasted energy (kgce)',
      { spec: total('wasted_kgce', 'coalesce(sum(a.wasted_kgce), 0)'), format: 'table' },
      { unit: KGCE_UNIT, decimals: 0, noValue: '0' },
    ),
    stat(
      'Institutions affected',
      { spec: total('institutions', 'count(DISTINCT a.institution)'), format: 'table' },
      { calc: 'lastNotNull', noValue: '0' },
    ),
    timeseries(
      'Anomalies by type (per local day of their start)',
      [
        {
          spec: sql(
            `SELECT ${localDay('a.start_ts')} AS time, a.type AS metric, count(*) AS anomalies
             FROM ${ANOMALIES_WITH_INSTITUTION} ${WHERE} GROUP BY 1, 2 ORDER BY 1, 2`,
            ['time', 'metric', 'anomalies'],
          ),
          format: 'time_series',
        },
      ],
      { bars: true, stacked: true, w: 24 },
    ),
    barchart('Wasted energy by institution (kgce)', { spec: wastedBy('institution'), format: 'table' }, 'institution', {
      unit: KGCE_UNIT,
      decimals: 0,
    }),
    barchart('Wasted energy by type (kgce)', { spec: wastedBy('type'), format: 'table' }, 'type', {
      unit: KGCE_UNIT,
      decimals: 0,
    }),
    table(
      'Anomaly list',
      {
        spec: sql(
          `SELECT a.start_ts AS time, a.end_ts AS "end", a.institution, a.scope, a.type, a.energy, a.severity, a.status,
             a.wasted_kgce, a.wasted_native, a.evidence::text AS evidence, a.id
           FROM ${ANOMALIES_WITH_INSTITUTION} ${WHERE} ORDER BY a.start_ts DESC, a.id LIMIT 500`,
          ANOMALY_LIST_COLUMNS,
        ),
        format: 'table',
      },
      {
        keepTime: true,
        w: 24,
        h: 12,
        description: 'Newest first; time = start of the anomaly. Evidence: the observed and expected values, the band.',
      },
    ),
  ],
};
