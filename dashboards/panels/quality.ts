/**
 * *Data quality*: collection points that stopped reporting, completeness per institution,
 * estimated / suspect / missing hours, dead letters and invalid readings.
 */
import type { DashboardSpec } from '../grafana.js';
import { select, tagMatches, unionEvery } from '../influxql.js';
import { completenessPct, metersNotReporting } from '../queries.js';
import { DEAD_LETTERS, HOURLY, READINGS } from '../schema.js';
import { asDateTime, customVariable, row, stat, table, tagVariable, timeseries } from './common.js';

const H = HOURLY.tags;
const ofInstitutions = tagMatches(H.institution, 'institution');
const NOT_GOOD = ['estimated', 'suspect', 'missing'] as const;
const hoursColumn = (q: string) => `${q}_hours`;
const qualityIs = (q: string) => `"${HOURLY.fields.quality}" = '${q}'`;

const completeness = (o: { every?: string; groupBy?: string[] }) =>
  select({
    columns: [
      { as: 'completeness_pct', expr: completenessPct('$readings_per_hour') },
      ...(o.every === undefined
        ? [
            { as: 'readings', expr: 'sum("readings")' },
            { as: 'meter_hours', expr: 'count("readings")' },
          ]
        : []),
    ],
    from: HOURLY.measurement,
    where: [ofInstitutions],
    ...(o.every === undefined ? {} : { every: o.every, fill: 'none' as const }),
    groupBy: o.groupBy ?? [],
  });

const deadLetterCount = (o: { every?: string; groupBy: string[] }) =>
  select({
    columns: [{ as: 'dead_letters', expr: `count("${DEAD_LETTERS.fields.reason}")` }],
    from: DEAD_LETTERS.measurement,
    ...(o.every === undefined ? {} : { every: o.every, fill: '0' as const }),
    groupBy: o.groupBy,
  });

const invalidReadings = (groupBy: string[]) =>
  select({
    columns: [{ as: 'invalid_readings', expr: `count("${READINGS.fields.value}")` }],
    from: READINGS.measurement,
    where: [`"${READINGS.fields.invalid}" = true`],
    groupBy,
  });

const NOT_REPORTING_NOTE =
  'Meters seen in the time range whose last reading is older than $offline_after. Readings carry no institution ' +
  'tag, so this covers every institution; a meter silent over the whole time range is not listed here ' +
  '(see missing hours below).';

