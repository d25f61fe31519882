import { meterSpans } from '../../core/domain/meter-spans.js';
import type { Registry } from '../../core/domain/registry.js';
import type { MeterFilter } from '../../core/storage/store.js';

/** A part of the fleet whose hourly series are read (and examined) together. */
export interface MeterSlice {
  /** What the store is asked for: a district, an institution, one meter, or (`{}`) everything. */
  readonly filter: Omit<MeterFilter, 'subItemPrefix'>;
  /** The meters of the slice whose whole series in the window the filter's rows hold, in registry order. */
  readonly meterIds: readonly string[];
}

/** Meters per slice before a district is read institution by institution. */
export const SLICE_METERS = 5_000;
/** Meters that cannot be placed in one district or institution for the whole window, read one by one up to this many. */
export const MAX_SINGLE_METERS = 200;

/**
 * The fleet cut into slices for the series detectors (issue 19): a province's 100,000 meters × 28
 * days of hours are 67 M rows, far too many to hold at once (DuckDB ran out of its memory and the
 * main thread stalled ingest for minutes). Each district is one slice; a district of more than
 * `sliceMeters` meters is read by institution. A meter attributed to more than one district (or
 * institution) during `[fromMs, toMs)`, or to a building the registry does not know, would have
 * its series split between slices: it is read alone (`meterId`), or, beyond `maxSingle` such
 * meters, they all come from one slice of the whole fleet, as before slicing. Every meter is in
 * exactly one slice.
 */
export function meterSlices(
  registry: Registry,
  window: { readonly fromMs: number; readonly toMs: number },
  sliceMeters = SLICE_METERS,
  maxSingle = MAX_SINGLE_METERS,
): MeterSlice[] {
  const institutionOf = new Map(registry.buildings.map((b) => [b.id, b.institutionId]));
  const districtOf = new Map(registry.institutions.map((i) => [i.id, i.districtId]));
  const byDistrict = new Map<string, { institution: string; meterId: string }[]>();
  const single: string[] = [];
  for (const meter of registry.meters) {
    const places = new Set<string>();
    for (const span of meterSpans(meter)) {
      if (span.toMs <= window.fromMs || span.fromMs >= window.toMs) continue;
      const institution = institutionOf.get(span.buildingId);
      const district = institution === undefined ? undefined : districtOf.get(institution);
      places.add(district === undefined || institution === undefined ? '' : `${district}\u0000${institution}`);
    }
    const [place, ...more] = [...places];
    const [district, institution] = (place ?? '').split('\u0000');
    const sameDistrict = more.every((p) => p.split('\u0000')[0] === district);
    if (place === undefined || place === '' || district === undefined || institution === undefined || !sameDistrict)
      single.push(meter.id);
    else {
      // A meter that changed institution inside its district is placed by its district only.
      const list = byDistrict.get(district) ?? [];
      list.push({ institution: more.length === 0 ? institution : '', meterId: meter.id });
      byDistrict.set(district, list);
    }
  }
  const out: MeterSlice[] = [];
  for (const [districtId, members] of byDistrict) {
    const byInstitution = new Map<string, string[]>();
    for (const m of members) {
      const list = byInstitution.get(m.institution) ?? [];
      list.push(m.meterId);
      byInstitution.set(m.institution, list);
    }
    if (members.length <= sliceMeters || byInstitution.has('')) {
      // A district with a meter that moved between its institutions is read whole, however large.
      out.push({ filter: { districtId }, meterIds: members.map((m) => m.meterId) });
      continue;
    }
    for (const [institutionId, meterIds] of byInstitution) out.push({ filter: { institutionId }, meterIds });
  }
  if (single.length > maxSingle) out.push({ filter: {}, meterIds: single });
  else for (const meterId of single) out.push({ filter: { meterId }, meterIds: [meterId] });
  return out;
}
