import { type BalanceLine, balanceLines } from './domain/balance.js';
import { metersInScope } from './domain/quality.js';
import type { Registry } from './domain/registry.js';
import type { Scope } from './domain/scope.js';
import { scopeFilter } from './domain/series.js';
import type { SeriesStore } from './storage/store.js';

/** What a balance is asked for. */
export interface BalanceRequest {
  readonly scope: Scope;
  readonly fromMs: number;
  readonly toMs: number;
  readonly timeZone: string;
  readonly tolerance: number;
}

/**
 * The balance of every parent meter of a scope over [fromMs, toMs): two store queries, each
 * meter's own amount and each parent's sub-meters' sum (`groupBy: 'parent'`).
 */
export async function scopeBalance(
  store: SeriesStore,
  registry: Registry,
  req: BalanceRequest,
): Promise<BalanceLine[]> {
  const meters = metersInScope(registry, req.scope);
  if (!meters.some((m) => m.parentId !== undefined)) return [];
  const base = {
    filter: scopeFilter(req.scope),
    fromMs: req.fromMs,
    toMs: req.toMs,
    interval: 'total' as const,
    timeZone: req.timeZone,
    sums: [],
  };
  const [own, children] = await Promise.all([
    store.aggregate({ ...base, groupBy: 'meter' }),
    store.aggregate({ ...base, groupBy: 'parent' }),
  ]);
  const sum = (rows: typeof own) => {
    const out = new Map<string, number>();
    for (const r of rows) out.set(r.groupId, (out.get(r.groupId) ?? 0) + r.amount);
    return out;
  };
  return balanceLines(meters, sum(own), sum(children), req.tolerance);
}
