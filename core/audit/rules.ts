import type { BillCheck } from '../cost/reconciliation.js';
import { type AuditFinding, type AuditRule, type AuditSeverity, auditFlagId } from '../domain/audit-flags.js';
import type { BalanceLine } from '../domain/balance.js';
import { billId } from '../domain/bills.js';
import { compareFacts, FACT_FIELDS, type Fact } from '../domain/facts.js';

/**
 * The data-audit rules (数据会审, issue 16 item 4) as pure functions over plain figures: each
 * returns the flags of one rule for one year, with the figures that raised them as evidence.
 */

/** Default `AUDIT_YOY_THRESHOLD`: a year whose total kgce or water differs from last year's by more than 20 %. */
export const DEFAULT_AUDIT_YOY_THRESHOLD = 0.2;
/** Tukey's inner fences: Q1 − 1.5·IQR and Q3 + 1.5·IQR (an outlier). */
export const TUKEY_INNER_K = 1.5;
/** Tukey's outer fences, 3·IQR: beyond them a peer outlier is `high` ("far out"). */
export const TUKEY_OUTER_K = 3;
/** Fewest institutions of a type with an intensity for its quartiles to mean anything; fewer: no peer flag. */
export const MIN_PEERS = 4;

const scopeOf = (institutionId: string) => `institution:${institutionId}`;
const round = (x: number, decimals = 4) => Math.round(x * 10 ** decimals) / 10 ** decimals;

function finding(
  rule: AuditRule,
  year: number,
  institutionId: string,
  detail: string,
  severity: AuditSeverity,
  evidence: Record<string, unknown>,
  message: string,
): AuditFinding {
  const scope = scopeOf(institutionId);
  return { id: auditFlagId(rule, scope, year, detail), year, scope, rule, severity, evidence, message };
}

/** How far beyond its limit a ratio is: above 4× the limit high, above 2× medium, else low. */
function severityBeyond(excess: number, limit: number): AuditSeverity {
  return excess > 4 * limit ? 'high' : excess > 2 * limit ? 'medium' : 'low';
}

/** An institution's year beside last year's: total kgce (water excluded) and water m³. */
export interface YearOnYear {
  readonly institutionId: string;
  readonly kgce: number;
  /** Null when there was no data last year (no flag: nothing to compare with). */
  readonly lastYearKgce: number | null;
  readonly waterM3: number;
  readonly lastYearWaterM3: number | null;
}

/**
 * `yoy_change`: total kgce, or water m³, changed against last year by more than `threshold`
 * (a share: 0.2 = 20 %). Quiet where last year had nothing to compare with (null or 0).
 */
export function yoyFlags(year: number, rows: readonly YearOnYear[], threshold: number): AuditFinding[] {
  const out: AuditFinding[] = [];
  for (const r of rows) {
    const measures = [
      { measure: 'kgce', unit: 'kgce', value: r.kgce, lastYear: r.lastYearKgce },
      { measure: 'water', unit: 'm3', value: r.waterM3, lastYear: r.lastYearWaterM3 },
    ];
    for (const m of measures) {
      if (m.lastYear === null || m.lastYear <= 0) continue;
      const change = (m.value - m.lastYear) / m.lastYear;
      if (!(Math.abs(change) > threshold)) continue;
      const pct = `${change > 0 ? '+' : ''}${(change * 100).toFixed(1)} %`;
      out.push(
        finding(
          'yoy_change',
          year,
          r.institutionId,
          m.measure,
          severityBeyond(Math.abs(change), threshold),
          { measure: m.measure, unit: m.unit, value: m.value, lastYear: m.lastYear, change: round(change), threshold },
          `${m.measure === 'kgce' ? 'energy' : 'water'} ${pct} against ${year - 1} (threshold ±${threshold * 100} %)`,
        ),
      );
    }
  }
  return out;
}

/** An institution's intensity of the year, with its type. */
export interface PeerIntensity {
  readonly institutionId: string;
  readonly type: string;
  /** kgce/m² with the floor area in force; null without a floor area. */
  readonly kgcePerM2: number | null;
}

/** A type whose peer range could not be drawn. */
export interface PeerGroupSkipped {
  readonly type: string;
  readonly peers: number;
  readonly reason: string;
}

/** Quartile `p` of ascending `sorted` by linear interpolation between closest ranks (Excel QUARTILE.INC, numpy's default). */
export function quantile(sorted: readonly number[], p: number): number {
  const pos = (sorted.length - 1) * p;
  const lo = Math.floor(pos);
  const a = sorted[lo] ?? Number.NaN;
  const b = sorted[Math.min(lo + 1, sorted.length - 1)] ?? a;
  return a + (b - a) * (pos - lo);
}

