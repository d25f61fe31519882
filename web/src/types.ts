/**
 * Shapes of the API answers the page reads (README, "HTTP API"). The registry's types come from
 * core/domain (type-only imports: nothing of core is bundled); the rest mirror api/routes/*.ts.
 */
import type { AnomalyView } from '../../core/domain/anomalies.js';
import type { FactorsUsed } from '../../core/domain/carbon-series.js';
import type { Energy } from '../../core/domain/energy.js';
import type { Registry } from '../../core/domain/registry.js';

export type { Building, District, Institution, Meter } from '../../core/domain/registry.js';
export type { Energy, FactorsUsed, Registry };

export type Interval = 'hour' | 'day' | 'month' | 'year';

export interface SeriesPoint {
  readonly start: string;
  readonly value: number;
  /** The bucket's data quality; a cost answer (`unit=yuan`) has none. */
  readonly estimatedShare?: number;
  readonly completeness?: number;
  readonly quality?: 'good' | 'estimated' | 'suspect' | 'missing';
  /** `unit=yuan`: the yuan of the value that come from bills and from tariffs. */
  readonly billed?: number;
  readonly tariffed?: number;
}

/** `unit=yuan`: a meter's hours with consumption that neither a bill nor a tariff prices (costed 0). */
export interface Uncosted {
  readonly meterId: string;
  readonly energy: Energy;
  readonly hours: number;
  readonly quantity: number;
}

/** The answer of `/consumption` (api/routes/consumption.ts, and consumption-cost.ts for `unit=yuan`). */
export interface Consumption {
  readonly scope: string;
  readonly energy: Energy | 'all';
  readonly unit: string;
  readonly interval: Interval;
  readonly timezone: string;
  readonly series: readonly SeriesPoint[];
  readonly total: number;
  readonly note?: string;
  /** `unit=kgce`: the 当量值 coefficient table used. */
  readonly coefficients?: string;
  /** `unit=kgco2` and `kgce_ev`: the factor tables, years and grid regions used. */
  readonly factors?: FactorsUsed;
  /** `unit=yuan`: yuan from bills and from tariffs, the ids of both, and what neither priced. */
  readonly billed?: number;
  readonly tariffed?: number;
  readonly bills?: readonly string[];
  readonly tariffs?: readonly string[];
  readonly uncosted?: readonly Uncosted[];
  /** `compare=…`: the compared period, point i beside point i, and the change of the total. */
  readonly comparison?: Comparison;
}

/** `/consumption?compare=…` (README "Consumption"): `change` is a share, null against 0. */
export interface Comparison {
  readonly from: string;
  readonly to: string;
  readonly series: readonly { readonly start: string; readonly value: number; readonly change: number | null }[];
  readonly total: number;
  readonly change: number | null;
}

export type TargetStatus = 'on_track' | 'at_risk' | 'over';

export interface TargetProgress {
  readonly scope: string;
  readonly energy: Energy | 'all';
  readonly period: string;
  readonly value: number;
  readonly unit: string;
  readonly toDate: number;
  readonly share: number;
  readonly forecast: number;
  readonly status: TargetStatus;
}

export interface Target {
  readonly scope: string;
  readonly energy: Energy | 'all';
  readonly period: string;
  readonly value: number;
  readonly unit: string;
}

export interface RankingEntry {
  readonly rank: number;
  readonly institutionId: string;
  readonly name: string;
  readonly districtId: string;
  readonly type: string;
  readonly value: number;
  readonly completeness: number | null;
}

export interface Ranking {
  readonly unit: string;
  readonly entries: readonly RankingEntry[];
  /** Set by the page when the ranking was computed from /consumption (the reports route answered 404). */
  readonly computed?: boolean;
}

export type AnomalyStatus = Anomaly['status'];

/** An anomaly as the API answers it, with its assignment, due date and comments (issue 17, item 3). */
export type Anomaly = AnomalyView;

export interface MeterQuality {
  readonly meterId: string;
  readonly institutionId: string;
  readonly energy: Energy;
  readonly expected: number;
  readonly received: number;
  readonly completeness: number;
  readonly hours: {
    readonly good: number;
    readonly estimated: number;
    readonly suspect: number;
    readonly missing: number;
  };
}

export interface Quality {
  readonly month: string;
  readonly threshold: number;
  readonly meters: readonly MeterQuality[];
  readonly institutions: readonly { institutionId: string; meters: number; completeness: number }[];
  readonly below: readonly string[];
}

export interface DeadLetter {
  readonly receivedAt: string;
  readonly reason: string;
  readonly raw: string;
  readonly gatewayId: string | null;
  readonly meterId: string | null;
  readonly ts: string | null;
}

export interface Reading {
  readonly ts: string;
  readonly value: number;
  readonly gatewayId: string;
  readonly receivedAt: string;
  readonly invalid?: { readonly reason: string; readonly by: string; readonly at: string };
}

export interface ArchivedReport {
  readonly period: string;
  readonly scope: string;
  readonly kind: string;
  readonly version: number;
  readonly generatedAt: string;
  readonly latest: boolean;
  readonly downloads: Readonly<Record<string, string>>;
}
