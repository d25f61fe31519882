import type { Registry } from '../../domain/registry.js';
import { HOUR_MS } from '../../domain/time.js';
import { foldHourOfDay, type HourOfDayCells } from '../hour-of-day.js';
import type { AggregateQuery, AggregateRow, HourOfDayQuery, HourOfDayRow, MeterFilter } from '../store.js';

/**
 * Hourly rows per InfluxDB answer when folding hours by local clock hour. A city's year is one row
 * per meter and hour (13 M at 1,500 meters): in one answer, a JSON body of ~300 MB that influxd
 * builds whole and Node cannot parse past 512 MB (issue 19, "Province scale").
 */
export const HOUR_OF_DAY_SLICE_ROWS = 500_000;

/** How many of the registry's meters a filter may match (sub-items aside): the rows per hour of a read. */
export function metersMatching(registry: Registry, filter: Omit<MeterFilter, 'subItemPrefix'>): number {
  if (filter.meterId !== undefined) return 1;
  const buildings = new Map(registry.buildings.map((b) => [b.id, b]));
  const institutions = new Map(registry.institutions.map((i) => [i.id, i]));
  return registry.meters.filter((m) => {
    if (filter.energy !== undefined && m.energy !== filter.energy) return false;
    if (filter.buildingId !== undefined && m.buildingId !== filter.buildingId) return false;
    const institutionId = buildings.get(m.buildingId)?.institutionId;
    if (filter.institutionId !== undefined && institutionId !== filter.institutionId) return false;
    const districtId = institutionId === undefined ? undefined : institutions.get(institutionId)?.districtId;
    return filter.districtId === undefined || districtId === filter.districtId;
  }).length;
}

/**
 * `SeriesStore.hourOfDayAmounts` on InfluxDB (InfluxQL cannot group by local hour of day): the hourly
 * aggregate by meter, read in time slices of about `sliceRows` rows for `meters` meters and folded
 * as each slice arrives, so memory holds one slice. Cells add their hours in time order, as the
 * one-read reference (`hourOfDayFromHourly`) does, so the sums are the same to the last bit.
 */
export async function hourOfDayInSlices(
  aggregate: (q: AggregateQuery) => Promise<AggregateRow[]>,
  q: HourOfDayQuery,
  meters: number,
  sliceRows: number = HOUR_OF_DAY_SLICE_ROWS,
): Promise<HourOfDayRow[]> {
  const b = q.boundariesMs;
  const [firstMs, lastMs] = [b[0] ?? 0, b[b.length - 1] ?? 0];
  if (b.length < 2 || lastMs <= firstMs) return [];
  const sliceMs = Math.max(1, Math.floor(sliceRows / Math.max(1, meters))) * HOUR_MS;
  const cells: HourOfDayCells = new Map();
  for (let fromMs = firstMs; fromMs < lastMs; fromMs += sliceMs) {
    const rows = await aggregate({
      filter: q.filter,
      fromMs,
      toMs: Math.min(lastMs, fromMs + sliceMs),
      interval: 'hour',
      timeZone: q.timeZone,
      groupBy: 'meter',
      sums: [],
    });
    foldHourOfDay(cells, rows, b, q.timeZone);
  }
  return [...cells.values()];
}
