import { z } from 'zod';
import type { Institution, Registry } from './registry.js';
import { type Scope, scopeDenominators } from './scope.js';
import { formatLocalIso, localToEpochMs } from './time.js';

/**
 * Floor area and occupants as effective-dated facts (issue "The meter model", item 4: history that
 * stays true). A fact says "from this local day on, the scope has this floor area and/or these
 * occupants". The value of a field in force at an instant is the one of the fact with the latest
 * `from` at or before it (of facts of the same day, the one recorded last); where no fact of the
 * field is in force, the registry's value holds.
 *
 * History is immutable: the first fact recorded for a field of a scope (through `POST …/facts` or a
 * changed value in `PUT /registry`) comes with a "pin", a fact from `FACTS_EPOCH` with the value the
 * registry had until then, so the registry's value never again decides any instant of that field.
 * Only a field that was never changed follows the registry, and then it had one value all along.
 */

/** The `from` of a pin: the value the registry had before the first recorded change holds since then. */
export const FACTS_EPOCH = '1970-01-01';

/** The two fields a fact may give. */
export const FACT_FIELDS = ['floorAreaM2', 'occupants'] as const;
/** A field a fact may give. */
export type FactField = (typeof FACT_FIELDS)[number];

/** A local calendar date `YYYY-MM-DD` (a real one: no 2026-02-30), not before `FACTS_EPOCH`. */
export const FactDateSchema = z.iso
  .date('expected a date YYYY-MM-DD')
  .refine((d) => d >= FACTS_EPOCH, `must be ${FACTS_EPOCH} or later`);

const FactValuesSchema = z.object({
  from: FactDateSchema.describe('YYYY-MM-DD, a local date in the platform TIMEZONE: the first day the values hold'),
  floorAreaM2: z.number().finite().positive('must be > 0').optional(),
  occupants: z.number().int('must be a whole number').nonnegative('must be ≥ 0').optional(),
});

/** The body of `POST /api/v1/institutions/{id}/facts` and `/buildings/{id}/facts`: a day and at least one value. */
export const FactInputSchema = FactValuesSchema.superRefine((f, ctx) => {
  if (f.floorAreaM2 === undefined && f.occupants === undefined)
    ctx.addIssue({ code: 'custom', path: ['floorAreaM2'], message: 'give floorAreaM2, occupants or both' });
});
/** A fact as submitted. */
export type FactInput = z.infer<typeof FactInputSchema>;

/** What a fact is about: `institution:ID` or `building:ID`. */
export const FactScopeSchema = z.string().regex(/^(institution|building):[A-Za-z0-9][A-Za-z0-9_.-]*$/);

/** A stored fact: its values, its scope, and who recorded it when. */
export const FactSchema = FactValuesSchema.extend({
  id: z.string().min(1),
  scope: FactScopeSchema,
  createdAtMs: z.number(),
  createdBy: z.string(),
});
/** A stored fact. */
export type Fact = z.infer<typeof FactSchema>;

/** A fact not stored yet: the service gives it an id, a time and an author. */
export type FactDraft = Omit<Fact, 'id' | 'createdAtMs' | 'createdBy'>;

/** Floor area (m²) and occupants of a scope: the denominators of intensities. */
export interface Denominators {
  readonly floorAreaM2: number;
  readonly occupants: number;
}

/** One step of a field's history: the value from `fromMs` until the next step. */
export interface FactStep {
  readonly fromMs: number;
  readonly value: number;
}

/** The instant a fact takes effect: local midnight of its `from` day in the zone. */
export function factStartMs(from: string, timeZone: string): number {
  const [y, m, d] = from.split('-').map(Number) as [number, number, number];
  return localToEpochMs(timeZone, y, m, d);
}

/** The local date `YYYY-MM-DD` of an instant in a zone (the day a registry change takes effect). */
export function localDateOf(epochMs: number, timeZone: string): string {
  return formatLocalIso(epochMs, timeZone).slice(0, 10);
}

/** Byte-wise order of ids (as DuckDB and PostgreSQL's `COLLATE "C"` sort them), not the locale's. */
const byBytes = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The order facts are listed and applied in: by scope, day, recording time (of two facts of the
 * same day the later recorded wins), then id.
 */
export function compareFacts(a: Fact, b: Fact): number {
  return byBytes(a.scope, b.scope) || byBytes(a.from, b.from) || a.createdAtMs - b.createdAtMs || byBytes(a.id, b.id);
}

/** The history of one field of one scope as steps by start; of facts of the same day, the one recorded last. */
export function factSteps(facts: readonly Fact[], scope: string, field: FactField, timeZone: string): FactStep[] {
  const out: FactStep[] = [];
  for (const f of facts.filter((x) => x.scope === scope && x[field] !== undefined).sort(compareFacts)) {
    const step = { fromMs: factStartMs(f.from, timeZone), value: f[field] as number };
    if (out.at(-1)?.fromMs === step.fromMs) out[out.length - 1] = step;
    else out.push(step);
  }
  return out;
}

