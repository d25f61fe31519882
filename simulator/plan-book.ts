/**
 * Book-keeping of the scenario planner: seeded draws (event counts, spans) and the rules that keep
 * events from hiding each other, so that every label stays checkable on its own:
 *
 * - transport: a gateway-level event (late upload, offline, skew, malformed) overlaps no other
 *   transport event of its gateway or its meters; a meter-level one (gap, duplicate) overlaps no
 *   gateway-level event of its gateway nor another of its meter. Spans are padded by one interval;
 * - registers: at most one rollover, replacement or stuck span per meter; a stuck span overlaps no
 *   anomaly of its meter; spikes, leaks and steps of one meter do not overlap each other; an
 *   institution has no two overlapping anomalies of one kind. Other anomalies add up.
 */
import type { Label, LabelKind } from './labels.js';
import type { Fleet, SimMeter } from './model.js';
import { PLACEMENT_TRIES } from './plan-data.js';
import type { Rng } from './random.js';

/** A half-open span `[startMs, endMs)`. */
export interface Span {
  readonly startMs: number;
  readonly endMs: number;
}

const overlaps = (a: Span, b: Span) => a.startMs < b.endMs && b.startMs < a.endMs;
const anyOverlap = (list: readonly Span[] | undefined, s: Span) => list?.some((x) => overlaps(x, s)) === true;

/** A Poisson draw (Knuth's method; fine for the small means a scenario uses). */
export function poisson(rng: Rng, mean: number): number {
  if (!(mean > 0)) return 0;
  const limit = Math.exp(-mean);
  let k = 0;
  for (let p = rng.next(); p > limit; p *= rng.next()) k++;
  return k;
}

/**
 * A span of a duration drawn in [minMs, maxMs], aligned to `alignMs` (from the epoch), that fits in
 * [fromMs + marginMs, toMs − marginMs]; shortened to fit, undefined when nothing fits.
 */
export function drawSpan(
  rng: Rng,
  window: Span,
  minMs: number,
  maxMs: number,
  alignMs: number,
  marginMs: number,
): Span | undefined {
  const lo = Math.ceil((window.startMs + marginMs) / alignMs) * alignMs;
  const hi = window.endMs - marginMs;
  const room = Math.floor((hi - lo) / alignMs);
  if (room < 1) return undefined;
  const wanted = Math.max(1, Math.round(rng.uniform(minMs, maxMs) / alignMs));
  const length = Math.min(wanted, room);
  const startMs = lo + rng.int(0, room - length) * alignMs;
  return { startMs, endMs: startMs + length * alignMs };
}

/** An instant on the `alignMs` grid strictly inside the window, at least `marginMs` from both ends. */
export function drawInstant(rng: Rng, window: Span, alignMs: number, marginMs: number): number | undefined {
  const span = drawSpan(rng, window, alignMs, alignMs, alignMs, marginMs);
  return span?.startMs;
}

/** Rounds to `digits` significant digits (labels stay readable; effects use the rounded value). */
export function significant(x: number, digits: number): number {
  return Number(x.toPrecision(digits));
}

type RegisterKind = 'spike' | 'leak' | 'step' | 'stuck' | 'after-hours' | 'month-over-target';
const METER_LOAD_KINDS: ReadonlySet<string> = new Set(['spike', 'leak', 'step', 'stuck']);

/** The events placed so far, and the rules above. */
export class PlanBook {
  readonly #padMs: number;
  readonly #gatewayEvents = new Map<string, Span[]>();
  readonly #gatewayMeterEvents = new Map<string, Span[]>();
  readonly #meterTransport = new Map<string, Span[]>();
  readonly #meterLoad = new Map<string, Array<Span & { kind: RegisterKind }>>();
  readonly #registerExclusive = new Set<string>();
  readonly #institution = new Map<string, Span[]>();

  /** A book whose transport spans are padded by `padMs` (one reading interval). */
  constructor(padMs: number) {
    this.#padMs = padMs;
  }

  #pad(s: Span): Span {
    return { startMs: s.startMs - this.#padMs, endMs: s.endMs + this.#padMs };
  }

  /** Places a gateway-level transport event if it fits; true when placed. */
  gatewayEvent(gatewayId: string, span: Span): boolean {
    const padded = this.#pad(span);
    if (anyOverlap(this.#gatewayEvents.get(gatewayId), padded)) return false;
    if (anyOverlap(this.#gatewayMeterEvents.get(gatewayId), padded)) return false;
    push(this.#gatewayEvents, gatewayId, padded);
    return true;
  }

  /** Places a meter-level transport event if it fits; true when placed. */
  meterTransportEvent(meterId: string, gatewayId: string, span: Span): boolean {
    const padded = this.#pad(span);
    if (anyOverlap(this.#gatewayEvents.get(gatewayId), padded)) return false;
    if (anyOverlap(this.#meterTransport.get(meterId), padded)) return false;
    push(this.#meterTransport, meterId, padded);
    push(this.#gatewayMeterEvents, gatewayId, padded);
    return true;
  }

  /** Places an institution anomaly over its meters if no anomaly of that kind overlaps it there. */
  institutionEvent(kind: RegisterKind, institutionId: string, meterIds: readonly string[], span: Span): boolean {
    const key = `${institutionId}|${kind}`;
    if (anyOverlap(this.#institution.get(key), span)) return false;
    push(this.#institution, key, span);
    for (const id of meterIds) push(this.#meterLoad, id, { ...span, kind });
    return true;
  }

  /** Places a spike, leak, step or stuck span on a meter if the rules allow it. */
  meterAnomaly(kind: 'spike' | 'leak' | 'step' | 'stuck', meterId: string, span: Span): boolean {
    const placed = this.#meterLoad.get(meterId) ?? [];
    if (kind === 'stuck') {
      if (this.#registerExclusive.has(meterId) || anyOverlap(placed, span)) return false;
      this.#registerExclusive.add(meterId);
    } else if (placed.some((p) => (METER_LOAD_KINDS.has(p.kind) || p.kind === 'stuck') && overlaps(p, span))) {
      return false;
    }
    push(this.#meterLoad, meterId, { ...span, kind });
    return true;
  }

  /** Claims a meter for a rollover or replacement (one register event per meter). */
  registerEvent(meterId: string): boolean {
    if (this.#registerExclusive.has(meterId)) return false;
    this.#registerExclusive.add(meterId);
    return true;
  }
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/** What the planning steps share. */
export interface PlanContext {
  readonly fleet: Fleet;
  readonly window: Span;
  readonly stepMs: number;
  readonly timeZone: string;
  readonly book: PlanBook;
  readonly root: Rng;
  /** Labels placed so far (register values of rollover, replace and stuck are filled in last). */
  readonly labels: Label[];
  /** ISO 8601 with the zone's offset. */
  readonly iso: (tMs: number) => string;
  /** Expected events of a kind per unit over the window. */
  readonly mean: (kind: LabelKind) => number;
}

/** Mean hourly consumption of a meter, native unit. */
export function meanPerH(meter: SimMeter): number {
  return meter.annualNative / 8760;
}

/**
 * Draws a Poisson number of events of a kind for one unit (meter, gateway, institution) from the
 * pair's own stream and tries to place each a few times; `place` returns true when it placed one.
 */
export function placeEvents(ctx: PlanContext, kind: LabelKind, unitId: string, place: (rng: Rng) => boolean): void {
  const rng = ctx.root.fork(`${kind}|${unitId}`);
  const n = poisson(rng, ctx.mean(kind));
  for (let i = 0; i < n; i++) for (let t = 0; t < PLACEMENT_TRIES && !place(rng); t++);
}
