import { z } from 'zod';
import { GridRegionSchema } from './carbon.js';
import { CreditCodeSchema, InstitutionNatureSchema } from './credit-code.js';
import { EnergySchema } from './energy.js';
import { meterTreeProblems } from './meter-tree.js';
import { SubItemCodeSchema } from './sub-items.js';
import { unitFactorToNative } from './units.js';

/** The characters of an identifier: letters, digits, `-`, `_`, `.`, starting with a letter or digit. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
/** The longest identifier, in characters. */
export const ID_MAX_CHARS = 64;

/** Identifiers: letters, digits, `-`, `_`, `.`; no `/`, `+` or `#` so they are safe in MQTT topics. */
export const IdSchema = z.string().min(1).max(ID_MAX_CHARS).regex(ID_PATTERN, 'id of letters, digits, "-", "_" or "."');

/** Largest CT/PT multiplier of a meter: 1e6 (dimensionless). A register delta × multiplier must stay storable. */
export const MULTIPLIER_MAX = 1e6;

/** Largest register modulus, in the meter's own unit: 1e12 (12 integer digits), the register bound REGISTER_MAX + 1. */
export const REGISTER_MODULUS_MAX = 1e12;

/** Largest `maxPlausiblePerHour`, in native units per hour: 1e9, the most one interval may hold (MAX_INTERVAL_NATIVE). */
export const MAX_PLAUSIBLE_PER_HOUR_MAX = 1e9;

/**
 * The first control or bidi-control character of a text, as `U+XXXX`: C0 and C1 controls, DEL,
 * and the marks and embeddings of Unicode bidi (UAX #9) that let a name display as something else
 * (a "Trojan Source" spoof, CVE-2021-42574).
 */
