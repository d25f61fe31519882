/**
 * Planning of faults: rollovers, replacements, gaps and duplicates per meter; late uploads,
 * offline spans, clock skew and malformed messages per gateway. Rollover and replacement labels
 * get their register values later (planner.ts), once every consumption anomaly is known.
 */
import { MALFORMED_VARIANTS } from './labels.js';
import type { SimMeter } from './model.js';
import { drawInstant, drawSpan, type PlanContext, placeEvents } from './plan-book.js';
import { DUPLICATE_COPIES, EVENT_HOURS, NEW_INITIAL, SKEW_S } from './plan-data.js';
import { consumptionInInterval } from './profiles.js';

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

/**
 * Whether the register moves by at least ten steps of its resolution in the interval before and
 * the one after an instant: a register standing still at its top (heat out of season) would show
 * the wrap at some other instant.
 */
function movesAround(m: SimMeter, tMs: number, stepMs: number, timeZone: string): boolean {
  const least = 10 * 10 ** -m.registerDecimals * m.multiplier;
  return (
    consumptionInInterval(m, tMs - stepMs, tMs, timeZone) >= least &&
    consumptionInInterval(m, tMs, tMs + stepMs, timeZone) >= least
  );
}

/** Rollovers and replacements (instants on the minute), gaps and duplicates (spans on the reading grid). */
export function planMeterFaults(ctx: PlanContext): void {
  const { book, iso, window, stepMs } = ctx;
  for (const m of ctx.fleet.meters) {
    placeEvents(ctx, 'rollover', m.id, (rng) => {
      const tMs = drawInstant(rng, window, MINUTE_MS, stepMs);
      if (tMs === undefined || !movesAround(m, tMs, stepMs, ctx.timeZone) || !book.registerEvent(m.id)) return false;
      // The offset is filled in once every consumption anomaly is known.
      const at = { meter: m.id, start: iso(tMs), end: iso(tMs) };
      ctx.labels.push({ kind: 'rollover', ...at, registerModulus: m.registerModulus, registerOffset: 0 });
      return true;
    });
    placeEvents(ctx, 'replace', m.id, (rng) => {
      const tMs = drawInstant(rng, window, MINUTE_MS, stepMs);
      const scale = 10 ** m.registerDecimals;
      const newInitial = Math.round(rng.uniform(NEW_INITIAL[0], NEW_INITIAL[1]) * scale) / scale;
      if (tMs === undefined || !book.registerEvent(m.id)) return false;
      ctx.labels.push({ kind: 'replace', meter: m.id, start: iso(tMs), end: iso(tMs), oldFinal: 0, newInitial });
      return true;
    });
    for (const kind of ['gap', 'duplicate'] as const) {
      placeEvents(ctx, kind, m.id, (rng) => {
        const [lo, hi] = EVENT_HOURS[kind];
        const span = drawSpan(rng, window, lo * HOUR_MS, hi * HOUR_MS, stepMs, stepMs);
        if (span === undefined || !book.meterTransportEvent(m.id, m.gatewayId, span)) return false;
        const where = { meter: m.id, start: iso(span.startMs), end: iso(span.endMs) };
        ctx.labels.push(kind === 'gap' ? { kind, ...where } : { kind, ...where, copies: DUPLICATE_COPIES });
        return true;
      });
    }
  }
}

/** Late uploads, offline spans and clock skew (spans on the reading grid), and malformed messages. */
export function planGatewayFaults(ctx: PlanContext): void {
  const { book, iso, window, stepMs } = ctx;
  const metersOf = new Map<string, SimMeter[]>();
  for (const m of ctx.fleet.meters) metersOf.set(m.gatewayId, [...(metersOf.get(m.gatewayId) ?? []), m]);
  for (const gateway of ctx.fleet.registry.gateways) {
    const meters = metersOf.get(gateway.id) ?? [];
    if (meters.length === 0) continue;
    for (const kind of ['late-upload', 'offline', 'clock-skew'] as const) {
      placeEvents(ctx, kind, gateway.id, (rng) => {
        const [lo, hi] = EVENT_HOURS[kind];
        const span = drawSpan(rng, window, lo * HOUR_MS, hi * HOUR_MS, stepMs, stepMs);
        const skewS = (rng.chance(0.5) ? -1 : 1) * rng.int(SKEW_S[0], SKEW_S[1]);
        if (span === undefined || !book.gatewayEvent(gateway.id, span)) return false;
        const where = { gateway: gateway.id, start: iso(span.startMs), end: iso(span.endMs) };
        ctx.labels.push(kind === 'clock-skew' ? { kind, ...where, skewS } : { kind, ...where });
        return true;
      });
    }
    placeEvents(ctx, 'malformed', gateway.id, (rng) => {
      const tMs = drawInstant(rng, window, stepMs, stepMs);
      const variant = rng.pick(MALFORMED_VARIANTS);
      const meter = variant === 'unknown-meter' ? `${gateway.id}-unknown` : rng.pick(meters).id;
      if (tMs === undefined || !book.gatewayEvent(gateway.id, { startMs: tMs, endMs: tMs + 1 })) return false;
      ctx.labels.push({ kind: 'malformed', gateway: gateway.id, meter, start: iso(tMs), end: iso(tMs), variant });
      return true;
    });
  }
}