/**
 * `peer_outlier`: kgce/m² outside its institution type's Tukey fences (Q1 − 1.5·IQR, Q3 + 1.5·IQR),
 * `high` beyond the outer fences (3·IQR). Peers are the institutions of the type with a positive
 * intensity (one without consumption is the completeness rule's); a type with fewer than
 * `MIN_PEERS` gets no flag and is listed in `skipped`.
 */
export function peerFlags(
  year: number,
  rows: readonly PeerIntensity[],
): { flags: AuditFinding[]; skipped: PeerGroupSkipped[] } {
  const byType = new Map<string, { institutionId: string; value: number }[]>();
  for (const r of rows) {
    if (r.kgcePerM2 === null || !(r.kgcePerM2 > 0)) continue;
    const list = byType.get(r.type) ?? [];
    list.push({ institutionId: r.institutionId, value: r.kgcePerM2 });
    byType.set(r.type, list);
  }
  const flags: AuditFinding[] = [];
  const skipped: PeerGroupSkipped[] = [];
  for (const [type, peers] of [...byType].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (peers.length < MIN_PEERS) {
      skipped.push({ type, peers: peers.length, reason: `fewer than ${MIN_PEERS} institutions with an intensity` });
      continue;
    }
    const sorted = peers.map((p) => p.value).sort((a, b) => a - b);
    const q1 = quantile(sorted, 0.25);
    const q3 = quantile(sorted, 0.75);
    const iqr = q3 - q1;
    const fence = { low: q1 - TUKEY_INNER_K * iqr, high: q3 + TUKEY_INNER_K * iqr };
    const outer = { low: q1 - TUKEY_OUTER_K * iqr, high: q3 + TUKEY_OUTER_K * iqr };
    for (const p of peers) {
      if (p.value >= fence.low && p.value <= fence.high) continue;
      const above = p.value > fence.high;
      const far = above ? p.value > outer.high : p.value < outer.low;
      flags.push(
        finding(
          'peer_outlier',
          year,
          p.institutionId,
          '',
          far ? 'high' : 'medium',
          {
            type,
            kgcePerM2: p.value,
            peers: peers.length,
            q1: round(q1),
            q3: round(q3),
            iqr: round(iqr),
            lowerFence: round(fence.low),
            upperFence: round(fence.high),
            median: round(quantile(sorted, 0.5)),
          },
          `${round(p.value)} kgce/m² is ${above ? 'above' : 'below'} the ${type} peer range ` +
            `[${round(fence.low)}, ${round(fence.high)}] of ${peers.length} institutions`,
        ),
      );
    }
  }
  return { flags, skipped };
}

/** An institution with the registry's values (what holds where no fact does). */
export interface InstitutionValues {
  readonly id: string;
  readonly floorAreaM2: number;
  readonly occupants: number;
}

/**
 * `facts_changed`: floor area or energy-using persons of an institution changed during the year:
 * a fact of `institution:ID` taking effect on a day of the year with a value other than the one
 * in force before it. One flag per field, with the value at the start of the year, each change
 * and the value at the end. Pins (a fact from 1970 with the registry's earlier value) never fall
 * inside a year after 1970 and so never flag.
 */
export function factsFlags(
  year: number,
  institutions: readonly InstitutionValues[],
  facts: readonly Fact[],
): AuditFinding[] {
  const first = `${year}-01-01`;
  const last = `${year}-12-31`;
  const out: AuditFinding[] = [];
  const byScope = new Map<string, Fact[]>();
  for (const f of facts) byScope.set(f.scope, [...(byScope.get(f.scope) ?? []), f]);
  for (const inst of institutions) {
    const own = (byScope.get(scopeOf(inst.id)) ?? []).slice().sort(compareFacts);
    for (const field of FACT_FIELDS) {
      const steps = own.filter((f) => f[field] !== undefined);
      const before = steps.filter((f) => f.from < first).at(-1)?.[field];
      // Before its first fact a field has the registry's value (core/domain/facts.ts).
      let inForce: number = before ?? inst[field];
      const atStart = inForce;
      const changes: { from: string; value: number; by: string }[] = [];
      for (const f of steps.filter((s) => s.from >= first && s.from <= last)) {
        const value = f[field] as number;
        if (value !== inForce) changes.push({ from: f.from, value, by: f.createdBy });
        inForce = value;
      }
      if (changes.length === 0) continue;
      const label = field === 'floorAreaM2' ? 'floor area' : 'energy-using persons';
      out.push(
        finding(
          'facts_changed',
          year,
          inst.id,
          field,
          'low',
          { field, atStart, atEnd: inForce, changes },
          `${label} changed during ${year}: ${atStart} → ${inForce} (${changes.length} change${changes.length === 1 ? '' : 's'})`,
        ),
      );
    }
  }
  return out;
}

