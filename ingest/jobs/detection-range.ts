import { z } from 'zod';
import { anomalyId } from '../../core/domain/anomalies.js';
import { CN_HOLIDAYS_VERSION } from '../../core/domain/holidays-cn.js';
import { LocalDateSchema } from '../../core/domain/tariffs.js';
import {
  bucketStart,
  bucketStarts,
  floorHour,
  formatLocalIso,
  localParts,
  localToEpochMs,
  nextBucketStart,
  parseLocalDateTime,
} from '../../core/domain/time.js';
import { type DetectionDeps, detectOverTarget, type Finding, recordFindings } from './detection.js';
import { detectImbalance } from './imbalance.js';
import { detectSeriesWindow, type SeriesDetector } from './series-detection.js';

const DAY_MS = 86_400_000;

/** The longest range one run examines, local days: a statistics year with a month on either side. */
export const MAX_RANGE_DAYS = 400;
/**
 * Local days examined per step of a run over a range. A step reads the hourly data of every meter
 * over its days plus the warm-up before and the look-ahead after them, so memory stays that of a
 * scheduled run (about 7 weeks of hours), whatever the range.
 */
export const STEP_DAYS = 7;
/**
 * Days read past a step's end (never past the range's end): an anomaly that starts near the end of
 * a step is seen long enough to be judged (after-hours needs 3 days, a base-load step 3 days after it).
 */
export const LOOKAHEAD_DAYS = 7;

/** A past range to examine: local dates as given and their local midnights, `[fromMs, toMs)`. */
export interface DetectionRange {
  readonly from: string;
  readonly to: string;
  readonly fromMs: number;
  readonly toMs: number;
}

/** What a run over a range did: the job's result, shown as its last run. */
export interface RangeOutcome {
  /** The range as asked: local dates, `to` exclusive. */
  readonly from: string;
  readonly to: string;
  /** What was examined, local time: `[from, min(to, now))`. */
  readonly examinedFrom: string;
  readonly examinedTo: string;
  /** Steps the range was walked in (weeks; months for targets). */
  readonly steps: number;
  /** Distinct anomalies found in the range, and how many of them were not stored before. */
  readonly found: number;
  readonly new: number;
  readonly byType: Readonly<Record<string, number>>;
  /** The holiday table that told workdays from rest days (`CN_HOLIDAYS_VERSION`). */
  readonly calendar: string;
  /** Detectors of the job that only judge the present (offline), not run over a past range. */
  readonly notExamined?: readonly string[];
}

const days = (text: string) => {
  const [y, m, d] = text.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d) / DAY_MS;
};

function addLocalDays(epochMs: number, n: number, timeZone: string): number {
  const p = localParts(epochMs, timeZone);
  return localToEpochMs(timeZone, p.year, p.month, p.day + n);
}

/**
 * The body of `POST /api/v1/jobs/{name}/run` for the detection jobs: `{"from":"YYYY-MM-DD","to":"YYYY-MM-DD"}`, local
 * dates in the platform's zone, `to` exclusive (the day after the last one examined, as every range
 * of the API); none: the scheduled behaviour. Refused (400 naming the field): a malformed or
 * impossible date, `to` not after `from`, a range starting in the future or ending after tomorrow,
 * one longer than `MAX_RANGE_DAYS`.
 */
export function detectionRangeInput(timeZone: string, now: () => number) {
  return z
    .object({ from: LocalDateSchema, to: LocalDateSchema })
    .strict()
    .transform((body, ctx): DetectionRange => {
      const issue = (path: 'from' | 'to', message: string) => {
        ctx.addIssue({ code: 'custom', path: [path], message });
        return z.NEVER;
      };
      const fromMs = parseLocalDateTime(body.from, timeZone);
      const toMs = parseLocalDateTime(body.to, timeZone);
      if (fromMs === undefined) return issue('from', 'expected a date YYYY-MM-DD');
      if (toMs === undefined) return issue('to', 'expected a date YYYY-MM-DD');
      const nowMs = now();
      if (fromMs > nowMs) return issue('from', 'in the future: there is nothing to examine yet');
      if (toMs <= fromMs) return issue('to', 'must be after from (to is exclusive: the day after the last one)');
      const tomorrowMs = addLocalDays(bucketStart(nowMs, 'day', timeZone), 1, timeZone);
      if (toMs > tomorrowMs) return issue('to', 'in the future: at most tomorrow (to is exclusive)');
      if (days(body.to) - days(body.from) > MAX_RANGE_DAYS)
        return issue('to', `at most ${MAX_RANGE_DAYS} days after from; split the range`);
      return { from: body.from, to: body.to, fromMs, toMs };
    })
    .optional();
}

