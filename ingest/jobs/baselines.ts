import { z } from 'zod';
import { BaselineModelKindSchema } from '../../core/domain/baselines.js';
import { formatScope, parseScope, scopeExists } from '../../core/domain/scope.js';
import { LocalDateSchema } from '../../core/domain/tariffs.js';
import { bucketStart, localParts, localToEpochMs, parseLocalDateTime } from '../../core/domain/time.js';
import { type BaselineBatchRequest, fitBaselines } from '../../core/savings/baseline-batch.js';
import type { DetectionDeps } from './detection.js';
import type { JobSpec } from './runner.js';

const DAY_MS = 86_400_000;
/** The longest period a baseline is fitted on: three years (GB/T 24915 and contracts take 1–3). */
export const MAX_BASELINE_DAYS = 1100;
/** The shortest: the 30 usable days a model needs. */
export const MIN_BASELINE_DAYS = 30;

const pad = (n: number) => String(n).padStart(2, '0');
const dateOf = (ms: number, timeZone: string) => {
  const p = localParts(ms, timeZone);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
};
const monthsFrom = (ms: number, months: number, timeZone: string) => {
  const p = localParts(ms, timeZone);
  return localToEpochMs(timeZone, p.year, p.month + months, p.day);
};

/**
 * The body of `POST /api/v1/jobs/fit-baselines/run`: `{"from"?,"to"?,"model"?,"scope"?}`, local
 * dates (`to` exclusive), `model` `daily` (default) or `hourly`, `scope` any scope (default the
 * city). Without dates: the 12 months before the current one; with one of them, 12 months from or
 * to it. Refused (400 naming the field): an impossible date, `to` not after `from`, `to` after
 * tomorrow, a period shorter than 30 days or longer than 1,100, an unknown or malformed scope.
 */
export function baselineJobInput(deps: Pick<DetectionDeps, 'timeZone' | 'registry' | 'now'>) {
  const tz = deps.timeZone;
  return z
    .object({
      from: LocalDateSchema.optional(),
      to: LocalDateSchema.optional(),
      model: BaselineModelKindSchema.default('daily'),
      scope: z.string().min(1).max(200).optional(),
    })
    .strict()
    .optional()
    .transform((body, ctx): BaselineBatchRequest => {
      const issue = (path: string, message: string) => {
        ctx.addIssue({ code: 'custom', path: [path], message });
        return z.NEVER;
      };
      const nowMs = (deps.now ?? Date.now)();
      const given = (field: 'from' | 'to') => {
        const text = body?.[field];
        return text === undefined ? undefined : parseLocalDateTime(text, tz);
      };
      const fromGiven = given('from');
      const toGiven = given('to');
      if (body?.from !== undefined && fromGiven === undefined) return issue('from', 'expected a date YYYY-MM-DD');
      if (body?.to !== undefined && toGiven === undefined) return issue('to', 'expected a date YYYY-MM-DD');
      const monthStart = bucketStart(nowMs, 'month', tz);
      const toMs = toGiven ?? (fromGiven === undefined ? monthStart : monthsFrom(fromGiven, 12, tz));
      const fromMs = fromGiven ?? monthsFrom(toMs, -12, tz);
      if (toMs <= fromMs) return issue('to', 'must be after from (to is exclusive)');
      const tomorrowMs = bucketStart(bucketStart(nowMs, 'day', tz) + 36 * 3_600_000, 'day', tz);
      if (toMs > tomorrowMs) return issue('to', 'in the future: at most tomorrow (to is exclusive)');
      const days = Math.round((toMs - fromMs) / DAY_MS);
      if (days < MIN_BASELINE_DAYS) return issue('from', `at least ${MIN_BASELINE_DAYS} days before to`);
      if (days > MAX_BASELINE_DAYS) return issue('to', `at most ${MAX_BASELINE_DAYS} days after from`);
      let scope: BaselineBatchRequest['scope'];
      if (body?.scope !== undefined) {
        const parsed = parseScope(body.scope);
        if (parsed === undefined)
          return issue('scope', 'expected city, district:ID, institution:ID, building:ID or meter:ID');
        if (!scopeExists(parsed, deps.registry.get())) return issue('scope', `unknown ${formatScope(parsed)}`);
        scope = parsed.level === 'city' ? undefined : parsed;
      }
      return {
        from: dateOf(fromMs, tz),
        to: dateOf(toMs, tz),
        fromMs,
        toMs,
        model: body?.model ?? 'daily',
        ...(scope === undefined ? {} : { scope }),
      };
    });
}

/**
 * `fit-baselines` (issue 18, "Speed"): every metered meter's baseline model fitted on its last 12
 * months with its weather station's temperatures and stored (core/savings/baseline-batch.ts), for
 * the `weather_baseline` detector and the page. Monthly, on the 2nd at 02:30 (the month before is
 * complete, the night's detection has run); on demand for a period, a model kind or a scope.
 */
export function baselineJob(deps: DetectionDeps): JobSpec {
  const input = baselineJobInput(deps);
  return {
    name: 'fit-baselines',
    schedule: '30 2 2 * *',
    description:
      'Baselines, every month: each meter\'s weather model (CalTRACK daily) fitted on the last 12 months and stored, for the weather-baseline detector. On demand with {"from","to","model":"daily|hourly","scope"}.',
    input,
    run: async (body) => {
      const request = (body as BaselineBatchRequest | undefined) ?? input.parse(undefined);
      const log = deps.logger.child({ job: 'fit-baselines' });
      return fitBaselines(
        {
          store: deps.store,
          registry: deps.registry.get(),
          timeZone: deps.timeZone,
          nowMs: (deps.now ?? Date.now)(),
          log,
        },
        request,
      );
    },
  };
}
