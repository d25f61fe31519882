/** Queries shared by a dashboard and an alert rule. */
import { id, type QuerySpec, select } from './influxql.js';
import { READINGS } from './schema.js';

const T = READINGS.tags;
const F = READINGS.fields;

/**
 * Per meter seen in the time range: readings received in the last `window` (`recent`, 0 when
 * silent) and when its latest reading arrived (`last_received_ms`, epoch ms). InfluxQL has no
 * outer join: the union of "readings in the window" and "every meter in the range, counted × 0"
 * gives the silent meters a 0 instead of no row.
 */
export function readingsPerMeter(window: string, o: { readonly lastReceived?: boolean } = {}): QuerySpec {
  const last = { as: 'last_received_ms', expr: `last(${id(F.receivedMs)})` };
  const groupBy = [T.meter, T.gateway];
  const recent = select({
    columns: [{ as: 'recent', expr: `count(${id(F.value)})` }, last],
    from: READINGS.measurement,
    where: [`time > now() - ${window}`],
    groupBy,
  });
  const seen = select({
    columns: [{ as: 'recent', expr: `count(${id(F.value)}) * 0` }, last],
    from: READINGS.measurement,
    groupBy,
  });
  return select({
    // An alert wants one value per meter: two columns would give two series with the same labels.
    columns: [
      { as: 'recent', expr: 'sum("recent")' },
      ...(o.lastReceived === false ? [] : [{ as: 'last_received_ms', expr: 'max("last_received_ms")' }]),
    ],
    from: [recent, seen],
    groupBy,
  });
}

/** Meters seen in the time range that sent no reading in the last `window`. */
export function metersNotReporting(window: string): QuerySpec {
  return select({
    columns: [{ as: 'last_received_ms' }, { as: 'recent' }],
    from: [readingsPerMeter(window)],
    where: ['"recent" = 0'],
    groupBy: [T.meter, T.gateway],
  });
}

/** Percentage of expected readings received: sum(readings) / (meter-hours × readings per hour). */
export const completenessPct = (readingsPerHour: string): string =>
  `sum("readings") / (count("readings") * ${readingsPerHour}) * 100`;
