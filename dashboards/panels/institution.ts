/**
 * *Institution*: one institution's consumption by hour and day, by building, by sub-item and by
 * energy, its intensity per m², and how many readings arrived.
 */
import type { DashboardSpec } from '../grafana.js';
import { consumption, kgce, select, tagMatches } from '../influxql.js';
import { COEFFICIENT_TABLE, HOURLY } from '../schema.js';
import { FLOOR_AREA_WEIGHTED, sql } from '../sql.js';
import { barchart, KGCE_UNIT, row, sqlVariable, stat, table, tagVariable, timeseries } from './common.js';

const T = HOURLY.tags;
const ofInstitution = tagMatches(T.institution, 'institution');
const ofEnergy = tagMatches(T.energy, 'energy');
const KGCE_NOTE = `Standard coal (kgce) of every energy except water, ${COEFFICIENT_TABLE}.`;

const readingsReceived = (o: { every?: string; groupBy?: string[] }) =>
  select({
    columns: [
      { as: 'readings', expr: `sum("${HOURLY.fields.readings}")` },
      ...(o.every === undefined ? [{ as: 'meter_hours', expr: `count("${HOURLY.fields.readings}")` }] : []),
    ],
    from: HOURLY.measurement,
    where: [ofInstitution, ofEnergy],
    ...(o.every === undefined ? {} : { every: o.every, fill: '0' as const }),
    groupBy: o.groupBy ?? [],
  });

export const INSTITUTION: DashboardSpec = {
  uid: 'jieneng-institution',
  title: 'Jieneng · Institution',
  description: 'One institution: consumption by hour and day, by building, sub-item and energy; intensity; readings.',
  variables: [
    tagVariable('institution', 'Institution', HOURLY.measurement, T.institution),
    tagVariable('energy', 'Energy', HOURLY.measurement, T.energy, { where: ofInstitution }),
    sqlVariable('floor_area_m2', 'Floor area (m²)', sql(FLOOR_AREA_WEIGHTED, ['floor_area_m2']).text, {
      hiddenPerTimeRange: true,
      description:
        'Floor area of the institution over the time range, from the platform metadata (PostgreSQL): ' +
        'its effective-dated facts weighted by the time each held, else the registry value.',
    }),
  ],
  panels: [
    row('Summary'),
    stat(
      'Energy (kgce)',
      { spec: kgce({ where: [ofInstitution] }), format: 'time_series' },
      {
        unit: KGCE_UNIT,
        decimals: 0,
        description: KGCE_NOTE,
      },
    ),
    stat(
      'Energy intensity (kgce/m²)',
      {
        spec: kgce({ where: [ofInstitution], outer: 'sum("kgce") / $floor_area_m2', as: 'kgce_per_m2' }),
        format: 'time_series',
      },
      {
        unit: 'suffix: kgce/m²',
        decimals: 3,
        description:
          'kgce in the time range divided by the floor area over the time range (hidden variable floor_area_m2: ' +
          'the effective-dated floor areas of the platform metadata, weighted by the time each held).',
      },
    ),
    stat(
      '$energy (native unit)',
      { spec: consumption({ where: [ofInstitution, ofEnergy] }), format: 'time_series' },
      {
        decimals: 1,
      },
    ),
    stat('Readings received ($energy)', { spec: readingsReceived({}), format: 'time_series' }, { decimals: 0 }),
    row('Consumption over time'),
    timeseries(
      '$energy per hour',
      [
        {
          spec: consumption({ where: [ofInstitution, ofEnergy], every: '1h' }),
          format: 'time_series',
          alias: '$energy',
        },
      ],
      { w: 24 },
    ),
    timeseries(
      '$energy per day',
      [
        {
          spec: consumption({ where: [ofInstitution, ofEnergy], every: '1d' }),
          format: 'time_series',
          alias: '$energy',
        },
      ],
      { bars: true },
    ),
    timeseries(
      'Energy per day by energy type (kgce)',
      [
        {
          spec: kgce({ where: [ofInstitution], every: '1d', groupBy: [T.energy] }),
          format: 'time_series',
          alias: '$tag_energy',
        },
      ],
      { unit: KGCE_UNIT, bars: true, stacked: true, description: KGCE_NOTE },
    ),
    row('Breakdown'),
    barchart(
      '$energy by building',
      { spec: consumption({ where: [ofInstitution, ofEnergy], groupBy: [T.building] }), format: 'table' },
      T.building,
      { decimals: 0, w: 8 },
    ),
    timeseries(
      '$energy per day by sub-item',
      [
        {
          spec: consumption({ where: [ofInstitution, ofEnergy], every: '1d', groupBy: [T.subItem] }),
          format: 'time_series',
          alias: '$tag_sub_item',
        },
      ],
      {
        bars: true,
        stacked: true,
        w: 8,
        description:
          'Sub-items (01A00 lighting & sockets, 01B00 air conditioning, …) exist for electricity only. Each kWh counts ' +
          'once, under the highest coded meter above it; what main meters measure beyond their coded sub-meters ' +
          '(unmetered) is not shown: the API answers it (subItem=unmetered).',
      },
    ),
    barchart(
      '$energy by sub-item',
      { spec: consumption({ where: [ofInstitution, ofEnergy], groupBy: [T.subItem] }), format: 'table' },
      T.subItem,
      { decimals: 0, w: 8 },
    ),
    row('Completeness'),
    timeseries(
      'Readings received per day ($energy)',
      [{ spec: readingsReceived({ every: '1d' }), format: 'time_series', alias: 'readings' }],
      {
        bars: true,
        description: 'Raw readings received per local day: sum of hourly.readings.',
      },
    ),
    table(
      'Readings received per meter ($energy)',
      { spec: readingsReceived({ groupBy: [T.meter, T.building] }), format: 'table' },
      {
        sortBy: 'readings',
        ascending: true,
        description: 'Meters with the fewest readings first; meter_hours = hours the meter has a row for.',
      },
    ),
  ],
};
