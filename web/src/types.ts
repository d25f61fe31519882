/**
 * Shapes of the API answers the page reads: the output types of the routes' own zod schemas
 * (api/schemas/*.ts, core/domain/*.ts), imported as types only: nothing of them is bundled.
 */
import type { z } from 'zod';
import type { ConsumptionAnswerSchema, SeriesPointSchema, UncostedSchema } from '../../api/schemas/consumption.js';
import type { DeadLetterSchema } from '../../api/schemas/dead-letters.js';
import type { ReadingViewSchema } from '../../api/schemas/meters.js';
import type { MeterQualitySchema, QualityAnswerSchema } from '../../api/schemas/quality.js';
import type { ArchivedReportSchema, RankingEntrySchema, RankingSchema } from '../../api/schemas/reports.js';
import type { TargetListSchema, TargetProgressViewSchema } from '../../api/schemas/targets.js';
import type { AnomalyView } from '../../core/domain/anomalies.js';
import type { FactorsUsed } from '../../core/domain/carbon-series.js';
import type { Comparison } from '../../core/domain/comparison.js';
import type { Energy } from '../../core/domain/energy.js';
import type { Registry } from '../../core/domain/registry.js';

export type { Building, District, Institution, Meter } from '../../core/domain/registry.js';
export type { Comparison, Energy, FactorsUsed, Registry };

export type Interval = 'hour' | 'day' | 'month' | 'year';

/** A bucket of a consumption or cost series. */
export type SeriesPoint = z.output<typeof SeriesPointSchema>;

/** `unit=yuan`: a meter's hours with consumption that neither a bill nor a tariff prices (costed 0). */
export type Uncosted = z.output<typeof UncostedSchema>;

/** The answer of `/consumption`, cost (`unit=yuan`) and comparison (`compare=…`) included. */
export type Consumption = z.output<typeof ConsumptionAnswerSchema>;

/** How a quota target stands (`/targets/progress`). */
export type TargetProgress = z.output<typeof TargetProgressViewSchema>;
export type TargetStatus = TargetProgress['status'];

/** A target as `/targets` lists it: a quota or a five-year reduction. */
export type Target = z.output<typeof TargetListSchema>['targets'][number];

/** A ranked institution as the page shows it (without its rank within its type). */
export type RankingEntry = Omit<z.output<typeof RankingEntrySchema>, 'typeRank'>;

/**
 * What the page shows of `/reports/ranking`; `computed` is set by the page when it ranked from
 * /consumption instead (the route answered 404).
 */
export type Ranking = Pick<z.output<typeof RankingSchema>, 'unit'> & {
  readonly entries: readonly RankingEntry[];
  readonly computed?: boolean;
};

export type AnomalyStatus = Anomaly['status'];

/** An anomaly as the API answers it, with its assignment, due date and comments (issue 17, item 3). */
export type Anomaly = AnomalyView;

export type MeterQuality = z.output<typeof MeterQualitySchema>;
export type Quality = z.output<typeof QualityAnswerSchema>;
export type DeadLetter = z.output<typeof DeadLetterSchema>;
export type Reading = z.output<typeof ReadingViewSchema>;
export type ArchivedReport = z.output<typeof ArchivedReportSchema>;
