/**
 * The demo city's content beyond readings (issue 17, item 7): the replacement event of its
 * replaced meter, monthly and annual targets chosen from the back-filled consumption so that some
 * are on track, some at risk and some over, and a detection run over the whole back-fill, so that
 * every page has real content on the first visit. Idempotent on restart: an event is recorded only
 * when the meter has none of its type, targets only when none are stored (an officer's are never
 * replaced), and detection stores each anomaly once (its id is its type, scope and start) without
 * touching the status an officer gave it.
 */
import type { Logger } from 'pino';
import { DEFAULT_COEFFICIENT_TABLE } from '../core/domain/energy.js';
import { type QuotaTarget, type TargetStatus, targetKey } from '../core/domain/targets.js';
import { formatLocalIso } from '../core/domain/time.js';
import { newId } from '../core/security.js';
import { targetProgress } from '../core/targets-progress.js';
import type { DemoShowcase } from './demo-scenario.js';
import type { Platform } from './platform.js';

const DAY_MS = 86_400_000;

/** Records the replacement of the showcase's replaced meter unless the meter has a replacement already. */
export async function ensureReplacementEvent(platform: Platform, showcase: DemoShowcase): Promise<boolean> {
  const r = showcase.replaced;
  if (r === undefined || platform.registry.meter(r.meterId) === undefined) return false;
  if (platform.pipeline.eventsOf(r.meterId).some((e) => e.type === 'replace')) return false;
  await platform.pipeline.addEvent({
    type: 'replace',
    ts: r.atMs,
    oldFinal: r.oldFinal,
    newInitial: r.newInitial,
    id: newId('evt'),
    meterId: r.meterId,
    createdAtMs: Date.now(),
    createdBy: 'demo',
  });
  return true;
}

/** A target and the status the demo gives it. */
interface Wanted {
  readonly target: Omit<QuotaTarget, 'value'>;
  readonly status: TargetStatus;
}

/** The value that puts a target in the wanted status, from its consumption to date and forecast. */
function valueFor(status: TargetStatus, toDate: number, forecast: number): number | undefined {
  const round = (x: number) => Math.round(x * 100) / 100;
  if (status === 'over') return toDate > 0 ? round(toDate * 0.9) : undefined;
  if (status === 'on_track') return forecast > 0 ? round(Math.max(forecast, toDate) * 1.15) : undefined;
  // At risk: above the consumption to date, below the forecast.
  return forecast > toDate * 1.02 ? round(toDate + (forecast - toDate) / 2) : undefined;
}

/**
 * Monthly and annual targets for the city, two districts and three institutions, each valued from
 * the stored consumption so that its progress shows the status chosen for it; a past month's
 * target is over (its total is final). Returns how many were stored: 0 when any target exists.
 */
export async function seedDemoTargets(platform: Platform, nowMs: number): Promise<number> {
  const { store, registry, config } = platform;
  if ((await store.targets()).length > 0) return 0;
  const tz = config.TIMEZONE;
  const year = formatLocalIso(nowMs, tz).slice(0, 4);
  const month = formatLocalIso(nowMs, tz).slice(0, 7);
  const lastMonth = formatLocalIso(nowMs - Number(formatLocalIso(nowMs, tz).slice(8, 10)) * DAY_MS, tz).slice(0, 7);
  const { districts, institutions } = registry.get();
  const d = (i: number) => `district:${districts[i % districts.length]?.id ?? ''}`;
  const inst = (i: number) => `institution:${institutions[i % institutions.length]?.id ?? ''}`;
  const kWh = (scope: string, period: string) => ({ scope, energy: 'electricity' as const, period, unit: 'kWh' });
  const kgce = (scope: string, period: string) => ({ scope, energy: 'all' as const, period, unit: 'kgce' });
  const wanted: Wanted[] = [
    { target: kgce('city', year), status: 'on_track' },
    { target: kWh('city', month), status: 'at_risk' },
    { target: kWh(d(0), month), status: 'over' },
    { target: kgce(d(1), year), status: 'at_risk' },
    { target: kWh(d(1), month), status: 'on_track' },
    { target: kWh(inst(1), month), status: 'over' },
    { target: kWh(inst(1), lastMonth), status: 'over' },
    { target: kWh(inst(2), month), status: 'on_track' },
    { target: kgce(inst(2), year), status: 'at_risk' },
  ];
  const probes = wanted.map((w) => ({ ...w.target, value: 1 }));
  const progress = await targetProgress(store, registry.get(), probes, {
    nowMs,
    timeZone: tz,
    coefficients: DEFAULT_COEFFICIENT_TABLE,
    defaultGridRegion: config.DEFAULT_GRID_REGION,
  });
  const targets: QuotaTarget[] = [];
  wanted.forEach((w, i) => {
    const probe = probes[i];
    const p = probe === undefined ? undefined : progress.find((x) => targetKey(x.target) === targetKey(probe));
    const value = p === undefined ? undefined : valueFor(w.status, p.toDate, p.forecast);
    if (value !== undefined) targets.push({ ...w.target, value });
  });
  if (targets.length > 0) await store.saveTargets(targets);
  return targets.length;
}

/**
 * Runs the detection jobs over the whole back-fill through the platform's job runner, as an admin's
 * `POST /api/v1/jobs/{name}/run` with `{"from","to"}` would: the runs are in job history and new
 * anomalies are notified like any. Then the hourly job once more without a range, for offline meters
 * (judged only in the present). Answers the anomalies stored since `fromMs`, by type.
 */
export async function detectDemoHistory(
  platform: Platform,
  fromMs: number,
  logger: Logger,
): Promise<Record<string, number>> {
  const { store, config, jobs } = platform;
  const nowMs = Date.now();
  const body = {
    from: formatLocalIso(fromMs, config.TIMEZONE).slice(0, 10),
    to: formatLocalIso(nowMs + DAY_MS, config.TIMEZONE).slice(0, 10),
  };
  const run = async (name: string, input?: unknown) => {
    try {
      const { lastRun } = await jobs.run(name, input);
      const level = lastRun?.outcome === 'ok' ? 'info' : 'warn';
      logger[level](
        { job: name, outcome: lastRun?.outcome, detail: lastRun?.detail },
        'demo detection over the back-fill',
      );
    } catch (error) {
      logger.warn({ err: error, job: name }, 'demo detection over the back-fill failed');
    }
  };
  // The three read different series and store idempotently: run side by side.
  await Promise.all(['detect-hourly', 'detect-daily', 'detect-targets'].map((name) => run(name, body)));
  await run('detect-hourly');
  const byType: Record<string, number> = {};
  for (const a of await store.anomalies({ fromMs, toMs: nowMs + DAY_MS })) byType[a.type] = (byType[a.type] ?? 0) + 1;
  return byType;
}