/** What a job examines over a range: series detectors (and the daily meter-tree balance), or targets. */
export type RangeDetection =
  | {
      readonly kind: 'series';
      readonly detectors: readonly SeriesDetector[];
      /** Days of history before each step, as the scheduled run reads. */
      readonly warmupDays: number;
      /** Also check the balance of every meter tree over each whole day. */
      readonly imbalance?: boolean;
    }
  | { readonly kind: 'targets' };

interface Step {
  readonly fromMs: number;
  readonly toMs: number;
}

/**
 * Examines a past range (issue 17, item 5: after an import or a replay): walks it in steps of
 * `STEP_DAYS` (calendar months for targets), each as a scheduled run at its end would have seen it,
 * and stores what it finds as anomalies, idempotently (the id is the type, scope and start).
 */
export async function detectOverRange(
  deps: DetectionDeps,
  range: DetectionRange,
  what: RangeDetection,
): Promise<RangeOutcome> {
  const tz = deps.timeZone;
  const nowMs = (deps.now ?? Date.now)();
  const untilMs = Math.min(range.toMs, floorHour(nowMs));
  const steps: Step[] = [];
  let examine: (step: Step) => Promise<Finding[]>;
  let notExamined: string[] = [];
  if (what.kind === 'targets') {
    for (const monthMs of bucketStarts(range.fromMs, untilMs, 'month', tz))
      steps.push({
        fromMs: Math.max(monthMs, range.fromMs),
        toMs: Math.min(nextBucketStart(monthMs, 'month', tz), untilMs),
      });
    // Each month as it stood at its end (its total against its target), the current one as it stands now.
    examine = (step) => {
      const monthMs = bucketStart(step.fromMs, 'month', tz);
      const p = localParts(monthMs, tz);
      const month = `${p.year}-${String(p.month).padStart(2, '0')}`;
      return detectOverTarget(deps, { month, nowMs: Math.min(nextBucketStart(monthMs, 'month', tz), nowMs) });
    };
  } else {
    for (let t = range.fromMs; t < untilMs; t = addLocalDays(t, STEP_DAYS, tz))
      steps.push({ fromMs: t, toMs: Math.min(addLocalDays(t, STEP_DAYS, tz), untilMs) });
    // Offline judges whether a meter reports now; a past silence is a gap, shown by completeness.
    const detectors = what.detectors.filter((d) => d !== 'offline');
    notExamined = what.detectors.filter((d) => d === 'offline');
    const wholeDaysUntilMs = Math.min(range.toMs, bucketStart(nowMs, 'day', tz));
    examine = async (step) => {
      const toMs = Math.min(addLocalDays(step.toMs, LOOKAHEAD_DAYS, tz), untilMs);
      const window = { fromMs: step.fromMs - what.warmupDays * DAY_MS, toMs, nowMs: toMs };
      const found = detectors.length === 0 ? [] : await detectSeriesWindow(deps, detectors, window);
      if (what.imbalance === true)
        for (const dayMs of bucketStarts(step.fromMs, step.toMs, 'day', tz))
          if (nextBucketStart(dayMs, 'day', tz) <= wholeDaysUntilMs)
            found.push(...(await detectImbalance(deps, dayMs)));
      return found;
    };
  }
  const seen = new Map<string, string>();
  let created = 0;
  for (const [i, step] of steps.entries()) {
    // A step owns what starts in it (the first also what overlaps the range from before); an
    // anomaly an earlier step owns is stored again with this step's longer view of it.
    const owned = (await examine(step)).filter((f) => {
      if (seen.has(anomalyId(f.type, f.scope, f.startMs))) return true;
      if (i === 0) return f.startMs < step.toMs && f.endMs > range.fromMs;
      return f.startMs >= step.fromMs && f.startMs < step.toMs;
    });
    created += (await recordFindings(deps, owned)).new;
    for (const f of owned) seen.set(anomalyId(f.type, f.scope, f.startMs), f.type);
  }
  const byType: Record<string, number> = {};
  for (const type of seen.values()) byType[type] = (byType[type] ?? 0) + 1;
  deps.logger.info({ from: range.from, to: range.to, found: seen.size, new: created }, 'detection over a range done');
  return {
    from: range.from,
    to: range.to,
    examinedFrom: formatLocalIso(range.fromMs, tz),
    examinedTo: formatLocalIso(Math.max(range.fromMs, untilMs), tz),
    steps: steps.length,
    found: seen.size,
    new: created,
    byType,
    calendar: CN_HOLIDAYS_VERSION,
    ...(notExamined.length === 0 ? {} : { notExamined }),
  };
}
