import { scopeBalance } from '../balance.js';
import { groupBy } from '../collections.js';
import { reconcileBills } from '../cost/reconciliation.js';
import type { AuditFinding, AuditRule } from '../domain/audit-flags.js';
import type { CoefficientTable } from '../domain/energy.js';
import { COMPLETENESS_THRESHOLD, expectedReadings, metersInScope } from '../domain/quality.js';
import type { Registry } from '../domain/registry.js';
import { scopeFilter } from '../domain/series.js';
import { localParts, localToEpochMs } from '../domain/time.js';
import { badRequest } from '../errors.js';
import { generateReport } from '../reports/generate.js';
import { parseReportPeriod } from '../reports/params.js';
import type { Store } from '../storage/store.js';
import {
  billFlags,
  completenessFlags,
  factsFlags,
  imbalanceFlags,
  type MonthCompleteness,
  type PeerGroupSkipped,
  peerFlags,
  yoyFlags,
} from './rules.js';

/** What the data audit reads, and its thresholds. */
export interface AuditSource {
  readonly store: Store;
  readonly registry: () => Registry;
  readonly timeZone: string;
  readonly coefficients: CoefficientTable;
  /** The clock (epoch ms); fixed in tests. */
  readonly now: () => number;
  /** `AUDIT_YOY_THRESHOLD` (default 0.2). */
  readonly yoyThreshold: number;
  /** `BALANCE_TOLERANCE` (default 0.05). */
  readonly balanceTolerance: number;
  /** `BILL_TOLERANCE` (default 0.02). */
  readonly billTolerance: number;
}

/** What one audit of a year found and stored, as the job's run shows it. */
export interface AuditOutcome {
  readonly year: number;
  readonly flags: number;
  /** Flags raised for the first time by this run. */
  readonly new: number;
  readonly byRule: Partial<Record<AuditRule, number>>;
  /** Rules, or parts of them, that could not run, and why. */
  readonly skipped: {
    readonly peerGroups: readonly PeerGroupSkipped[];
    readonly rules: readonly { readonly rule: AuditRule; readonly reason: string }[];
  };
}

/**
 * Every rule's flags for `year` (a year that is over): the city's annual report for the year-on-year
 * and peer rules (its figures use the facts in force), the facts, one monthly aggregate of readings
 * for completeness, the year's meter balance and the bills' reconciliation with their meters.
 */
export async function auditFindings(
  source: AuditSource,
  year: number,
): Promise<{ findings: AuditFinding[]; skipped: AuditOutcome['skipped'] }> {
  const { store, timeZone } = source;
  const nowMs = source.now();
  const period = parseReportPeriod('annual', String(year), timeZone, nowMs);
  if (period.toMs > nowMs) throw badRequest('year', `${year} is not over: the audit runs on a whole year`);
  const registry = source.registry();
  const city = { level: 'city' as const };
  const [report, facts, months, balance, bills] = await Promise.all([
    generateReport({ ...source, registry: () => registry }, period, city),
    store.facts(),
    monthlyCompleteness(store, registry, year, timeZone, nowMs),
    scopeBalance(store, registry, {
      scope: city,
      fromMs: period.fromMs,
      toMs: period.toMs,
      timeZone,
      tolerance: source.balanceTolerance,
    }),
    reconcileBills(store, registry, { scope: city, year, timeZone, tolerance: source.billTolerance }),
  ]);
  const yoy = report.institutions.map((r) => {
    const water = r.energies.find((e) => e.energy === 'water');
    return {
      institutionId: r.institutionId,
      kgce: r.totalKgce,
      lastYearKgce: r.lastYear,
      waterM3: water?.amount ?? 0,
      lastYearWaterM3: water?.lastYear ?? null,
    };
  });
  const peers = peerFlags(
    year,
    report.institutions.map((r) => ({ institutionId: r.institutionId, type: r.type, kgcePerM2: r.kgcePerM2 })),
  );
  const buildings = new Map(registry.buildings.map((b) => [b.id, b.institutionId]));
  const meters = new Map(registry.meters.map((m) => [m.id, m.buildingId]));
  const findings = [
    ...yoyFlags(year, yoy, source.yoyThreshold),
    ...peers.flags,
    ...factsFlags(year, registry.institutions, facts),
    ...completenessFlags(year, months, COMPLETENESS_THRESHOLD),
    ...imbalanceFlags(
      year,
      balance.map((line) => ({ institutionId: buildings.get(meters.get(line.meterId) ?? '') ?? '', line })),
      source.balanceTolerance,
    ),
    ...billFlags(
      year,
      // An account's bill weighs on each institution whose meters it covers (usually one).
      bills.flatMap((check) =>
        [...new Set(check.meterIds.map((id) => buildings.get(meters.get(id) ?? '') ?? ''))].map((institutionId) => ({
          institutionId,
          check,
        })),
      ),
      source.billTolerance,
    ),
  ];
  return {
    findings,
    skipped: { peerGroups: peers.skipped, rules: [] },
  };
}

