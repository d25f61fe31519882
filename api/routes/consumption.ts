import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { groupBy } from '../../core/collections.js';
import { DEFAULT_GRID_REGION } from '../../core/domain/carbon.js';
import {
  CARBON_UNITS,
  carbonPlan,
  carbonUnitLabel,
  convertCells,
  factorsUsed,
  isCarbonUnit,
} from '../../core/domain/carbon-series.js';
import { CompareSchema, comparisonPeriod } from '../../core/domain/comparison.js';
import { EnergySchema } from '../../core/domain/energy.js';
import { bucketQuality, completeness, expectedReadingsPerRange, metersInScope } from '../../core/domain/quality.js';
import { formatScope } from '../../core/domain/scope.js';
import { buildSeries, energyIncluded, round6, scopeFilter, unitLabel } from '../../core/domain/series.js';
import { SubItemFilterSchema, subItemPrefix } from '../../core/domain/sub-items.js';
import { bucketStarts, formatLocalIso } from '../../core/domain/time.js';
import { NormalizeSchema } from '../../core/domain/weather-normalized.js';
import { badRequest } from '../../core/errors.js';
import { intensityDivisors } from '../../core/facts-service.js';
import { virtualAggregate } from '../../core/virtual-meter.js';
import { LocalRangeQuery, resolveScope, ScopeQuery, withLocalRange } from '../params.js';
import { ERRORS } from '../schemas/common.js';
import { ConsumptionAnswerSchema, IntervalSchema } from '../schemas/consumption.js';
import { type ComparedSpan, comparisonOf } from './consumption-compare.js';
import { costAnswer } from './consumption-cost.js';
import { normalizedOf, planNormalize } from './consumption-normalize.js';

const QuerySchema = z.object({
  ...ScopeQuery.shape,
  ...LocalRangeQuery.shape,
  interval: IntervalSchema.default('day'),
  energy: EnergySchema.optional(),
  unit: z.enum(['native', 'kgce', ...CARBON_UNITS, 'yuan']).default('native'),
  subItem: SubItemFilterSchema.optional(),
  per: z.enum(['m2', 'capita']).optional(),
  compare: CompareSchema.optional(),
  normalize: NormalizeSchema.optional(),
});

/** The most buckets one answer may hold. */
const MAX_BUCKETS = 20_000;

/**
 * `GET /api/v1/consumption`: consumption of a scope by calendar bucket, native or kgce, optionally
 * per m² or capita, and compared with another period (issue 17, item 3).
 */
