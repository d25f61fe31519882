/**
 * Transport faults of a scenario, applied to one gateway's stream of readings the way a faulty
 * gateway would send them: gaps and offline spans drop readings, duplicates send them again one
 * interval later, a late upload buffers a span and sends it shuffled when the gateway is back,
 * clock skew shifts timestamps, and malformed labels add a bad message. Registers are not touched
 * (effects.ts does that), so a reading's value is always the register at its true instant.
 */
import { type LabelOf, labelSpanMs, MALFORMED_VARIANTS } from './labels.js';
import type { SimReading } from './model.js';
import { hash32, Rng } from './random.js';
import { alignUp, type RegisterClock } from './registers.js';
import { labelsOfGateway, labelsOfMeter, type Scenario } from './scenario.js';

/** A message sent as is, outside the batches of readings. */
export interface RawMessage {
  readonly payload: string;
}

/** What a gateway sends: a reading (batched by the publisher) or a raw message. */
export type Outgoing = SimReading | RawMessage;

/** Whether an outgoing item is a raw message. */
export function isRawMessage(item: Outgoing): item is RawMessage {
  return 'payload' in item;
}

interface Span {
  readonly startMs: number;
  readonly endMs: number;
}

const inSpan = (s: Span, tMs: number) => tMs >= s.startMs && tMs < s.endMs;
const spanOf = <T extends Parameters<typeof labelSpanMs>[0]>(label: T) => ({ ...labelSpanMs(label), label });

/** Text a gateway sends instead of a number (`non-numeric` variant). */
export const NON_NUMERIC_VALUE = 'ERR';

/** The bad payload of a malformed label; `value` is a plausible register for the readings it imitates. */
export function malformedPayload(
  label: LabelOf<'malformed'>,
  value: number,
  formatTs: (tMs: number) => string | number,
): string {
  const ts = formatTs(Date.parse(label.start));
  const meter = label.meter;
  switch (label.variant) {
    case 'bad-json': // cut before the closing `}]}`: not JSON
      return JSON.stringify({ readings: [{ meter, ts, value }] }).slice(0, -3);
    case 'non-numeric':
      return JSON.stringify({ readings: [{ meter, ts, value: NON_NUMERIC_VALUE }] });
    case 'unknown-meter':
      return JSON.stringify({ readings: [{ meter, ts, value }] });
    case 'missing-ts':
      return JSON.stringify({ readings: [{ meter, value }] });
  }
  throw new RangeError(`unknown variant; expected one of ${MALFORMED_VARIANTS.join(', ')}`);
}

/**
 * One gateway's transport under a scenario. Feed it the readings of each instant in time order
 * (`step`); at the end of a back-fill, `flush` gives what is still buffered.
 */
export class GatewayTransport {
  readonly gatewayId: string;
  readonly #formatTs: (tMs: number) => string | number;
  readonly #intervalMs: number;
  readonly #offline: Span[] = [];
  readonly #skews: Array<Span & { skewMs: number }> = [];
  readonly #late: Array<Span & { buffer: SimReading[] }> = [];
  readonly #malformed: Array<Span & { label: LabelOf<'malformed'> }> = [];
  readonly #gaps = new Map<string, Span[]>();
  readonly #duplicates = new Map<string, Array<Span & { copies: number }>>();
  #pending: SimReading[] = [];
  #prevMs: number | undefined;

  /** A transport for a gateway and its meters; `formatTs` renders timestamps of malformed payloads. */
  constructor(
    gatewayId: string,
    meterIds: readonly string[],
    scenario: Scenario,
    formatTs: (tMs: number) => string | number,
  ) {
    this.gatewayId = gatewayId;
    this.#formatTs = formatTs;
    this.#intervalMs = scenario.intervalS * 1000;
    for (const label of labelsOfGateway(scenario, gatewayId)) {
      if (label.kind === 'offline') this.#offline.push(labelSpanMs(label));
      else if (label.kind === 'clock-skew') this.#skews.push({ ...labelSpanMs(label), skewMs: label.skewS * 1000 });
      else if (label.kind === 'late-upload') this.#late.push({ ...labelSpanMs(label), buffer: [] });
      else if (label.kind === 'malformed') this.#malformed.push(spanOf(label));
    }
    for (const meterId of meterIds) {
      for (const label of labelsOfMeter(scenario, meterId)) {
        if (label.kind === 'gap') this.#gaps.set(meterId, [...(this.#gaps.get(meterId) ?? []), labelSpanMs(label)]);
        if (label.kind === 'duplicate') {
          const list = this.#duplicates.get(meterId) ?? [];
          list.push({ ...labelSpanMs(label), copies: label.copies });
          this.#duplicates.set(meterId, list);
        }
      }
    }
  }

  /** Whether the scenario does anything to this gateway's transport. */
  get active(): boolean {
    return (
      this.#offline.length + this.#skews.length + this.#late.length + this.#malformed.length > 0 ||
      this.#gaps.size + this.#duplicates.size > 0
    );
  }

