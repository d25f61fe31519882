import {
  bucketRanges,
  type Denominators,
  denominatorOf,
  denominatorsOver,
  type Fact,
  type FactDraft,
  type FactInput,
  factsOfRegistryChange,
  factTimelines,
  localDateOf,
  pinsFor,
} from './domain/facts.js';
import type { Registry } from './domain/registry.js';
import type { Scope } from './domain/scope.js';
import type { BucketDivisors, Per } from './domain/series.js';
import { formatLocalIso } from './domain/time.js';
import { badRequest } from './errors.js';
import { Mutex } from './mutex.js';
import type { RegistryHolder } from './registry-holder.js';
import { newId } from './security.js';
import type { MetadataStore, Store } from './storage/store.js';

/**
 * Recording and using effective-dated facts (core/domain/facts.ts; issue "The meter model", item 4):
 * `POST …/facts`, the facts a `PUT /registry` change records, and the time-weighted denominators
 * that intensities divide by.
 */

/** Who records facts, when, and the zone their days are local to (the platform's TIMEZONE). */
export interface FactsContext {
  readonly timeZone: string;
  /** The token name recorded as `createdBy`. */
  readonly by: string;
  readonly nowMs: number;
}

/**
 * One writer of facts at a time in this process: whether a field has facts yet (and so needs a
 * pin) is read and acted on without another write in between. Across the processes of a cluster
 * the registry lock does the same (a registry change holds it; `recordFact` takes it).
 */
const writes = new Mutex();

function stamp(drafts: readonly FactDraft[], ctx: FactsContext): Fact[] {
  return drafts.map((d) => ({ ...d, id: newId('fact'), createdAtMs: ctx.nowMs, createdBy: ctx.by }));
}

/**
 * Records a fact of a scope (`institution:ID`, `building:ID`, known to the caller) and, when it is
 * the first of a field, the pin that keeps the registry's value for the time before (`pinsFor`).
 * Returns what it stored, pins first.
 */
export async function recordFact(
  store: Store,
  holder: RegistryHolder,
  scope: string,
  input: FactInput,
  ctx: FactsContext,
): Promise<Fact[]> {
  const release = store.lockRegistry === undefined ? undefined : await store.lockRegistry();
  try {
    return await writes.run(async () => {
      const registry = release === undefined ? holder.get() : await store.loadRegistry();
      const draft: FactDraft = { scope, ...input };
      const facts = stamp([...pinsFor([draft], await store.facts(scope), registry), draft], ctx);
      await store.addFacts(facts);
      return facts;
    });
  } finally {
    await release?.();
  }
}

/**
 * Records the floor areas and occupants a registry change alters as facts from the local day of
 * `ctx.nowMs` (with their pins: the values `before` had). Called by the registry upsert under its
 * lock, before it saves `after`: should saving fail, the facts already say what was meant. Without
 * a context (seeding, tools) nothing is recorded.
 */
export async function recordRegistryFacts(
  store: MetadataStore,
  before: Registry,
  after: Registry,
  ctx: FactsContext | undefined,
): Promise<void> {
  if (ctx === undefined) return;
  const drafts = factsOfRegistryChange(before, after, localDateOf(ctx.nowMs, ctx.timeZone));
  if (drafts.length === 0) return;
  await writes.run(async () => {
    const existing = await store.facts();
    await store.addFacts(stamp([...pinsFor(drafts, existing, before), ...drafts], ctx));
  });
}

/** The time-weighted denominators of a scope over each range, from the stored facts. */
export async function scopeDenominatorsOver(
  store: MetadataStore,
  registry: Registry,
  scope: Scope,
  ranges: readonly { readonly fromMs: number; readonly toMs: number }[],
  timeZone: string,
): Promise<Denominators[]> {
  return denominatorsOver(scope, registry, factTimelines(await store.facts(), timeZone), ranges);
}

/**
 * The divisors of a `per=m2|capita` answer over the calendar buckets of [fromMs, toMs) in
 * `timeZone`: each bucket's floor area or occupants in force, time-weighted where they change inside
 * it, and the whole range's for the total. 400 naming `per` when the scope has none in some bucket.
 */
export async function intensityDivisors(
  store: MetadataStore,
  registry: Registry,
  scope: Scope,
  per: Per,
  span: {
    readonly fromMs: number;
    readonly toMs: number;
    readonly bucketStartsMs: readonly number[];
    timeZone: string;
  },
): Promise<BucketDivisors> {
  const { fromMs, toMs, timeZone } = span;
  const ranges = [...bucketRanges(span.bucketStartsMs, fromMs, toMs), { fromMs, toMs }];
  const all = (await scopeDenominatorsOver(store, registry, scope, ranges, timeZone)).map((d) => denominatorOf(d, per));
  const what = per === 'm2' ? 'floor area' : 'occupants';
  const total = all.pop() ?? 0;
  if (!(total > 0)) throw badRequest('per', `the scope has no ${what}`);
  const empty = all.findIndex((d) => !(d > 0));
  if (empty >= 0)
    throw badRequest('per', `the scope has no ${what} from ${formatLocalIso(ranges[empty]?.fromMs ?? 0, timeZone)}`);
  return { perBucket: all, total };
}
