/**
 * The province of issue 19 (items 3 and 4): `meters` electricity meters, ten per institution (the
 * issue's ratio), behind `gateways` gateways in contiguous blocks (five meters each at 100,000 /
 * 20,000). The registry is written into the store before the platform starts, as an operator's
 * existing installation would be: a registry `PUT` would hash 20,000 secrets (scrypt, ~50 ms each
 * here: ~17 min of CPU). The first `coldGateways` gateways have secrets of their own (one scrypt
 * each at their first login after a start); the others share one secret, so that after its first
 * login theirs cost one SHA-256 (what a login costs once the platform has seen the secret).
 */
import { type Registry, RegistryInputSchema } from '../core/domain/registry.js';
import { hashSecret } from '../core/security.js';
import { EmbeddedStore } from '../core/storage/duckdb/embedded-store.js';

/** One size of the province. */
export interface ProvinceSpec {
  readonly meters: number;
  readonly gateways: number;
  /** Gateways (the first ones) with a secret of their own, for the cold-login sample. */
  readonly coldGateways: number;
}

/** Interval between a meter's readings, ms. */
export const STEP_MS = 900_000;
export const TIME_ZONE = 'Asia/Shanghai';
const METERS_PER_INSTITUTION = 10;
/** Institutions per district. */
const INSTITUTIONS_PER_DISTRICT = 100;
const SHARED_SECRET = 'bench-province-shared-secret';

const pad = (n: number) => String(n).padStart(6, '0');
export const gatewayIdOf = (g: number) => `pg${pad(g)}`;
export const meterIdOf = (k: number) => `pm${pad(k)}`;
export const secretOf = (spec: ProvinceSpec, g: number) =>
  g < spec.coldGateways ? `bench-province-cold-${gatewayIdOf(g)}` : SHARED_SECRET;

/** The gateway of meter `k`: contiguous blocks, as many meters each as the sizes allow. */
export const gatewayOfMeter = (spec: ProvinceSpec, k: number) => Math.floor((k * spec.gateways) / spec.meters);

/** The meters of gateway `g` (the inverse of `gatewayOfMeter`). */
export function metersOfGateway(spec: ProvinceSpec, g: number): number[] {
  const first = Math.ceil((g * spec.meters) / spec.gateways);
  const end = Math.ceil(((g + 1) * spec.meters) / spec.gateways);
  return Array.from({ length: end - first }, (_, i) => first + i);
}

/** The registry as submitted (secrets in clear). */
function registryInput(spec: ProvinceSpec) {
  const institutions = Math.ceil(spec.meters / METERS_PER_INSTITUTION);
  const is = Array.from({ length: institutions }, (_, i) => i);
  // A province's counties and city districts: one per 100 institutions (as the scale bench's cities).
  const districts = Array.from({ length: Math.ceil(institutions / INSTITUTIONS_PER_DISTRICT) }, (_, d) => d);
  return RegistryInputSchema.parse({
    districts: districts.map((d) => ({ id: `pd${pad(d)}`, name: `压测区${pad(d)}` })),
    institutions: is.map((i) => ({
      id: `pi${pad(i)}`,
      name: `机构${pad(i)}`,
      districtId: `pd${pad(Math.floor(i / INSTITUTIONS_PER_DISTRICT))}`,
      type: 'office',
      floorAreaM2: 10_000,
      occupants: 200,
    })),
    buildings: is.map((i) => ({
      id: `pb${pad(i)}`,
      institutionId: `pi${pad(i)}`,
      name: `楼${pad(i)}`,
      floorAreaM2: 10_000,
    })),
    gateways: Array.from({ length: spec.gateways }, (_, g) => ({ id: gatewayIdOf(g), secret: secretOf(spec, g) })),
    meters: Array.from({ length: spec.meters }, (_, k) => ({
      id: meterIdOf(k),
      buildingId: `pb${pad(Math.floor(k / METERS_PER_INSTITUTION))}`,
      gatewayId: gatewayIdOf(gatewayOfMeter(spec, k)),
      energy: 'electricity',
      unit: 'kWh',
      multiplier: 1,
      intervalS: STEP_MS / 1000,
    })),
  });
}

/** Writes the province's registry into the (new) store of `dataDir`. */
export async function seedProvince(dataDir: string, spec: ProvinceSpec): Promise<void> {
  const input = registryInput(spec);
  const shared = await hashSecret(SHARED_SECRET);
  const gateways = await Promise.all(
    input.gateways.map(async ({ secret, ...g }, i) => ({
      ...g,
      secretHash: i < spec.coldGateways ? await hashSecret(secret) : shared,
    })),
  );
  const registry: Registry = { ...input, gateways };
  const store = await EmbeddedStore.open({ dataDir, timeZone: TIME_ZONE });
  try {
    await store.saveRegistry(registry);
  } finally {
    await store.close();
  }
}

/**
 * The messages of gateway `g` for steps [fromStep, toStep] of every meter, in time order (all its
 * meters of a step together), `perMessage` readings each. The register of every meter is its step
 * number (multiplier 1): every interval is 1 kWh.
 */
export function gatewayMessages(
  spec: ProvinceSpec,
  g: number,
  w: { startMs: number; fromStep: number; toStep: number; perMessage: number },
): string[] {
  const meters = metersOfGateway(spec, g);
  const messages: string[] = [];
  let readings: { meter: string; ts: number; value: number }[] = [];
  for (let s = w.fromStep; s <= w.toStep; s++)
    for (const k of meters) {
      readings.push({ meter: meterIdOf(k), ts: w.startMs + s * STEP_MS, value: s });
      if (readings.length === w.perMessage) {
        messages.push(JSON.stringify({ readings }));
        readings = [];
      }
    }
  if (readings.length > 0) messages.push(JSON.stringify({ readings }));
  return messages;
}
