import type { Logger } from 'pino';
import { type AnomalyEvent, anomalyId } from '../../core/domain/anomalies.js';
import type { GridRegion } from '../../core/domain/carbon.js';
import type { CoefficientTable, Energy } from '../../core/domain/energy.js';
import { ENERGY_INFO } from '../../core/domain/energy.js';
import { isQuotaTarget } from '../../core/domain/targets.js';
import { localParts } from '../../core/domain/time.js';
import type { Metrics } from '../../core/metrics.js';
import type { RegistryHolder } from '../../core/registry-holder.js';
import type { Store } from '../../core/storage/store.js';
import { targetProgress } from '../../core/targets-progress.js';
import type { AnomalyNotifier } from '../alerts/notifier.js';
import { deliverAnomalies, type WebhookOptions } from '../alerts/webhook.js';

/** What a detection job needs. */
export interface DetectionDeps {
  readonly store: Store;
  readonly registry: RegistryHolder;
  readonly timeZone: string;
  readonly coefficients: CoefficientTable;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly webhook?: Omit<WebhookOptions, 'logger'>;
  /** Routed notifications of new anomalies (issue 17, item 4): handed over, not waited for. */
  readonly notifier?: AnomalyNotifier;
  readonly now?: () => number;
  /** `BALANCE_TOLERANCE` (default 0.05): the imbalance a meter tree may have before it is an anomaly. */
  readonly balanceTolerance?: number;
  /** `DEFAULT_GRID_REGION`: the grid region of institutions without one (carbon targets). */
  readonly defaultGridRegion?: GridRegion;
}

/** A finding before it is stored: the fields detectors produce. */
export interface Finding {
  readonly type: string;
  readonly scope: string;
  readonly energy: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly severity: AnomalyEvent['severity'];
  readonly evidence: Record<string, unknown>;
  readonly wastedNative: number;
}

/** Stores findings as anomaly events (idempotently), counts and sends the new ones. */
export async function recordFindings(
  deps: DetectionDeps,
  findings: readonly Finding[],
): Promise<{ found: number; new: number }> {
  const nowMs = (deps.now ?? Date.now)();
  const events: AnomalyEvent[] = findings.map((f) => {
    const coefficient = f.energy in ENERGY_INFO ? deps.coefficients.kgcePerUnit[f.energy as Energy] : 1;
    return {
      ...f,
      id: anomalyId(f.type, f.scope, f.startMs),
      wastedKgce: f.energy === 'all' ? f.wastedNative : f.wastedNative * coefficient,
      status: 'open',
      detectedAtMs: nowMs,
    };
  });
  const fresh = new Set(await deps.store.upsertAnomalies(events));
  const created = events.filter((e) => fresh.has(e.id));
  for (const e of created) deps.metrics.anomaliesDetected.inc({ type: e.type });
  deps.notifier?.notify(created);
  if (deps.webhook !== undefined && created.length > 0) {
    await deliverAnomalies(created, {
      ...deps.webhook,
      logger: deps.logger,
      onDelivered: (ok) => deps.metrics.alertDeliveries.inc({ outcome: ok ? 'ok' : 'failed' }),
    });
  }
  return { found: events.length, new: created.length };
}

/**
 * Over target: a monthly target whose month-to-date consumption plus the seasonal forecast of the
 * rest of the month is above it. One event per scope, energy and month. The current month, or
 * `at.month` as it stood at `at.nowMs` (a past month at its end: its total against its target).
 */
export async function detectOverTarget(
  deps: DetectionDeps,
  at?: { readonly month: string; readonly nowMs: number },
): Promise<Finding[]> {
  const nowMs = at?.nowMs ?? (deps.now ?? Date.now)();
  const p = localParts(nowMs, deps.timeZone);
  const month = at?.month ?? `${p.year}-${String(p.month).padStart(2, '0')}`;
  // Monthly quotas only: a reduction target's period is a year (issue 16, item 6).
  const targets = (await deps.store.targets()).filter(isQuotaTarget).filter((t) => t.period === month);
  const progress = await targetProgress(deps.store, deps.registry.get(), targets, {
    nowMs,
    timeZone: deps.timeZone,
    coefficients: deps.coefficients,
    ...(deps.defaultGridRegion === undefined ? {} : { defaultGridRegion: deps.defaultGridRegion }),
  });
  return progress
    .filter((g) => g.status !== 'on_track')
    .map((g) => ({
      type: 'over_target',
      scope: g.target.scope,
      energy: g.target.energy,
      startMs: g.fromMs,
      endMs: g.toMs,
      severity: g.status === 'over' ? 'high' : 'medium',
      evidence: {
        observed: g.toDate,
        expected: g.target.value,
        forecast: g.forecast,
        bandLow: 0,
        bandHigh: g.target.value,
        unit: g.target.unit,
        method: g.method,
        status: g.status,
      },
      wastedNative: Math.max(0, g.forecast - g.target.value),
    }));
}
