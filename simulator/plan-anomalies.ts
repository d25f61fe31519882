/**
 * Planning of anomalies: after-hours load and months over target per institution; steps, leaks,
 * spikes and stuck registers per meter. Stuck labels get their register values later (planner.ts),
 * once every anomaly that changes consumption is known.
 */
import { localParts, localToEpochMs } from '../core/domain/time.js';
import { dayStartMs, localDayAt } from './calendar.js';
import { AFTER_HOURS_NIGHT } from './effects.js';
import { drawSpan, meanPerH, type PlanContext, placeEvents, type Span, significant } from './plan-book.js';
import { AFTER_HOURS_DAYS, EVENT_HOURS, EXTRA_OF_MEAN, MONTH_FACTOR } from './plan-data.js';
import { consumptionInInterval } from './profiles.js';
import type { Rng } from './random.js';

const HOUR_MS = 3_600_000;

/** Whole local days, clipped to the window; undefined when the window holds no whole day. */
function afterHoursSpan(ctx: PlanContext, rng: Rng): Span | undefined {
  const first = localDayAt(ctx.window.startMs, ctx.timeZone);
  const firstDay = first.startMs === ctx.window.startMs ? first.dayNumber : first.dayNumber + 1;
  const endDay = localDayAt(ctx.window.endMs, ctx.timeZone).dayNumber; // the window's last whole day is endDay − 1
  if (endDay <= firstDay) return undefined;
  const days = Math.min(rng.int(AFTER_HOURS_DAYS[0], AFTER_HOURS_DAYS[1]), endDay - firstDay);
  const start = firstDay + rng.int(0, endDay - firstDay - days);
  return { startMs: dayStartMs(start, ctx.timeZone), endMs: dayStartMs(start + days, ctx.timeZone) };
}

/** A calendar month overlapping the window: one wholly inside it when there is one. */
function monthSpan(ctx: PlanContext, rng: Rng): Span {
  const months: Span[] = [];
  const first = localParts(ctx.window.startMs, ctx.timeZone);
  for (let k = 0; ; k++) {
    const month0 = first.month - 1 + k;
    const startMs = localToEpochMs(ctx.timeZone, first.year + Math.floor(month0 / 12), (month0 % 12) + 1);
    if (startMs >= ctx.window.endMs) break;
    const next0 = month0 + 1;
    months.push({
      startMs,
      endMs: localToEpochMs(ctx.timeZone, first.year + Math.floor(next0 / 12), (next0 % 12) + 1),
    });
  }
  const inside = months.filter((s) => s.startMs >= ctx.window.startMs && s.endMs <= ctx.window.endMs);
  return rng.pick(inside.length > 0 ? inside : months);
}

/** After-hours load on lighting and air-conditioning meters, and months over target, per institution. */
export function planInstitutionAnomalies(ctx: PlanContext): void {
  const { registry } = ctx.fleet;
  const institutionOf = new Map(registry.buildings.map((b) => [b.id, b.institutionId]));
  for (const inst of registry.institutions) {
    const meters = ctx.fleet.meters.filter((m) => institutionOf.get(m.buildingId) === inst.id);
    const lit = meters.filter((m) => m.subItem === '01A00' || m.subItem === '01B00');
    placeEvents(ctx, 'after-hours', inst.id, (rng) => {
      const span = afterHoursSpan(ctx, rng);
      if (span === undefined || lit.length === 0) return false;
      const [lo, hi] = EXTRA_OF_MEAN['after-hours'];
      const extras = lit.map((m) => [m.id, significant(rng.uniform(lo, hi) * meanPerH(m), 4)] as const);
      const ids = lit.map((m) => m.id);
      if (!ctx.book.institutionEvent('after-hours', inst.id, ids, span)) return false;
      ctx.labels.push({
        kind: 'after-hours',
        institution: inst.id,
        start: ctx.iso(span.startMs),
        end: ctx.iso(span.endMs),
        nightStartH: AFTER_HOURS_NIGHT.startH,
        nightEndH: AFTER_HOURS_NIGHT.endH,
        extraKwByMeter: Object.fromEntries(extras),
      });
      return true;
    });
    placeEvents(ctx, 'month-over-target', inst.id, (rng) => {
      const span = monthSpan(ctx, rng);
      const ids = meters.map((m) => m.id);
      if (ids.length === 0 || !ctx.book.institutionEvent('month-over-target', inst.id, ids, span)) return false;
      const factor = Math.round(rng.uniform(MONTH_FACTOR[0], MONTH_FACTOR[1]) * 100) / 100;
      ctx.labels.push({
        kind: 'month-over-target',
        institution: inst.id,
        start: ctx.iso(span.startMs),
        end: ctx.iso(span.endMs),
        factor,
        meters: ids,
      });
      return true;
    });
  }
}