export const QUALITY: DashboardSpec = {
  uid: 'jieneng-quality',
  title: 'Jieneng · Data quality',
  description: 'Collection points not reporting, completeness, interval quality, dead letters and invalid readings.',
  time: { from: 'now-2d', to: 'now' },
  variables: [
    tagVariable('institution', 'Institution', HOURLY.measurement, H.institution, { multi: true }),
    customVariable(
      'offline_after',
      'Offline after',
      ['45m', '1h30m', '3h', '6h', '1d'],
      'A meter counts as not reporting after 3 expected intervals without a reading: 45m for 15-minute meters, 3h for hourly ones.',
    ),
    customVariable(
      'readings_per_hour',
      'Readings per hour',
      ['4', '1', '2', '12', '60'],
      'Readings expected per meter and hour (60 ÷ reading interval in minutes): the completeness denominator.',
    ),
  ],
  panels: [
    row('Collection points'),
    stat(
      'Meters not reporting',
      {
        spec: select({
          columns: [{ as: 'meters', expr: 'count("last_received_ms")' }],
          from: [metersNotReporting('$offline_after')],
        }),
        format: 'time_series',
      },
      {
        calc: 'lastNotNull',
        noValue: '0',
        description: 'Meters seen in the time range with no reading for $offline_after (all institutions).',
      },
    ),
    stat(
      'Completeness',
      { spec: completeness({}), format: 'time_series' },
      {
        calc: 'lastNotNull',
        unit: 'percent',
        decimals: 1,
        description: 'Readings received / (meter-hours × $readings_per_hour); the norm is ≥ 90 %.',
      },
    ),
    stat(
      'Dead letters',
      { spec: deadLetterCount({ groupBy: [] }), format: 'time_series' },
      {
        noValue: '0',
        description: 'Readings and messages rejected at ingest, all gateways.',
      },
    ),
    stat('Readings flagged invalid', { spec: invalidReadings([]), format: 'time_series' }, { noValue: '0' }),
    table(
      'Meters not reporting (no reading for $offline_after)',
      { spec: metersNotReporting('$offline_after'), format: 'table' },
      {
        sortBy: 'last_received_ms',
        ascending: true,
        w: 24,
        overrides: [asDateTime('last_received_ms')],
        description: NOT_REPORTING_NOTE,
      },
    ),
    row('Completeness'),
    timeseries(
      'Completeness per institution per day (%)',
      [
        {
          spec: completeness({ every: '1d', groupBy: [H.institution] }),
          format: 'time_series',
          alias: '$tag_institution',
        },
      ],
      { unit: 'percent', thresholdLine: 90, description: 'Dashed line: the 90 % completeness norm.' },
    ),
    table(
      'Completeness per institution',
      { spec: completeness({ groupBy: [H.institution] }), format: 'table' },
      {
        sortBy: 'completeness_pct',
        ascending: true,
        overrides: [
          { matcher: { id: 'byName', options: 'completeness_pct' }, properties: [{ id: 'unit', value: 'percent' }] },
        ],
      },
    ),
    row('Interval quality'),
    timeseries(
      'Hours not good per day',
      NOT_GOOD.map((q) => ({
        spec: select({
          columns: [{ as: hoursColumn(q), expr: `count("${HOURLY.fields.amount}")` }],
          from: HOURLY.measurement,
          where: [qualityIs(q), ofInstitutions],
          every: '1d',
          fill: '0',
        }),
        format: 'time_series' as const,
        alias: hoursColumn(q),
      })),
      { bars: true, stacked: true, description: 'Meter-hours whose quality is estimated, suspect or missing.' },
    ),
    table(
      'Hours not good per meter',
      {
        spec: select({
          columns: NOT_GOOD.map((q) => ({ as: hoursColumn(q), expr: `sum("${hoursColumn(q)}")` })),
          from: unionEvery(
            NOT_GOOD.map(hoursColumn),
            NOT_GOOD.map((q) => ({
              own: hoursColumn(q),
              expr: `count("${HOURLY.fields.amount}")`,
              where: [qualityIs(q), ofInstitutions],
            })),
            { groupBy: [H.institution, H.meter] },
            HOURLY.measurement,
          ),
          groupBy: [H.institution, H.meter],
        }),
        format: 'table',
      },
      { sortBy: 'missing_hours' },
    ),
    row('Dead letters and invalid readings'),
    timeseries(
      'Dead letters by reason',
      [
        {
          spec: deadLetterCount({ every: '$__interval', groupBy: [DEAD_LETTERS.tags.reasonLabel] }),
          format: 'time_series',
          alias: '$tag_reason_label',
        },
      ],
      { bars: true, stacked: true, interval: '15m' },
    ),
    table(
      'Dead letters by gateway and reason',
      {
        spec: deadLetterCount({ groupBy: [DEAD_LETTERS.tags.gateway, DEAD_LETTERS.tags.reasonLabel] }),
        format: 'table',
      },
      { sortBy: 'dead_letters' },
    ),
    table(
      'Latest dead letters',
      {
        spec: select({
          columns: [
            { as: DEAD_LETTERS.tags.gateway },
            { as: DEAD_LETTERS.tags.reasonLabel },
            { as: DEAD_LETTERS.fields.reason },
            { as: DEAD_LETTERS.fields.meter },
            { as: DEAD_LETTERS.fields.raw },
          ],
          from: DEAD_LETTERS.measurement,
          newestFirst: true,
          limit: 200,
        }),
        format: 'table',
      },
      { keepTime: true, w: 16 },
    ),
    table(
      'Invalid readings by gateway',
      { spec: invalidReadings([READINGS.tags.gateway]), format: 'table' },
      {
        sortBy: 'invalid_readings',
        w: 8,
      },
    ),
  ],
};