export function controlCharacterIn(text: string): string | undefined {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (
      c <= 0x1f ||
      (c >= 0x7f && c <= 0x9f) ||
      c === 0x061c ||
      c === 0x200e ||
      c === 0x200f ||
      (c >= 0x202a && c <= 0x202e) ||
      (c >= 0x2066 && c <= 0x2069)
    ) {
      return `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
    }
  }
  return undefined;
}

/** A display name (of a district, institution, building, gateway or meter) without control or bidi characters. */
function nameSchema(field: string) {
  return z
    .string()
    .max(200)
    .superRefine((text, ctx) => {
      const found = controlCharacterIn(text);
      if (found !== undefined) {
        ctx.addIssue({ code: 'custom', message: `${field} contains ${found}, a control or bidi-control character` });
      }
    });
}

/** Kinds of public institution, which drive load profiles, peer groups and default targets. */
export const InstitutionTypeSchema = z.enum(['office', 'school', 'hospital', 'venue', 'other']);
export type InstitutionType = z.infer<typeof InstitutionTypeSchema>;

/** A district (区) of the city. */
export const DistrictSchema = z.object({ id: IdSchema, name: nameSchema('district name').min(1) });
export type District = z.infer<typeof DistrictSchema>;

/** A public institution (公共机构) with its floor area and staff for intensity figures. */
export const InstitutionSchema = z.object({
  id: IdSchema,
  name: nameSchema('institution name').min(1),
  districtId: IdSchema,
  type: InstitutionTypeSchema,
  floorAreaM2: z.number().positive(),
  occupants: z.number().int().nonnegative(),
  /**
   * The power grid region whose emission factor its electricity takes (issue "The statutory year"),
   * one of the carbon table's regions (GRID_REGIONS); default: `DEFAULT_GRID_REGION`.
   */
  gridRegion: GridRegionSchema.optional(),
  /**
   * The unified social credit code (统一社会信用代码, GB 32100-2015), mandatory on the statistics
   * forms since the 2022 revision: 18 characters with a valid check digit (issue 16, item 3).
   */
  creditCode: CreditCodeSchema.optional(),
  /** The nature of the unit (单位性质) the statistics forms code (01, 021–026, 03): `INSTITUTION_NATURES`. */
  nature: InstitutionNatureSchema.optional(),
  /** The weather station whose outdoor temperature its buildings take by default (issue 18, item 1). */
  weatherStationId: IdSchema.optional(),
});
export type Institution = z.infer<typeof InstitutionSchema>;

/** A building of an institution. */
export const BuildingSchema = z.object({
  id: IdSchema,
  institutionId: IdSchema,
  name: nameSchema('building name').min(1),
  floorAreaM2: z.number().positive(),
  /** Its own weather station, overriding its institution's (issue 18, item 1). */
  weatherStationId: IdSchema.optional(),
});
export type Building = z.infer<typeof BuildingSchema>;

/**
 * A weather station (issue 18, item 1): a source of hourly outdoor temperature, fed through the API
 * or over MQTT by one of `gatewayIds` (none: the API only).
 */
export const WeatherStationSchema = z.object({
  id: IdSchema,
  name: nameSchema('weather station name').min(1),
  /** The gateways that may publish its observations on their `weather` topic. */
  gatewayIds: z.array(IdSchema).max(100).optional(),
});
export type WeatherStation = z.infer<typeof WeatherStationSchema>;

/** A gateway (数据采集器) as submitted: the secret in clear, to be hashed before storage. */
export const GatewayInputSchema = z.object({
  id: IdSchema,
  name: nameSchema('gateway name').optional(),
  secret: z.string().min(8, 'secret of at least 8 characters').max(200),
});
export type GatewayInput = z.infer<typeof GatewayInputSchema>;

/** A gateway as stored: only a hash of its secret is kept. */
export const GatewaySchema = z.object({
  id: IdSchema,
  name: nameSchema('gateway name').optional(),
  secretHash: z.string().min(1),
});
export type Gateway = z.infer<typeof GatewaySchema>;

/** A meter (collection point, 采集点) reporting a cumulative register. */
export const MeterSchema = z
  .object({
    id: IdSchema,
    name: nameSchema('meter name').optional(),
    buildingId: IdSchema,
    /** The gateway that publishes the meter's register; none for a manual or virtual meter. */
    gatewayId: IdSchema.optional(),
    energy: EnergySchema,
    subItem: SubItemCodeSchema.optional(),
    /** Unit the register counts in; must be one of METER_UNITS for the energy. */
    unit: z.string().min(1),
    /** CT/PT ratio: consumption = register delta × multiplier; in (0, MULTIPLIER_MAX]. */
    multiplier: z.number().positive().max(MULTIPLIER_MAX).default(1),
    /** The register counts modulo this value (e.g. 100000000 for 8 integer digits); in (0, REGISTER_MODULUS_MAX]. */
    registerModulus: z.number().positive().max(REGISTER_MODULUS_MAX).optional(),
    /** Expected interval between readings, in seconds (1 min to 1 h in national guidance). */
    intervalS: z.number().int().min(1).max(86_400).default(900),
    /**
     * What the register counts: `import` (consumption; when omitted), `export` (energy fed out, e.g.
     * solar: counted negative, so that sums are net), or `net` (a net register that may go down).
     */
    direction: z.enum(['import', 'export', 'net']).optional(),
    /**
     * Largest plausible consumption per hour, in the native unit after the multiplier (for
     * electricity, rated power in kW × 1.25). A faster rise is quarantined: flagged, not summed.
     * In (0, MAX_PLAUSIBLE_PER_HOUR_MAX].
     */
    maxPlausiblePerHour: z.number().positive().max(MAX_PLAUSIBLE_PER_HOUR_MAX).optional(),
    /** Installation instant (ISO 8601 with offset); earlier readings are rejected. */
    installedAt: z.iso.datetime({ offset: true }).optional(),
    /**
     * When the meter was first registered (ISO 8601, set by the platform; a value sent is ignored):
     * a meter without `installedAt` that never reported is offline this long after it.
     */
    registeredAt: z.iso.datetime({ offset: true }).optional(),
    /**
     * The meter whose measurement includes this one (a main meter above its sub-meters): same
     * building and energy. Totals count only meters without a parent, so nothing is counted twice.
     */
    parentId: IdSchema.optional(),
    /** How readings arrive: `auto` (a gateway publishes them; when omitted) or `manual` (entered by a user). */
    reading: z.enum(['auto', 'manual']).optional(),
    /**
     * Where the meter was counted before each dated `move` or `parent` event, oldest first: the
     * hours starting before `until` (and at or after the previous entry's) belong to `buildingId`
     * under `parentId` (none: a main meter). Set by the platform from the events; a value sent is
     * ignored (issue "The meter model").
     */
    attribution: z
      .array(z.object({ until: z.iso.datetime({ offset: true }), buildingId: IdSchema, parentId: IdSchema.optional() }))
      .max(1000)
      .optional(),
    /** The utility account number (户号) whose bills cover this meter (issue "The statutory year"). */
    accountNo: z.string().trim().min(1).max(64).optional(),
    /** A virtual meter: the sum of `plus` minus the sum of `minus`; never part of a total. */
    virtual: z
      .object({
        plus: z.array(IdSchema).min(1).max(100),
        minus: z.array(IdSchema).max(100).default([]),
      })
      .optional(),
  })
  .superRefine((meter, ctx) => {
    const kind = meterKind(meter);
    if (kind === 'gateway' && meter.gatewayId === undefined) {
      ctx.addIssue({ code: 'custom', path: ['gatewayId'], message: 'a meter read by a gateway needs gatewayId' });
    }
    if (kind !== 'gateway' && meter.gatewayId !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['gatewayId'], message: `a ${kind} meter has no gateway` });
    }
    if (meter.virtual !== undefined && meter.reading === 'manual') {
      ctx.addIssue({ code: 'custom', path: ['reading'], message: 'a virtual meter has no readings' });
    }
    if (meter.virtual !== undefined && meter.parentId !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['parentId'], message: 'a virtual meter is never part of a tree' });
    }
    if (unitFactorToNative(meter.energy, meter.unit) === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['unit'],
        message: `unit "${meter.unit}" does not fit energy ${meter.energy}`,
      });
    }
    if (meter.subItem !== undefined && meter.energy !== 'electricity') {
      ctx.addIssue({ code: 'custom', path: ['subItem'], message: 'sub-items apply to electricity meters only' });
    }
  });
export type Meter = z.infer<typeof MeterSchema>;

/** How a meter's consumption arrives: from a gateway, entered by hand, or computed from other meters. */
export type MeterKind = 'gateway' | 'manual' | 'virtual';

/** A meter's kind: `virtual` with a formula, `manual` with `reading: 'manual'`, else `gateway`. */
export function meterKind(meter: Pick<Meter, 'virtual' | 'reading'>): MeterKind {
  return meter.virtual !== undefined ? 'virtual' : meter.reading === 'manual' ? 'manual' : 'gateway';
}

/** The registry as submitted to `PUT /api/v1/registry`. */
export const RegistryInputSchema = z.object({
  districts: z.array(DistrictSchema).default([]),
  institutions: z.array(InstitutionSchema).default([]),
  buildings: z.array(BuildingSchema).default([]),
  gateways: z.array(GatewayInputSchema).default([]),
  meters: z.array(MeterSchema).default([]),
  weatherStations: z.array(WeatherStationSchema).optional(),
});
export type RegistryInput = z.infer<typeof RegistryInputSchema>;

/** The registry as stored and served (gateway secrets hashed). */
export interface Registry {
  readonly districts: readonly District[];
  readonly institutions: readonly Institution[];
  readonly buildings: readonly Building[];
  readonly gateways: readonly Gateway[];
  readonly meters: readonly Meter[];
  /** Weather stations (issue 18, item 1); absent when there are none. */
  readonly weatherStations?: readonly WeatherStation[];
}

/** An empty registry. */
export const EMPTY_REGISTRY: Registry = Object.freeze({
  districts: [],
  institutions: [],
  buildings: [],
  gateways: [],
  meters: [],
});

/** One problem in a registry submission: where (`meters[3].buildingId`) and what. */
export interface RegistryProblem {
  readonly path: string;
  readonly message: string;
}

type Kind = Exclude<keyof Registry, 'weatherStations'>;

/**
 * Merges an upsert into the current registry by id and checks referential integrity of the
 * result: every reference resolves, ids are unique within the submission. Returns every problem
 * at once so that a client can fix a whole file in one go.
 */
export function mergeRegistry(
  current: Registry,
  upsert: Registry,
): { registry: Registry; problems: RegistryProblem[] } {
  const problems: RegistryProblem[] = [];
  const merge = <K extends Kind>(kind: K): Registry[K] => {
    const byId = new Map<string, Registry[K][number]>(current[kind].map((row) => [row.id, row]));
    const seen = new Set<string>();
    upsert[kind].forEach((row, i) => {
      if (seen.has(row.id))
        problems.push({ path: `${kind}[${i}].id`, message: `duplicate id "${row.id}" in this submission` });
      seen.add(row.id);
      byId.set(row.id, row);
    });
    return [...byId.values()] as unknown as Registry[K];
  };
  let registry: Registry = {
    districts: merge('districts'),
    institutions: merge('institutions'),
    buildings: merge('buildings'),
    gateways: merge('gateways'),
    meters: merge('meters'),
  };
  const stations = mergeStations(current.weatherStations ?? [], upsert.weatherStations ?? [], problems);
  // None is absent: a registry without stations reads as it did before issue 18.
  if (stations.length > 0) registry = { ...registry, weatherStations: stations };
  const ids = (kind: Kind) => new Set(registry[kind].map((r) => r.id));
  const districtIds = ids('districts');
  const institutionIds = ids('institutions');
  const buildingIds = ids('buildings');
  const gatewayIds = ids('gateways');
  const check = (kind: Kind, row: { id: string }, field: string, known: Set<string>, target: string) => {
    const value = (row as unknown as Record<string, string>)[field] ?? '';
    if (known.has(value)) return;
    const i = upsert[kind].findIndex((r) => r.id === row.id);
    const where = i >= 0 ? `${kind}[${i}]` : `${kind}(${row.id})`;
    problems.push({ path: `${where}.${field}`, message: `unknown ${target} "${value}"` });
  };
  for (const row of registry.institutions) check('institutions', row, 'districtId', districtIds, 'district');
  for (const row of registry.buildings) check('buildings', row, 'institutionId', institutionIds, 'institution');
  const stationIds = new Set((registry.weatherStations ?? []).map((s) => s.id));
  for (const kind of ['institutions', 'buildings'] as const)
    for (const row of registry[kind])
      if (row.weatherStationId !== undefined) check(kind, row, 'weatherStationId', stationIds, 'weather station');
  for (const p of stationProblems(registry.weatherStations ?? [], upsert.weatherStations ?? [], gatewayIds))
    problems.push(p);
  for (const row of registry.meters) {
    check('meters', row, 'buildingId', buildingIds, 'building');
    if (row.gatewayId !== undefined) check('meters', row, 'gatewayId', gatewayIds, 'gateway');
  }
  const where = (row: { id: string }) => {
    const i = upsert.meters.findIndex((r) => r.id === row.id);
    return i >= 0 ? `meters[${i}]` : `meters(${row.id})`;
  };
  for (const p of meterTreeProblems(registry.meters))
    problems.push({ path: `${where(p.meter)}.${p.field}`, message: p.message });
  return { registry, problems };
}

/** Stations merged by id, a duplicate id of the submission a problem. */
function mergeStations(
  current: readonly WeatherStation[],
  upsert: readonly WeatherStation[],
  problems: RegistryProblem[],
): WeatherStation[] {
  const byId = new Map(current.map((s) => [s.id, s]));
  const seen = new Set<string>();
  upsert.forEach((s, i) => {
    if (seen.has(s.id))
      problems.push({ path: `weatherStations[${i}].id`, message: `duplicate id "${s.id}" in this submission` });
    seen.add(s.id);
    byId.set(s.id, s);
  });
  return [...byId.values()];
}

/** Each gateway a station names must be registered. */
function stationProblems(
  stations: readonly WeatherStation[],
  upsert: readonly WeatherStation[],
  gatewayIds: ReadonlySet<string>,
): RegistryProblem[] {
  const out: RegistryProblem[] = [];
  for (const s of stations) {
    const i = upsert.findLastIndex((u) => u.id === s.id);
    const where = i >= 0 ? `weatherStations[${i}]` : `weatherStations(${s.id})`;
    (s.gatewayIds ?? []).forEach((g, j) => {
      if (!gatewayIds.has(g)) out.push({ path: `${where}.gatewayIds[${j}]`, message: `unknown gateway "${g}"` });
    });
  }
  return out;
}