/** Readings of an institution's meters in one month. */
export interface MonthCompleteness {
  readonly institutionId: string;
  /** `YYYY-MM`. */
  readonly month: string;
  readonly expected: number;
  readonly received: number;
}

/**
 * `month_incomplete`: a month whose completeness (received / expected readings, at most 1) is below
 * `threshold` (0.9). One flag per institution and month; below 50 % high, below 75 % medium.
 */
export function completenessFlags(
  year: number,
  months: readonly MonthCompleteness[],
  threshold: number,
): AuditFinding[] {
  const out: AuditFinding[] = [];
  for (const m of months) {
    if (!(m.expected > 0)) continue;
    const share = Math.min(1, m.received / m.expected);
    if (share >= threshold) continue;
    out.push(
      finding(
        'month_incomplete',
        year,
        m.institutionId,
        m.month,
        share < 0.5 ? 'high' : share < 0.75 ? 'medium' : 'low',
        { month: m.month, expected: round(m.expected, 2), received: m.received, completeness: round(share), threshold },
        `${m.month}: ${(share * 100).toFixed(1)} % of the expected readings (threshold ${threshold * 100} %)`,
      ),
    );
  }
  return out;
}

/** A parent meter's balance over the year, with its institution. */
export interface InstitutionBalance {
  readonly institutionId: string;
  readonly line: BalanceLine;
}

/**
 * `meter_imbalance`: a main meter whose sub-meters differ from it over the year by more than
 * `tolerance` (`BALANCE_TOLERANCE`), as `balanceLines` flags it. One flag per parent meter;
 * severity as the daily imbalance detector's (4× high, 2× medium).
 */
export function imbalanceFlags(
  year: number,
  balances: readonly InstitutionBalance[],
  tolerance: number,
): AuditFinding[] {
  return balances
    .filter((b) => b.line.flagged)
    .map(({ institutionId, line }) => {
      const off = line.share === null ? Number.POSITIVE_INFINITY : Math.abs(line.share);
      return finding(
        'meter_imbalance',
        year,
        institutionId,
        line.meterId,
        severityBeyond(off, tolerance),
        {
          meterId: line.meterId,
          energy: line.energy,
          parent: line.parent,
          children: line.children,
          difference: line.difference,
          share: line.share === null ? null : round(line.share),
          tolerance,
          childIds: line.childIds,
        },
        line.share === null
          ? `sub-meters of ${line.meterId} measured ${line.children} where it measured nothing`
          : `sub-meters of ${line.meterId} differ from it by ${(line.share * 100).toFixed(1)} % (tolerance ${tolerance * 100} %)`,
      );
    });
}

/** A bill reconciled with its account's meters, with the institution the meters belong to. */
export interface InstitutionBill {
  readonly institutionId: string;
  readonly check: BillCheck;
}

/**
 * `bill_mismatch`: a bill whose quantity differs from what the account's meters recorded over its
 * days by more than `tolerance` (`BILL_TOLERANCE`), or metered consumption where nothing was
 * billed, as `reconcileBills` flags it (core/cost/reconciliation.ts). One flag per bill and
 * institution; severity by how far beyond the tolerance (4× high, 2× medium), high without a
 * billed quantity.
 */
export function billFlags(year: number, bills: readonly InstitutionBill[], tolerance: number): AuditFinding[] {
  return bills
    .filter((b) => b.check.flagged)
    .map(({ institutionId, check }) => {
      const off = check.share === null ? Number.POSITIVE_INFINITY : Math.abs(check.share);
      return finding(
        'bill_mismatch',
        year,
        institutionId,
        billId(check),
        severityBeyond(off, tolerance),
        {
          accountNo: check.accountNo,
          energy: check.energy,
          from: check.from,
          to: check.to,
          billedQuantity: check.billedQuantity,
          meteredQuantity: check.meteredQuantity,
          difference: check.difference,
          share: check.share,
          tolerance,
          meterIds: check.meterIds,
        },
        check.share === null
          ? `account ${check.accountNo} ${check.from}–${check.to}: ${check.meteredQuantity} metered, nothing billed`
          : `account ${check.accountNo} ${check.from}–${check.to}: metered differs from billed by ` +
              `${(check.share * 100).toFixed(1)} % (tolerance ${tolerance * 100} %)`,
      );
    });
}
