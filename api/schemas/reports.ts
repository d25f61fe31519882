/**
 * Answers of the report routes (api/routes/reports.ts, notice.ts, statistics.ts). The report,
 * notice and statistics models are large and documented in the README; their schemas name the
 * header fields and let the figures through unchecked (`looseObject`), so that they stay exact.
 */
import { z } from 'zod';
import { EnergySchema } from '../../core/domain/energy.js';
import { InstitutionTypeSchema } from '../../core/domain/registry.js';
import { REPORT_FORMATS } from '../../core/reports/model.js';
import { RANKING_METRICS } from '../../core/reports/ranking.js';

const header = {
  scope: z.string(),
  scopeName: z.string(),
  from: z.string().describe('local ISO start, inclusive'),
  to: z.string().describe('local ISO end, exclusive'),
  generatedAt: z.string(),
  partial: z.boolean().describe('the period was not over at generation: figures are to date'),
};

/** `GET /api/v1/reports/monthly` and `/annual` as JSON (`format=json`). */
export const ReportModelSchema = z.looseObject({
  schema: z.literal('jieneng.report/1'),
  kind: z.enum(['monthly', 'annual']),
  period: z.string().describe('YYYY-MM or YYYY'),
  timeZone: z.string(),
  ...header,
  energies: z.array(EnergySchema).readonly(),
});

/** `GET /api/v1/reports/notice` as JSON. */
export const NoticeSchema = z.looseObject({ schema: z.literal('jieneng.notice/1'), year: z.string(), ...header });

/** `GET /api/v1/statistics/annual` as JSON. */
export const StatisticsSchema = z.looseObject({
  schema: z.literal('jieneng.statistics/1'),
  year: z.string(),
  ...header,
});

/** One institution of a ranking. */
export const RankingEntrySchema = z.object({
  rank: z.number().describe('1 = highest; equal values share a rank (1, 2, 2, 4)'),
  institutionId: z.string(),
  name: z.string(),
  districtId: z.string(),
  type: InstitutionTypeSchema,
  value: z.number(),
  typeRank: z.number().describe('rank within the institutions of the same type'),
  completeness: z.number().nullable(),
});

/** `GET /api/v1/reports/ranking`. */
export const RankingSchema = z.object({
  period: z.string(),
  scope: z.string(),
  metric: z.enum(RANKING_METRICS),
  energy: z.union([EnergySchema, z.literal('all')]),
  unit: z.string(),
  entries: z.array(RankingEntrySchema).readonly(),
  peerGroups: z
    .array(z.object({ type: InstitutionTypeSchema, institutions: z.number(), median: z.number() }))
    .readonly(),
  unranked: z.array(z.string()).readonly().describe('institutions without the denominator, not ranked'),
  coefficients: z.string(),
  note: z.string().optional(),
});

/** An archived report version with its downloads. */
export const ArchivedReportSchema = z.object({
  period: z.string(),
  scope: z.string(),
  kind: z.enum(['monthly', 'annual']),
  version: z.number(),
  generatedAt: z.string(),
  hash: z.string(),
  formats: z.array(z.enum(REPORT_FORMATS)).readonly(),
  latest: z.boolean(),
  downloads: z.partialRecord(z.enum(REPORT_FORMATS), z.string()).describe('download path per format'),
});

/** `GET /api/v1/reports`. */
export const ArchiveListSchema = z.object({ reports: z.array(ArchivedReportSchema) });