/** The value in force at an instant: the last step starting at or before it; undefined before the first. */
export function valueInForce(steps: readonly FactStep[], atMs: number): number | undefined {
  let lo = 0;
  let hi = steps.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((steps[mid]?.fromMs ?? 0) <= atMs) lo = mid + 1;
    else hi = mid;
  }
  return steps[lo - 1]?.value;
}

/**
 * The time-weighted value of a field over [fromMs, toMs): each value weighted by the time it was in
 * force (elapsed milliseconds, so a local day of a DST change weighs what it lasted); `fallback`
 * (the registry's value) before the first step. Without a change inside the range, the value in
 * force, exactly. An empty range gives the value in force at `fromMs`.
 */
export function timeWeighted(steps: readonly FactStep[], fallback: number, fromMs: number, toMs: number): number {
  const at = (ms: number) => valueInForce(steps, ms) ?? fallback;
  const cuts = steps.map((s) => s.fromMs).filter((ms) => ms > fromMs && ms < toMs);
  if (cuts.length === 0 || !(toMs > fromMs)) return at(fromMs);
  let sum = 0;
  let start = fromMs;
  for (const end of [...cuts, toMs]) {
    sum += at(start) * (end - start);
    start = end;
  }
  return sum / (toMs - fromMs);
}

/** Every scope's steps by `scope|field`, and the instants where any of them changes (ascending). */
export interface FactTimelines {
  readonly steps: ReadonlyMap<string, readonly FactStep[]>;
  readonly changesMs: readonly number[];
}

const key = (scope: string, field: FactField) => `${scope}|${field}`;

/** The timelines of a list of facts in a zone. */
export function factTimelines(facts: readonly Fact[], timeZone: string): FactTimelines {
  const steps = new Map<string, FactStep[]>();
  const pairs = new Set(
    facts.flatMap((f) => FACT_FIELDS.filter((k) => f[k] !== undefined).map((k) => key(f.scope, k))),
  );
  for (const pair of pairs) {
    const [scope = '', field] = pair.split('|') as [string, FactField];
    steps.set(pair, factSteps(facts, scope, field, timeZone));
  }
  const changesMs = [...new Set([...steps.values()].flatMap((s) => s.map((x) => x.fromMs)))].sort((a, b) => a - b);
  return { steps, changesMs };
}

const NONE: readonly FactStep[] = [];

/** The registry with each institution's and building's floor area and occupants in force at an instant. */
export function registryAt(registry: Registry, timelines: FactTimelines, atMs: number): Registry {
  if (timelines.steps.size === 0) return registry;
  const at = (scope: string, field: FactField, own: number) =>
    valueInForce(timelines.steps.get(key(scope, field)) ?? NONE, atMs) ?? own;
  return {
    ...registry,
    institutions: registry.institutions.map((i) => {
      const floorAreaM2 = at(`institution:${i.id}`, 'floorAreaM2', i.floorAreaM2);
      const occupants = at(`institution:${i.id}`, 'occupants', i.occupants);
      return floorAreaM2 === i.floorAreaM2 && occupants === i.occupants ? i : { ...i, floorAreaM2, occupants };
    }),
    buildings: registry.buildings.map((b) => {
      const floorAreaM2 = at(`building:${b.id}`, 'floorAreaM2', b.floorAreaM2);
      return floorAreaM2 === b.floorAreaM2 ? b : { ...b, floorAreaM2 };
    }),
  };
}

/**
 * Floor area and occupants of a scope at an instant, as `scopeDenominators` sums them from the
 * values in force. A building (or meter) with an occupants fact in force takes it instead of its
 * share of the institution's occupants by floor area.
 */
export function denominatorsAt(scope: Scope, registry: Registry, timelines: FactTimelines, atMs: number): Denominators {
  const d = scopeDenominators(scope, registryAt(registry, timelines, atMs));
  if (scope.level !== 'building' && scope.level !== 'meter') return d;
  const buildingId = scope.level === 'building' ? scope.id : registry.meters.find((m) => m.id === scope.id)?.buildingId;
  const own = valueInForce(timelines.steps.get(key(`building:${buildingId}`, 'occupants')) ?? NONE, atMs);
  return own === undefined ? d : { ...d, occupants: own };
}

/**
 * The denominators of a scope over each range [fromMs, toMs), time-weighted where a fact changes
 * them inside it (as `timeWeighted`): a bucket's intensity is its consumption over these. Values
 * constant between two changes are computed once.
 */
export function denominatorsOver(
  scope: Scope,
  registry: Registry,
  timelines: FactTimelines,
  ranges: readonly { readonly fromMs: number; readonly toMs: number }[],
): Denominators[] {
  const changes = timelines.changesMs;
  const cache = new Map<number, Denominators>();
  const at = (ms: number): Denominators => {
    const segment = changes.filter((c) => c <= ms).length;
    let d = cache.get(segment);
    if (d === undefined) {
      d = denominatorsAt(scope, registry, timelines, ms);
      cache.set(segment, d);
    }
    return d;
  };
  return ranges.map(({ fromMs, toMs }) => {
    const cuts = changes.filter((ms) => ms > fromMs && ms < toMs);
    if (cuts.length === 0 || !(toMs > fromMs)) return at(fromMs);
    let area = 0;
    let occupants = 0;
    let start = fromMs;
    for (const end of [...cuts, toMs]) {
      const d = at(start);
      area += d.floorAreaM2 * (end - start);
      occupants += d.occupants * (end - start);
      start = end;
    }
    return { floorAreaM2: area / (toMs - fromMs), occupants: occupants / (toMs - fromMs) };
  });
}

