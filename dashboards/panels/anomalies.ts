/**
 * *Anomalies*: detected anomalies and the energy they wasted. Reads the `anomalies` measurement,
 * which is filled once anomaly detection lands in the InfluxDB store.
 */
import type { DashboardSpec } from '../grafana.js';
import { select, tagIs, tagMatches } from '../influxql.js';
import { ANOMALIES, HOURLY } from '../schema.js';
import { barchart, KGCE_UNIT, stat, table, tagVariable, text, timeseries } from './common.js';

const A = ANOMALIES.tags;
const F = ANOMALIES.fields;
const filters = [tagMatches(A.institution, 'institution'), tagMatches(A.type, 'type'), tagMatches(A.status, 'status')];

const count = (o: { where?: string[]; every?: string; groupBy?: string[] }) =>
  select({
    columns: [{ as: 'anomalies', expr: `count("${F.wastedKgce}")` }],
    from: ANOMALIES.measurement,
    where: [...filters, ...(o.where ?? [])],
    ...(o.every === undefined ? {} : { every: o.every, fill: '0' as const }),
    groupBy: o.groupBy ?? [],
  });

const wasted = (groupBy: string[]) =>
  select({
    columns: [{ as: 'wasted_kgce', expr: `sum("${F.wastedKgce}")` }],
    from: ANOMALIES.measurement,
    where: filters,
    groupBy,
  });

export const ANOMALIES_DASHBOARD: DashboardSpec = {
  uid: 'jieneng-anomalies',
  title: 'Jieneng · Anomalies',
  description:
    'Detected anomalies (after-hours base load, spikes, offline or flat meters, …) and the energy they wasted.',
  time: { from: 'now-30d', to: 'now' },
  variables: [
    tagVariable('institution', 'Institution', HOURLY.measurement, HOURLY.tags.institution, { multi: true }),
    tagVariable('type', 'Type', ANOMALIES.measurement, A.type, { multi: true }),
    tagVariable('status', 'Status', ANOMALIES.measurement, A.status, { multi: true }),
  ],
  panels: [
    text(
      'About this dashboard',
      'Anomalies are written to the InfluxDB measurement `anomalies` once anomaly detection lands in the store; ' +
        'until then these panels stay empty. Wasted energy is in kgce (water anomalies count 0 kgce) and in the ' +
        "meter's native unit.",
      { h: 3 },
    ),
    stat('Anomalies', { spec: count({}), format: 'time_series' }, { noValue: '0' }),
    stat(
      'Open anomalies',
      { spec: count({ where: [tagIs(A.status, 'open')] }), format: 'time_series' },
      { noValue: '0' },
    ),
    stat(
      'Wasted energy (kgce)',
      { spec: wasted([]), format: 'time_series' },
      { unit: KGCE_UNIT, decimals: 0, noValue: '0' },
    ),
    stat(
      'Institutions affected',
      {
        spec: select({
          columns: [{ as: 'institutions', expr: 'count("anomalies")' }],
          from: [count({ groupBy: [A.institution] })],
        }),
        format: 'time_series',
      },
      { calc: 'lastNotNull', noValue: '0' },
    ),
    timeseries(
      'Anomalies by type',
      [{ spec: count({ every: '$__interval', groupBy: [A.type] }), format: 'time_series', alias: '$tag_type' }],
      { bars: true, stacked: true, interval: '1d', w: 24 },
    ),
    barchart('Wasted energy by institution (kgce)', { spec: wasted([A.institution]), format: 'table' }, A.institution, {
      unit: KGCE_UNIT,
      decimals: 0,
    }),
    barchart('Wasted energy by type (kgce)', { spec: wasted([A.type]), format: 'table' }, A.type, {
      unit: KGCE_UNIT,
      decimals: 0,
    }),
    table(
      'Anomaly list',
      {
        spec: select({
          columns: [
            { as: A.institution },
            { as: A.meter },
            { as: A.type },
            { as: A.severity },
            { as: A.status },
            { as: F.wastedKgce },
            { as: F.wastedNative },
            { as: F.evidence },
          ],
          from: ANOMALIES.measurement,
          where: filters,
          newestFirst: true,
          limit: 500,
        }),
        format: 'table',
      },
      { keepTime: true, w: 24, h: 12, description: 'Newest first; time = start of the anomaly.' },
    ),
  ],
};