  /** What the gateway sends after reading its meters at `tMs` (the readings of that instant, in meter order). */
  step(tMs: number, readings: readonly SimReading[]): Outgoing[] {
    const out: Outgoing[] = [];
    const offline = this.#offline.some((s) => inSpan(s, tMs));
    const skew = this.#skews.find((s) => inSpan(s, tMs));
    const late = this.#late.find((s) => inSpan(s, tMs));
    const nextPending: SimReading[] = [];
    for (const r of readings) {
      if (offline || this.#gaps.get(r.meterId)?.some((s) => inSpan(s, tMs)) === true) continue;
      const sent = skew === undefined ? r : { ...r, tsMs: r.tsMs + skew.skewMs };
      if (late !== undefined) {
        late.buffer.push(sent);
        continue;
      }
      out.push(sent);
      const dup = this.#duplicates.get(r.meterId)?.find((s) => inSpan(s, tMs));
      for (let k = 1; k < (dup?.copies ?? 1); k++) nextPending.push(sent);
    }
    for (const s of this.#late) if (s.endMs <= tMs) out.push(...this.#release(s));
    out.push(...this.#pending);
    this.#pending = nextPending;
    const prevMs = this.#prevMs ?? tMs - this.#intervalMs;
    for (const m of this.#malformed) {
      if (m.startMs > prevMs && m.startMs <= tMs) {
        const value = (readings.find((r) => r.meterId === m.label.meter) ?? readings[0])?.value ?? 0;
        out.push({ payload: malformedPayload(m.label, value, this.#formatTs) });
      }
    }
    this.#prevMs = tMs;
    return out;
  }

  /** Everything still held back: duplicates not yet re-sent and buffers of uploads still due. */
  flush(): Outgoing[] {
    const out: Outgoing[] = [...this.#pending];
    this.#pending = [];
    for (const s of this.#late) out.push(...this.#release(s));
    return out;
  }

  /** A late span's buffer in a seeded shuffled order that is never the time order. */
  #release(s: Span & { buffer: SimReading[] }): SimReading[] {
    if (s.buffer.length === 0) return [];
    const items = new Rng(hash32('late-upload', this.gatewayId, s.startMs)).shuffle(s.buffer.splice(0));
    const sorted = items.every((r, i) => i === 0 || (items[i - 1] as SimReading).tsMs <= r.tsMs);
    return sorted && items.length > 1 ? items.reverse() : items;
  }
}

/**
 * How many readings a scenario adds (duplicates) or removes (gaps, offline) in a back-fill of
 * `[fromMs, toMs)` on a grid of `intervalS`, for the given gateways' meters. Assumes the planner's
 * rule that transport spans of one gateway do not overlap.
 */
export function readingCountChange(
  scenario: Scenario,
  metersByGateway: ReadonlyMap<string, readonly string[]>,
  fromMs: number,
  toMs: number,
  intervalS: number,
): number {
  const stepMs = intervalS * 1000;
  const instants = (s: Span) => {
    const a = Math.max(s.startMs, fromMs);
    const b = Math.min(s.endMs, toMs);
    return b <= a ? 0 : Math.max(0, Math.ceil(b / stepMs) - Math.ceil(a / stepMs));
  };
  let change = 0;
  for (const [gatewayId, meterIds] of metersByGateway) {
    for (const l of labelsOfGateway(scenario, gatewayId))
      if (l.kind === 'offline') change -= instants(labelSpanMs(l)) * meterIds.length;
    for (const meterId of meterIds) {
      for (const l of labelsOfMeter(scenario, meterId)) {
        if (l.kind === 'gap') change -= instants(labelSpanMs(l));
        if (l.kind === 'duplicate') change += instants(labelSpanMs(l)) * (l.copies - 1);
      }
    }
  }
  return change;
}

/**
 * A gateway's readings in [fromMs, toMs), instant by instant in meter order, through its transport
 * when it has one; `flush` adds what the transport still holds at the end (a back-fill does).
 */
export function* gatewayStream(
  clocks: readonly RegisterClock[],
  fromMs: number,
  toMs: number,
  intervalS: number,
  transport: GatewayTransport | undefined,
  flush: boolean,
): Generator<Outgoing, void, undefined> {
  const reading = (c: RegisterClock, tMs: number): SimReading => ({
    gatewayId: c.meter.gatewayId,
    meterId: c.meter.id,
    tsMs: tMs,
    value: c.registerAt(tMs),
  });
  for (let t = alignUp(fromMs, intervalS); t < toMs; t += intervalS * 1000) {
    if (transport === undefined) for (const c of clocks) yield reading(c, t);
    else
      yield* transport.step(
        t,
        clocks.map((c) => reading(c, t)),
      );
  }
  if (transport !== undefined && flush) yield* transport.flush();
}
