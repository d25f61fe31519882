import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { scopeCost } from '../../core/cost/scope-cost.js';
import { yuanOfMicro } from '../../core/domain/bills.js';
import type { Energy } from '../../core/domain/energy.js';
import { formatScope, type Scope } from '../../core/domain/scope.js';
import { formatLocalIso, type Interval } from '../../core/domain/time.js';
import { badRequest } from '../../core/errors.js';
import type { ConsumptionAnswerSchema } from '../schemas/consumption.js';
import { type ComparedSpan, comparisonOf, type PeriodFigures } from './consumption-compare.js';

/** What `GET /api/v1/consumption?unit=yuan` asks, validated by the consumption route. */
export interface CostRequest {
  readonly scope: Scope;
  readonly fromMs: number;
  readonly toMs: number;
  readonly interval: Interval;
  readonly bucketStartsMs: readonly number[];
  readonly energy?: Energy | undefined;
  readonly subItem?: string | undefined;
  readonly per?: string | undefined;
  /** The period to compare with (issue 17, item 3). */
  readonly compared?: ComparedSpan | undefined;
}

/**
 * The answer of `GET /api/v1/consumption?unit=yuan` (issue "The statutory year", item 1): the cost of
 * the scope by bucket, bills where they cover it and tariff × consumption elsewhere, in yuan rounded
 * to the fen once, from exact micro-yuan (the total is not the sum of the rounded points). Same shape
 * as the consumption answer; `energy` may be omitted (every energy, water included).
 */
export async function costAnswer(
  request: FastifyRequest,
  q: CostRequest,
): Promise<z.output<typeof ConsumptionAnswerSchema>> {
  const { registry, store, timeZone } = request.server.deps;
  if (q.subItem !== undefined)
    throw badRequest('subItem', 'not with unit=yuan (bills are per account, not per sub-item)');
  if (q.per !== undefined) throw badRequest('per', 'not with unit=yuan');
  if (q.scope.level === 'meter' && registry.meter(q.scope.id)?.virtual !== undefined)
    throw badRequest('scope', 'a virtual meter has no cost of its own');
  const costOf = (span: ComparedSpan) =>
    scopeCost(store, registry.get(), {
      scope: q.scope,
      ...(q.energy === undefined ? {} : { energy: q.energy }),
      fromMs: span.fromMs,
      toMs: span.toMs,
      bucketStartsMs: span.bucketStartsMs,
      timeZone,
    });
  // Changes of a comparison from exact micro-yuan.
  const figures = (span: ComparedSpan, c: Awaited<ReturnType<typeof costOf>>): PeriodFigures => ({
    fromMs: span.fromMs,
    toMs: span.toMs,
    points: c.buckets.map((b) => ({ startMs: b.startMs, value: yuanOfMicro(b.micro), exact: b.micro })),
    total: yuanOfMicro(c.micro),
    totalExact: c.micro,
  });
  const [cost, other] = await Promise.all([costOf(q), q.compared === undefined ? undefined : costOf(q.compared)]);
  return {
    scope: formatScope(q.scope),
    energy: q.energy ?? 'all',
    unit: 'yuan',
    interval: q.interval,
    timezone: timeZone,
    from: formatLocalIso(q.fromMs, timeZone),
    to: formatLocalIso(q.toMs, timeZone),
    note:
      'bills where they cover an hour (spread by the metered shape of the account), tariff × consumption elsewhere; ' +
      'hours with neither cost 0 and are listed in uncosted',
    series: cost.buckets.map((b) => ({
      start: formatLocalIso(b.startMs, timeZone),
      value: yuanOfMicro(b.micro),
      billed: yuanOfMicro(b.billedMicro),
      tariffed: yuanOfMicro(b.tariffMicro),
    })),
    total: yuanOfMicro(cost.micro),
    billed: yuanOfMicro(cost.billedMicro),
    tariffed: yuanOfMicro(cost.tariffMicro),
    bills: [...cost.billIds],
    tariffs: [...cost.tariffIds],
    uncosted: [...cost.uncosted],
    ...(q.compared === undefined || other === undefined
      ? {}
      : { comparison: comparisonOf(figures(q, cost), figures(q.compared, other), timeZone) }),
  };
}
