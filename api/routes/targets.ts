import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { canRead } from '../../core/domain/access.js';
import { formatScope } from '../../core/domain/scope.js';
import {
  isQuotaTarget,
  isReductionTarget,
  overlappingTargets,
  TargetsInputSchema,
  targetKey,
} from '../../core/domain/targets.js';
import { formatLocalIso } from '../../core/domain/time.js';
import { AppError } from '../../core/errors.js';
import { reductionProgress } from '../../core/reduction-progress.js';
import { targetProgress } from '../../core/targets-progress.js';
import { accessFor, requireAction, requireScope } from '../access.js';
import { audit } from '../audit.js';
import { isKnownScope, resolveScope, scopeText } from '../params.js';
import { checkedInHandler, ERRORS } from '../schemas/common.js';
import { TargetListSchema, TargetsProgressSchema, TargetsSavedSchema } from '../schemas/targets.js';

const ListQuery = z.object({
  scope: scopeText().optional().describe('only the targets of exactly this scope'),
  year: z
    .string()
    .regex(/^\d{4}$/, 'expected YYYY')
    .optional(),
});
const ProgressQuery = z.object({
  scope: scopeText(),
  year: z.string().regex(/^\d{4}$/, 'expected YYYY'),
  normalize: z
    .enum(['normal', 'base'])
    .optional()
    .describe(
      "adds progress[].normalized: the year to date under a normal year's weather (normal) or the year before's (base), per institution and energy",
    ),
});

function invalid(details: { path: string; message: string }[]): AppError {
  return new AppError('JN_REQUEST_INVALID', 400, details.map((d) => `${d.path}: ${d.message}`).join('; '), { details });
}

/** `PUT/GET /api/v1/targets` and `GET /api/v1/targets/progress`. */
export async function targetRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { store, registry } = app.deps;

  app.put(
    '/targets',
    {
      schema: {
        summary: 'Upsert annual and monthly targets (by scope, energy and period)',
        body: checkedInHandler(TargetsInputSchema),
        response: { 200: TargetsSavedSchema, ...ERRORS },
      },
    },
    async (request) => {
      requireAction(request, 'act');
      const parsed = TargetsInputSchema.safeParse(request.body);
      if (!parsed.success)
        throw invalid(parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
      const problems = overlappingTargets(parsed.data.targets);
      parsed.data.targets.forEach((t, i) => {
        if (!isKnownScope(t.scope, registry.get()))
          problems.push({ path: `targets[${i}].scope`, message: `unknown scope "${t.scope}"` });
      });
      if (problems.length > 0) throw invalid(problems);
      parsed.data.targets.forEach((t, i) => {
        requireScope(request, t.scope, `targets[${i}].scope`);
      });
      const keys = new Set(parsed.data.targets.map(targetKey));
      const before = (await store.targets()).filter((t) => keys.has(targetKey(t)));
      await store.saveTargets(parsed.data.targets);
      await audit(request, `targets:${[...keys].join(',')}`.slice(0, 1000), before, parsed.data.targets);
      return { saved: parsed.data.targets.length };
    },
  );

  app.get(
    '/targets',
    {
      schema: {
        summary: 'Targets, optionally of a scope and year',
        querystring: ListQuery,
        response: { 200: TargetListSchema, ...ERRORS },
      },
    },
    async (request) => {
      const q = request.query;
      const all = await store.targets();
      const access = accessFor(request);
      return {
        targets: all.filter(
          (t) =>
            canRead(access, t.scope) &&
            (q.scope === undefined || t.scope === q.scope) &&
            (q.year === undefined || t.period.startsWith(q.year)),
        ),
      };
    },
  );

  app.get(
    '/targets/progress',
    {
      schema: {
        summary:
          'Consumption to date, seasonal forecasts and status of a scope’s targets for a year; five-year reductions as of the year',
        querystring: ProgressQuery,
        response: { 200: TargetsProgressSchema, ...ERRORS },
      },
    },
    async (request) => {
      const q = request.query;
      const scope = resolveScope(request, q.scope);
      const ofScope = (await store.targets()).filter((t) => t.scope === formatScope(scope));
      const targets = ofScope.filter(isQuotaTarget).filter((t) => t.period.startsWith(q.year));
      // Five-year targets whose span holds the year, as of that year (issue 16, item 6).
      const year = Number(q.year);
      const reductions = ofScope
        .filter(isReductionTarget)
        .filter((t) => t.baseYear <= year && year <= Number(t.period));
      const { timeZone, coefficients } = app.deps;
      const opts = {
        nowMs: (app.deps.now ?? Date.now)(),
        timeZone,
        coefficients,
        ...(app.deps.defaultGridRegion === undefined ? {} : { defaultGridRegion: app.deps.defaultGridRegion }),
      };
      const normalize =
        q.normalize === undefined
          ? undefined
          : { reference: q.normalize, eventsOf: (id: string) => app.deps.lifecycle.eventsOf(id) };
      const [progress, reduction] = await Promise.all([
        targetProgress(store, registry.get(), targets, { ...opts, ...(normalize === undefined ? {} : { normalize }) }),
        reductionProgress(store, registry.get(), reductions, { ...opts, year }),
      ]);
      return {
        scope: formatScope(scope),
        year: q.year,
        progress: progress.map((p) => ({
          ...p.target,
          from: formatLocalIso(p.fromMs, timeZone),
          to: formatLocalIso(p.toMs, timeZone),
          toDate: p.toDate,
          share: p.share,
          forecast: p.forecast,
          ...(p.forecastMonthEnd === undefined ? {} : { forecastMonthEnd: p.forecastMonthEnd }),
          method: p.method,
          status: p.status,
          ...(p.normalized === undefined
            ? {}
            : {
                normalized:
                  p.normalized.status === 'refused'
                    ? p.normalized
                    : (({ throughMs, institutions, ...n }) => ({
                        ...n,
                        through: formatLocalIso(throughMs, timeZone),
                        institutions: { ...institutions, notNormalized: [...institutions.notNormalized] },
                      }))(p.normalized),
              }),
        })),
        reductions: reduction,
      };
    },
  );
}