/** Audits `year` and stores its flags: re-running updates them and keeps their status. */
export async function runDataAudit(source: AuditSource, year: number): Promise<AuditOutcome> {
  const { findings, skipped } = await auditFindings(source, year);
  const fresh = await source.store.upsertAuditFlags(findings, source.now());
  const byRule: Partial<Record<AuditRule, number>> = {};
  for (const f of findings) byRule[f.rule] = (byRule[f.rule] ?? 0) + 1;
  return { year, flags: findings.length, new: fresh.length, byRule, skipped };
}

/** The year a scheduled audit covers: the one before `nowMs`'s. */
export function previousYear(nowMs: number, timeZone: string): number {
  return localParts(nowMs, timeZone).year - 1;
}

/**
 * Received and expected readings of each institution's meters in each month of the year: one
 * aggregate by month and institution (`readings` counts every meter), expected from each meter's
 * interval while it was active (as `GET /api/v1/quality` counts them).
 */
async function monthlyCompleteness(
  store: Store,
  registry: Registry,
  year: number,
  timeZone: string,
  nowMs: number,
): Promise<MonthCompleteness[]> {
  const city = { level: 'city' as const };
  const months = Array.from({ length: 12 }, (_, i) => ({
    month: `${year}-${String(i + 1).padStart(2, '0')}`,
    fromMs: localToEpochMs(timeZone, year, i + 1),
    toMs: localToEpochMs(timeZone, year, i + 2),
  }));
  const [rows, events] = await Promise.all([
    store.aggregate({
      filter: scopeFilter(city),
      fromMs: months[0]?.fromMs ?? 0,
      toMs: months[11]?.toMs ?? 0,
      interval: 'month',
      timeZone,
      groupBy: 'institution',
      sums: ['readings'],
    }),
    store.meterEvents(),
  ]);
  const received = new Map<string, number>();
  for (const r of rows) {
    const key = `${r.groupId}|${r.bucketStartMs}`;
    received.set(key, (received.get(key) ?? 0) + r.readings);
  }
  const eventsOf = groupBy(events, (e) => e.meterId);
  const buildings = new Map(registry.buildings.map((b) => [b.id, b.institutionId]));
  const meters = groupBy(metersInScope(registry, city), (m) => buildings.get(m.buildingId) ?? '');
  const out: MonthCompleteness[] = [];
  for (const inst of registry.institutions) {
    const own = meters.get(inst.id) ?? [];
    for (const m of months) {
      const expected = own.reduce(
        (sum, meter) => sum + expectedReadings(meter, eventsOf.get(meter.id) ?? [], m.fromMs, m.toMs, nowMs),
        0,
      );
      out.push({
        institutionId: inst.id,
        month: m.month,
        expected,
        received: received.get(`${inst.id}|${m.fromMs}`) ?? 0,
      });
    }
  }
  return out;
}
