import type { Energy } from '../domain/energy.js';
import type { InstitutionType } from '../domain/registry.js';
import { badRequest } from '../errors.js';
import { INTENSITY_DECIMALS, roundTo } from './model.js';
import type { RankableReport, RankableRow } from './ranking-rows.js';

/** What institutions are ranked by: total kgce, or kgce per m² of floor area or per occupant. */
export const RANKING_METRICS = ['kgce', 'kgce_per_m2', 'kgce_per_capita'] as const;
/** A ranking metric. */
export type RankingMetric = (typeof RANKING_METRICS)[number];

/** One ranked institution. */
export interface RankingEntry {
  /** 1 = highest; equal values share a rank (1, 2, 2, 4). */
  readonly rank: number;
  readonly institutionId: string;
  readonly name: string;
  readonly districtId: string;
  readonly type: InstitutionType;
  readonly value: number;
  /** Rank within the institutions of the same type (peer group). */
  readonly typeRank: number;
  /** Completeness of the institution's data, shown beside its figure. */
  readonly completeness: number | null;
}

/** A peer group: the institutions of one type, with their median. */
export interface PeerGroup {
  readonly type: InstitutionType;
  readonly institutions: number;
  readonly median: number;
}

/** A ranking of a report's institutions, highest first, with peer groups by institution type. */
export interface Ranking {
  readonly period: string;
  readonly scope: string;
  readonly metric: RankingMetric;
  /** `all` = every energy but water, in kgce. */
  readonly energy: Energy | 'all';
  /** e.g. `kgce/m2`. */
  readonly unit: string;
  readonly entries: readonly RankingEntry[];
  readonly peerGroups: readonly PeerGroup[];
  /** Institutions without the metric's denominator (no occupants), not ranked. */
  readonly unranked: readonly string[];
}

/** Parses a ranking metric (default `kgce`); 400 naming `metric` otherwise. */
export function parseRankingMetric(text: string | undefined): RankingMetric {
  if (text === undefined || text === '') return 'kgce';
  if (!(RANKING_METRICS as readonly string[]).includes(text))
    throw badRequest('metric', `expected ${RANKING_METRICS.join(', ')}, got "${text}"`);
  return text as RankingMetric;
}

/** The median of values (mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  if (s.length === 0) return 0;
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

function metricValue(row: RankableRow, metric: RankingMetric, energy: Energy | undefined): number | null {
  const line = energy === undefined ? undefined : row.energies.find((l) => l.energy === energy);
  if (metric === 'kgce') return energy === undefined ? row.totalKgce : (line?.kgce ?? 0);
  // Intensities of the exact figures, rounded once (issue 16, item 7).
  const kgceMicro = energy === undefined ? row.exact.kgceMicro : (line?.exact.kgceMicro ?? 0);
  const divisor = metric === 'kgce_per_m2' ? row.exact.floorAreaM2Micro : row.exact.occupantsMicro;
  return divisor > 0 ? roundTo(kgceMicro / divisor, INTENSITY_DECIMALS) : null;
}

/** Competition ranks of values sorted highest first: equal values share the rank of the first. */
export function ranks(values: readonly number[]): number[] {
  const out: number[] = [];
  values.forEach((v, i) => {
    out.push(i > 0 && values[i - 1] === v ? (out[i - 1] ?? i + 1) : i + 1);
  });
  return out;
}

/**
 * Ranks a report's institutions by a metric (highest first; ties by id), with each one's rank within
 * its type and each type's median: the public notice (通报) compares institutions with their peers.
 * Takes a report model or the figures `rankingReport` computes for a ranking alone.
 */
export function rankInstitutions(report: RankableReport, metric: RankingMetric, energy?: Energy): Ranking {
  const valued = report.institutions.map((row) => ({ row, value: metricValue(row, metric, energy) }));
  const ranked = valued
    .filter((v): v is { row: RankableRow; value: number } => v.value !== null)
    .sort((a, b) => b.value - a.value || a.row.institutionId.localeCompare(b.row.institutionId));
  const overall = ranks(ranked.map((r) => r.value));
  // Each type's ranks and median in one pass: `ranked` is highest first, so each type's peers are too.
  const byType = new Map<InstitutionType, { values: number[]; last: number; rank: number }>();
  const typeRanks: number[] = new Array(ranked.length);
  ranked.forEach(({ row, value }, i) => {
    let peers = byType.get(row.type);
    if (peers === undefined) {
      peers = { values: [], last: Number.NaN, rank: 0 };
      byType.set(row.type, peers);
    }
    peers.values.push(value);
    if (value !== peers.last) peers.rank = peers.values.length;
    peers.last = value;
    typeRanks[i] = peers.rank;
  });
  const peerGroups = [...byType].map(([type, peers]) => ({
    type,
    institutions: peers.values.length,
    median: roundTo(median(peers.values), INTENSITY_DECIMALS),
  }));
  const unit = metric === 'kgce' ? 'kgce' : metric === 'kgce_per_m2' ? 'kgce/m2' : 'kgce/capita';
  return {
    period: report.period,
    scope: report.scope,
    metric,
    energy: energy ?? 'all',
    unit,
    entries: ranked.map(({ row, value }, i) => ({
      rank: overall[i] ?? 0,
      institutionId: row.institutionId,
      name: row.name,
      districtId: row.districtId,
      type: row.type,
      value,
      typeRank: typeRanks[i] ?? 0,
      completeness: row.completeness,
    })),
    peerGroups,
    unranked: valued.filter((v) => v.value === null).map((v) => v.row.institutionId),
  };
}