export async function consumptionRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { registry, store, timeZone, coefficients, lifecycle } = app.deps;
  app.get(
    '/consumption',
    {
      schema: {
        summary: 'Consumption by scope and calendar bucket',
        querystring: withLocalRange(QuerySchema, timeZone, { wholeHours: true }),
        response: { 200: ConsumptionAnswerSchema, ...ERRORS },
      },
    },
    async (request) => {
      const q = request.query;
      const { fromMs, toMs } = q;
      const scope = resolveScope(request, q.scope);
      let energy = q.energy;
      if (q.subItem !== undefined) {
        if (energy !== undefined && energy !== 'electricity')
          throw badRequest('subItem', 'sub-items apply to electricity only');
        energy = 'electricity';
      }
      if (energy === undefined && q.unit === 'native') {
        throw badRequest(
          'energy',
          'required with unit=native (units of different energies do not add up); or use unit=kgce',
        );
      }
      const buckets = bucketStarts(fromMs, toMs, q.interval, timeZone);
      if (buckets.length > MAX_BUCKETS)
        throw badRequest('interval', `${buckets.length} buckets; at most ${MAX_BUCKETS} per request`);
      // The period compared with, by its own calendar buckets (issue 17, item 3).
      let compared: ComparedSpan | undefined;
      if (q.compare !== undefined) {
        const c = comparisonPeriod(q.compare, { fromMs, toMs }, timeZone);
        if (!c.ok) throw badRequest('compare', c.reason);
        const starts = bucketStarts(c.period.fromMs, c.period.toMs, q.interval, timeZone);
        if (starts.length > MAX_BUCKETS)
          throw badRequest('compare', `${starts.length} buckets; at most ${MAX_BUCKETS} per request`);
        compared = { ...c.period, bucketStartsMs: starts };
      }
      // Weather-normalised: under the other period's weather, or a normal year's (issue 18, item 4).
      const normalize =
        q.normalize === undefined
          ? undefined
          : planNormalize(
              { ...q, normalize: q.normalize, scope, energy, current: { fromMs, toMs }, compared },
              registry.get(),
              timeZone,
            );
      // Cost: bills and tariffs (issue 16, item 1).
      if (q.unit === 'yuan') {
        const { subItem, per } = q;
        const cost = { scope, fromMs, toMs, interval: q.interval, bucketStartsMs: buckets, energy, subItem, per };
        return costAnswer(request, { ...cost, compared });
      }
      // kgCO₂ and 等价值 kgce take each bucket's year and each institution's grid region (issue 16, item 2).
      const carbon = isCarbonUnit(q.unit)
        ? {
            plan: carbonPlan(scope, registry.get(), app.deps.defaultGridRegion ?? DEFAULT_GRID_REGION),
            conversion: { unit: q.unit, timeZone, coefficients },
          }
        : undefined;
      if (carbon?.conversion.unit === 'kgco2' && energy === 'water')
        throw badRequest('energy', 'water has no CO2 factor');
      const filter = {
        ...scopeFilter(scope),
        ...(energy === undefined ? {} : { energy }),
        ...(q.subItem === undefined ? {} : { subItemPrefix: subItemPrefix(q.subItem) }),
      };
      // A virtual meter is its formula over other meters (issue "The meter model").
      const virtual = scope.level === 'meter' ? registry.meter(scope.id) : undefined;
      const mode = isCarbonUnit(q.unit) ? 'native' : q.unit;
      /** A period's rows and series in the answer's unit; the current one and the compared one alike. */
      const figuresOf = async (span: ComparedSpan) => {
        // Each bucket's floor area or occupants in force, time-weighted where a fact changes them (issue 15).
        const divisor =
          q.per === undefined ? 1 : await intensityDivisors(store, registry.get(), scope, q.per, { ...span, timeZone });
        const aggregate = {
          filter,
          fromMs: span.fromMs,
          toMs: span.toMs,
          interval: q.interval,
          timeZone,
          groupBy: carbon?.plan.groupBy ?? 'none',
        };
        const rows =
          virtual?.virtual === undefined
            ? await store.aggregate(aggregate)
            : await virtualAggregate(store, virtual, aggregate);
        // Converted cells are in the answer's unit already: they add up as native amounts do.
        const converted = carbon === undefined ? rows : convertCells(rows, carbon.plan, carbon.conversion);
        const built = buildSeries(converted, span.bucketStartsMs, { energy, mode, table: coefficients, divisor });
        return { ...span, rows, points: built.series, total: built.total, totalExact: built.totalExact };
      };
      const nowMs = (app.deps.now ?? Date.now)();
      const [current, other, normalized] = await Promise.all([
        figuresOf({ fromMs, toMs, bucketStartsMs: buckets }),
        compared === undefined ? undefined : figuresOf(compared),
        normalize === undefined
          ? undefined
          : normalizedOf(
              { store, registry: registry.get(), timeZone, eventsOf: (id) => lifecycle.eventsOf(id), nowMs },
              scope,
              normalize,
              q.interval === 'hour' ? undefined : buckets,
            ),
      ]);
      const { rows, points: series, total } = current;
      // Completeness per point: readings received / expected from each meter's interval (DOMAIN.md).
      const included = rows.filter((r) => energyIncluded(r.energy, energy));
      const cells = groupBy(included, (r) => r.bucketStartMs);
      const meters = metersInScope(registry.get(), scope, {
        ...(energy === undefined ? {} : { energy }),
        ...(q.subItem === undefined ? {} : { subItem: q.subItem }),
      }).filter((m) => energyIncluded(m.energy, energy));
      const ends = [...buckets.slice(1), toMs];
      const ranges = buckets.map((start, i) => ({
        fromMs: Math.max(start, fromMs),
        toMs: Math.min(ends[i] ?? toMs, toMs),
      }));
      const expectedPerBucket = expectedReadingsPerRange(meters, (id) => lifecycle.eventsOf(id), ranges, nowMs);
      const quality = buckets.map((start, i) => {
        const list = cells.get(start) ?? [];
        const sum = (f: (r: (typeof list)[number]) => number) => list.reduce((acc, r) => acc + f(r), 0);
        const expected = expectedPerBucket[i] ?? 0;
        return {
          completeness: round6(
            completeness(
              sum((r) => r.readings),
              expected,
            ),
          ),
          quality: bucketQuality({
            goodHours: sum((r) => r.goodHours),
            estimatedHours: sum((r) => r.estimatedHours),
            suspectHours: sum((r) => r.suspectHours),
          }),
        };
      });
      return {
        scope: formatScope(scope),
        energy: energy ?? ('all' as const),
        unit: isCarbonUnit(q.unit) ? carbonUnitLabel(q.unit, q.per) : unitLabel(energy, q.unit, q.per),
        interval: q.interval,
        timezone: timeZone,
        from: formatLocalIso(fromMs, timeZone),
        to: formatLocalIso(toMs, timeZone),
        ...(q.subItem === undefined ? {} : { subItem: q.subItem }),
        ...(q.unit === 'kgce' ? { coefficients: coefficients.version } : {}),
        ...(carbon === undefined
          ? {}
          : {
              factors: factorsUsed([...buckets, ...(compared?.bucketStartsMs ?? [])], carbon.plan, carbon.conversion),
            }),
        ...(energy === undefined
          ? { note: 'water is a resource, not energy: it is excluded from the kgce total' }
          : {}),
        series: series.map((p, i) => ({
          start: formatLocalIso(p.startMs, timeZone),
          value: p.value,
          estimatedShare: p.estimatedShare,
          ...quality[i],
        })),
        total,
        ...(other === undefined
          ? {}
          : {
              comparison: {
                ...comparisonOf(current, other, timeZone),
                ...(normalized !== undefined && !('normalYear' in normalized) ? normalized : {}),
              },
            }),
        ...(normalized !== undefined && 'normalYear' in normalized ? normalized : {}),
      };
    },
  );
}
