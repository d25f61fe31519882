import { scopeBalance } from '../../core/balance.js';
import { DEFAULT_BALANCE_TOLERANCE } from '../../core/domain/balance.js';
import { ENERGY_INFO } from '../../core/domain/energy.js';
import { bucketStart, nextBucketStart } from '../../core/domain/time.js';
import type { DetectionDeps, Finding } from './detection.js';

/**
 * Imbalance (总分表平衡): each parent meter of the city whose sub-meters differ from it by more than
 * `BALANCE_TOLERANCE` over a local day (yesterday, or the day starting at `dayStartMs`) is an
 * `imbalance` anomaly on the parent, with the balance as evidence. Severity: above 4× the tolerance
 * high, above 2× medium, else low. Nothing is counted as wasted: the difference is losses, an
 * unmetered load or a faulty meter, to be checked.
 */
export async function detectImbalance(deps: DetectionDeps, dayStartMs?: number): Promise<Finding[]> {
  const fromMs =
    dayStartMs ?? bucketStart(bucketStart((deps.now ?? Date.now)(), 'day', deps.timeZone) - 1, 'day', deps.timeZone);
  const toMs = nextBucketStart(fromMs, 'day', deps.timeZone);
  const tolerance = deps.balanceTolerance ?? DEFAULT_BALANCE_TOLERANCE;
  const lines = await scopeBalance(deps.store, deps.registry.get(), {
    scope: { level: 'city' },
    fromMs,
    toMs,
    timeZone: deps.timeZone,
    tolerance,
  });
  return lines
    .filter((l) => l.flagged)
    .map((l) => {
      const off = l.share === null ? Number.POSITIVE_INFINITY : Math.abs(l.share);
      return {
        type: 'imbalance',
        scope: `meter:${l.meterId}`,
        energy: l.energy,
        startMs: fromMs,
        endMs: toMs,
        severity: off > 4 * tolerance ? 'high' : off > 2 * tolerance ? 'medium' : 'low',
        evidence: {
          parent: l.parent,
          children: l.children,
          difference: l.difference,
          share: l.share,
          tolerance,
          childIds: l.childIds,
          unit: ENERGY_INFO[l.energy].nativeUnit,
        },
        wastedNative: 0,
      };
    });
}
