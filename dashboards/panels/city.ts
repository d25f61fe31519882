/**
 * *City overview*: consumption and standard coal by district and institution, a ranking, and the
 * institutions' monthly targets (PostgreSQL) against their consumption (InfluxDB).
 */
import type { DashboardSpec } from '../grafana.js';
import { consumption, kgce, select, tagIs, tagMatches } from '../influxql.js';
import { COEFFICIENT_TABLE, HOURLY, ZONE } from '../schema.js';
import { isMonthlyKgceTarget, local, sql, targetInstitution } from '../sql.js';
import { barchart, KGCE_UNIT, row, stat, table, tagVariable, timeseries } from './common.js';

const T = HOURLY.tags;
const inDistricts = tagMatches(T.district, 'district');
const ofEnergy = tagMatches(T.energy, 'energy');
const KGCE_NOTE = `Standard coal (kgce) of every energy except water, ${COEFFICIENT_TABLE}.`;

export const CITY: DashboardSpec = {
  uid: 'jieneng-city',
  title: 'Jieneng · City overview',
  description: 'Consumption and standard coal (kgce) of the city by district and institution, with a ranking.',
  variables: [
    tagVariable('district', 'District', HOURLY.measurement, T.district, { multi: true }),
    tagVariable('energy', 'Energy', HOURLY.measurement, T.energy, {
      description: 'Energy of the native-unit panels (kWh, m³, GJ)',
    }),
  ],
  panels: [
    row('Totals in the time range'),
    stat(
      'Energy (kgce)',
      { spec: kgce({ where: [inDistricts] }), format: 'time_series' },
      {
        unit: KGCE_UNIT,
        decimals: 0,
        description: KGCE_NOTE,
      },
    ),
    stat(
      'Water (m³)',
      { spec: consumption({ where: [tagIs(T.energy, 'water'), inDistricts] }), format: 'time_series' },
      { unit: 'suffix: m³', decimals: 0, description: 'Water is reported in its own unit, never added into kgce.' },
    ),
    stat(
      '$energy (native unit)',
      { spec: consumption({ where: [ofEnergy, inDistricts] }), format: 'time_series' },
      { decimals: 0 },
    ),
    stat(
      'Institutions reporting',
      {
        spec: select({
          columns: [{ as: 'institutions', expr: 'count("amount")' }],
          from: [consumption({ where: [inDistricts], groupBy: [T.institution] })],
        }),
        format: 'time_series',
      },
      { calc: 'lastNotNull', description: 'Institutions with any hourly consumption in the time range.' },
    ),
    row('By district'),
    timeseries(
      'Energy by district (kgce per interval)',
      [
        {
          spec: kgce({ where: [inDistricts], every: '$__interval', groupBy: [T.district] }),
          format: 'time_series',
          alias: '$tag_district',
        },
      ],
      { unit: KGCE_UNIT, bars: true, stacked: true, interval: '1h', description: KGCE_NOTE },
    ),
    barchart(
      'Energy by district (kgce)',
      { spec: kgce({ where: [inDistricts], groupBy: [T.district] }), format: 'table' },
      T.district,
      { unit: KGCE_UNIT, decimals: 0, description: KGCE_NOTE },
    ),
    timeseries(
      '$energy by district (native unit per interval)',
      [
        {
          spec: consumption({ where: [ofEnergy, inDistricts], every: '$__interval', groupBy: [T.district] }),
          format: 'time_series',
          alias: '$tag_district',
        },
      ],
      { bars: true, stacked: true, interval: '1h' },
    ),
    barchart(
      '$energy by district (native unit)',
      { spec: consumption({ where: [ofEnergy, inDistricts], groupBy: [T.district] }), format: 'table' },
      T.district,
      { decimals: 0 },
    ),
    row('By institution'),
    table(
      'Ranking by energy (kgce)',
      { spec: kgce({ where: [inDistricts], groupBy: [T.institution, T.district] }), format: 'table' },
      {
        sortBy: 'kgce',
        unit: KGCE_UNIT,
        decimals: 0,
        h: 12,
        description: `${KGCE_NOTE} Per m² figures need floor areas from the registry: see the Institution dashboard.`,
      },
    ),
    barchart(
      '$energy by institution (native unit)',
      { spec: consumption({ where: [ofEnergy, inDistricts], groupBy: [T.institution] }), format: 'table' },
      T.institution,
      { decimals: 0, h: 12 },
    ),
    timeseries(
      'Energy by institution (kgce per day)',
      [
        {
          spec: kgce({ where: [inDistricts], every: '1d', groupBy: [T.institution] }),
          format: 'time_series',
          alias: '$tag_institution',
        },
      ],
      { unit: KGCE_UNIT, w: 24, h: 10, description: `${KGCE_NOTE} Days are local days (${ZONE}).` },
    ),
    row('Targets'),
    table(
      'Monthly targets: this month so far (kgce)',
      [
        { spec: kgce({ where: [inDistricts], groupBy: [T.institution] }), format: 'table' },
        {
          spec: sql(
            `SELECT ${targetInstitution} AS institution, t.value AS target_kgce
             FROM targets t WHERE ${isMonthlyKgceTarget('$__timeFrom()::timestamptz')}
             AND ${targetInstitution} IN (SELECT id FROM institutions WHERE district_id IN ($district))
             ORDER BY 1`,
            ['institution', 'target_kgce'],
          ),
          format: 'table',
        },
      ],
      {
        timeFrom: 'now/M',
        joinBy: T.institution,
        transform: [
          {
            id: 'calculateField',
            options: {
              mode: 'binary',
              binary: { left: 'kgce', operator: '/', right: 'target_kgce' },
              alias: 'share_of_target',
            },
          },
        ],
        sortBy: 'share_of_target',
        decimals: 0,
        overrides: [
          {
            matcher: { id: 'byName', options: 'share_of_target' },
            properties: [
              { id: 'unit', value: 'percentunit' },
              { id: 'decimals', value: 1 },
            ],
          },
        ],
        w: 24,
        description:
          'Standard coal of the month so far (InfluxDB) against each institution’s monthly target in kgce ' +
          '(`energy: all`, set with PUT /api/v1/targets; PostgreSQL), joined by institution. The month is the ' +
          `local month (${ZONE}), whatever the dashboard's time range. The platform's forecast and status are in ` +
          'GET /api/v1/targets/progress; the alert rule *Institution above its monthly target* fires on the same figures.',
      },
    ),
    table(
      'Targets of the year',
      {
        spec: sql(
          `SELECT t.scope, t.energy, t.period, t.value, t.unit FROM targets t
           WHERE t.period LIKE to_char(${local('$__timeTo()::timestamptz')}, 'YYYY') || '%'
           ORDER BY t.scope, t.energy, t.period`,
          ['scope', 'energy', 'period', 'value', 'unit'],
        ),
        format: 'table',
      },
      {
        keepTime: true,
        w: 24,
        description:
          'Every target of the year of the end of the time range: annual (YYYY) and monthly (YYYY-MM) quotas ' +
          'per scope and energy, in native units, kgce or per m² / per capita.',
      },
    ),
  ],
};