/** An institution's floor area and occupants over [fromMs, toMs), time-weighted (a report's row). */
export function institutionDenominators(
  inst: Institution,
  facts: readonly Fact[],
  range: { readonly fromMs: number; readonly toMs: number },
  timeZone: string,
): Denominators {
  const scope = `institution:${inst.id}`;
  const over = (field: FactField) =>
    timeWeighted(factSteps(facts, scope, field, timeZone), inst[field], range.fromMs, range.toMs);
  return { floorAreaM2: over('floorAreaM2'), occupants: over('occupants') };
}

/** A period [fromMs, toMs) up to `nowMs` while it is under way (what a partial report covers); else whole. */
export function periodSoFar(
  period: { readonly fromMs: number; readonly toMs: number },
  nowMs: number,
): { fromMs: number; toMs: number } {
  return { fromMs: period.fromMs, toMs: nowMs > period.fromMs ? Math.min(period.toMs, nowMs) : period.toMs };
}

/** The clipped range of each bucket: [max(start, fromMs), min(next start, toMs)), the last ending at `toMs`. */
export function bucketRanges(
  bucketStartsMs: readonly number[],
  fromMs: number,
  toMs: number,
): { fromMs: number; toMs: number }[] {
  return bucketStartsMs.map((start, i) => ({
    fromMs: Math.max(start, fromMs),
    toMs: Math.min(bucketStartsMs[i + 1] ?? toMs, toMs),
  }));
}

/** The registry's own value of a field of a fact scope; undefined for a building's occupants (not kept). */
export function registryValue(registry: Registry, scope: string, field: FactField): number | undefined {
  const colon = scope.indexOf(':');
  const [level, id] = [scope.slice(0, colon), scope.slice(colon + 1)];
  if (level === 'institution') return registry.institutions.find((i) => i.id === id)?.[field];
  if (level === 'building' && field === 'floorAreaM2') return registry.buildings.find((b) => b.id === id)?.floorAreaM2;
  return undefined;
}

/**
 * The facts a registry change records: for each institution and building present before and after
 * whose floor area or occupants changed, the new values from `day`. New rows record nothing: their
 * registry value holds for all time until it first changes.
 */
export function factsOfRegistryChange(before: Registry, after: Registry, day: string): FactDraft[] {
  const drafts: FactDraft[] = [];
  const changed = (scope: string, old: Partial<Denominators> | undefined, now: Partial<Denominators>) => {
    if (old === undefined) return;
    const values = Object.fromEntries(
      FACT_FIELDS.filter((k) => now[k] !== undefined && now[k] !== old[k]).map((k) => [k, now[k]]),
    ) as Partial<Denominators>;
    if (Object.keys(values).length > 0) drafts.push({ scope, from: day, ...values });
  };
  const institutions = new Map(before.institutions.map((i) => [i.id, i]));
  const buildings = new Map(before.buildings.map((b) => [b.id, b]));
  for (const i of after.institutions) changed(`institution:${i.id}`, institutions.get(i.id), i);
  for (const b of after.buildings) changed(`building:${b.id}`, buildings.get(b.id), { floorAreaM2: b.floorAreaM2 });
  return drafts;
}

/**
 * The pins new facts need: for each field a draft gives that its scope has no fact of yet, a fact
 * from `FACTS_EPOCH` with the registry's value (before the change), so that every instant before
 * the first recorded change keeps the value it had. A draft from `FACTS_EPOCH` needs none; nor does a
 * building's occupants (the registry keeps none: before their first fact, the share by floor area holds).
 */
export function pinsFor(drafts: readonly FactDraft[], existing: readonly Fact[], registry: Registry): FactDraft[] {
  const known = new Set(
    existing.flatMap((f) => FACT_FIELDS.filter((k) => f[k] !== undefined).map((k) => key(f.scope, k))),
  );
  const pins = new Map<string, Partial<Denominators>>();
  for (const d of drafts) {
    for (const field of FACT_FIELDS) {
      if (d[field] === undefined || d.from === FACTS_EPOCH || known.has(key(d.scope, field))) continue;
      known.add(key(d.scope, field));
      const value = registryValue(registry, d.scope, field);
      if (value !== undefined) pins.set(d.scope, { ...pins.get(d.scope), [field]: value });
    }
  }
  return [...pins].map(([scope, values]) => ({ scope, from: FACTS_EPOCH, ...values }));
}

/** The denominator an intensity divides by: floor area (`m2`), occupants (`capita`), or 1 for none. */
export function denominatorOf(d: Denominators, per: 'm2' | 'capita' | undefined): number {
  return per === 'm2' ? d.floorAreaM2 : per === 'capita' ? d.occupants : 1;
}
