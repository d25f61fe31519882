/**
 * A district for weather normalisation per institution (issue 18, item 4): `lab` follows its
 * degree days under its building's station `synth` (a cold 2021, a mild 2022: `hddBuilding`);
 * `dark` uses the same gas with no station; `fresh` the same with a station that holds nothing.
 */
import type { HourlyConsumption } from '../../core/domain/consumption.js';
import type { RegistryInput } from '../../core/domain/registry.js';
import { HOUR_MS } from '../../core/domain/time.js';
import type { TestPlatform } from '../helpers/platform.js';
import { hddBuilding } from './hdd-building.js';

const meter = (id: string, buildingId: string) => ({
  id,
  buildingId,
  gatewayId: 'gw-1',
  energy: 'gas' as const,
  unit: 'm3',
  multiplier: 1,
  intervalS: 3600,
});
const institution = (id: string, weatherStationId?: string) => ({
  id,
  name: id,
  districtId: 'cam',
  type: 'office' as const,
  floorAreaM2: 1000,
  occupants: 10,
  ...(weatherStationId === undefined ? {} : { weatherStationId }),
});

/** The registry: three institutions of one type in district `cam`. */
export const DISTRICT_REGISTRY: RegistryInput = {
  districts: [{ id: 'cam', name: 'Cambridge' }],
  institutions: [institution('lab'), institution('dark'), institution('fresh', 'empty')],
  buildings: [
    { id: 'syn', institutionId: 'lab', name: 'syn', floorAreaM2: 1000, weatherStationId: 'synth' },
    { id: 'nowhere', institutionId: 'dark', name: 'nowhere', floorAreaM2: 1000 },
    { id: 'fb', institutionId: 'fresh', name: 'fb', floorAreaM2: 1000 },
  ],
  gateways: [{ id: 'gw-1', secret: 'secret-gw-1' }],
  weatherStations: [
    { id: 'synth', name: 'Synthetic' },
    { id: 'empty', name: 'No data yet' },
  ],
  meters: [meter('syn-gas', 'syn'), meter('dark-gas', 'nowhere'), meter('fresh-gas', 'fb')],
};

/** Registers the district and stores its two years of gas and the station's temperatures. */
export async function seedDistrict(t: TestPlatform, timeZone: string): Promise<void> {
  const put = await t.api('PUT', '/api/v1/registry', DISTRICT_REGISTRY);
  if (put.status !== 200) throw new Error(JSON.stringify(put.body));
  const syn = hddBuilding('syn-gas', timeZone, [
    [2021, 5],
    [2022, 11],
  ]);
  const copy = (meterId: string) => syn.rows.map((r): HourlyConsumption => ({ ...r, meterId }));
  const fromMs = syn.rows[0]?.hourStartMs ?? 0;
  const toMs = (syn.rows.at(-1)?.hourStartMs ?? 0) + HOUR_MS;
  await t.platform.store.replaceHourly(
    ['syn-gas', 'dark-gas', 'fresh-gas'].map((meterId) => ({ meterId, fromMs, toMs })),
    [...syn.rows, ...copy('dark-gas'), ...copy('fresh-gas')],
  );
  await t.platform.store.weather.putObservations('synth', syn.weather);
}