/**
 * Steps (energy meters), leaks (water meters), spikes and stuck registers, per meter. A step in a
 * water meter's base load is a new constant flow day and night, which is what a leak is: no detector
 * can tell the two apart, so water meters get leaks and energy meters get steps.
 */
export function planMeterAnomalies(ctx: PlanContext): void {
  const { book, iso, window } = ctx;
  for (const m of ctx.fleet.meters) {
    if (m.energy !== 'water') {
      placeEvents(ctx, 'step', m.id, (rng) => {
        const startMs = drawSpan(rng, window, HOUR_MS, HOUR_MS, HOUR_MS, HOUR_MS)?.startMs;
        const [lo, hi] = EXTRA_OF_MEAN.step;
        const extraPerH = significant(rng.uniform(lo, hi) * meanPerH(m), 4);
        if (startMs === undefined || !book.meterAnomaly('step', m.id, { startMs, endMs: window.endMs })) return false;
        const where = { meter: m.id, start: iso(startMs), end: iso(window.endMs) };
        ctx.labels.push({ kind: 'step', ...where, unit: m.unit, extraPerH, permanent: true });
        return true;
      });
    } else {
      placeEvents(ctx, 'leak', m.id, (rng) => {
        const span = drawSpan(rng, window, EVENT_HOURS.leak[0] * HOUR_MS, EVENT_HOURS.leak[1] * HOUR_MS, HOUR_MS, 0);
        const [lo, hi] = EXTRA_OF_MEAN.leak;
        const extraM3PerH = significant(rng.uniform(lo, hi) * meanPerH(m), 4);
        if (span === undefined || !book.meterAnomaly('leak', m.id, span)) return false;
        ctx.labels.push({ kind: 'leak', meter: m.id, start: iso(span.startMs), end: iso(span.endMs), extraM3PerH });
        return true;
      });
    }
    placeEvents(ctx, 'spike', m.id, (rng) => {
      const span = drawSpan(rng, window, EVENT_HOURS.spike[0] * HOUR_MS, EVENT_HOURS.spike[1] * HOUR_MS, HOUR_MS, 0);
      const [lo, hi] = EXTRA_OF_MEAN.spike;
      const extraPerH = significant(rng.uniform(lo, hi) * meanPerH(m), 4);
      if (span === undefined || !book.meterAnomaly('spike', m.id, span)) return false;
      const hours = (span.endMs - span.startMs) / HOUR_MS;
      const where = { meter: m.id, start: iso(span.startMs), end: iso(span.endMs) };
      ctx.labels.push({ kind: 'spike', ...where, unit: m.unit, extraPerH, extraTotal: extraPerH * hours });
      return true;
    });
    placeEvents(ctx, 'stuck', m.id, (rng) => {
      const [lo, hi] = EVENT_HOURS.stuck;
      const span = drawSpan(rng, window, lo * HOUR_MS, hi * HOUR_MS, ctx.stepMs, ctx.stepMs);
      if (span === undefined) return false;
      // Stuck means no movement although there is use: not a heat meter out of season.
      const least = 10 * 10 ** -m.registerDecimals * m.multiplier;
      if (consumptionInInterval(m, span.startMs, span.endMs, ctx.timeZone) < least) return false;
      if (!book.meterAnomaly('stuck', m.id, span)) return false;
      // Register values are filled in once every consumption anomaly is known.
      ctx.labels.push({
        kind: 'stuck',
        meter: m.id,
        start: iso(span.startMs),
        end: iso(span.endMs),
        frozenRegister: 0,
        registerAtEnd: 0,
      });
      return true;
    });
  }
}
