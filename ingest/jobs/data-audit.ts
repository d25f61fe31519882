import type { Logger } from 'pino';
import { z } from 'zod';
import { DEFAULT_AUDIT_YOY_THRESHOLD } from '../../core/audit/rules.js';
import { type AuditOutcome, previousYear, runDataAudit } from '../../core/audit/run.js';
import { DEFAULT_BALANCE_TOLERANCE } from '../../core/domain/balance.js';
import type { CoefficientTable } from '../../core/domain/energy.js';
import type { RegistryHolder } from '../../core/registry-holder.js';
import type { Store } from '../../core/storage/store.js';
import type { JobSpec } from './runner.js';

/** What the data-audit job needs. */
export interface DataAuditJobDeps {
  readonly store: Store;
  readonly registry: RegistryHolder;
  readonly timeZone: string;
  readonly coefficients: CoefficientTable;
  readonly logger: Logger;
  /** `AUDIT_YOY_THRESHOLD` (default 0.2). */
  readonly yoyThreshold?: number;
  /** `BALANCE_TOLERANCE` (default 0.05). */
  readonly balanceTolerance?: number;
  /** `BILL_TOLERANCE` (default 0.02). */
  readonly billTolerance?: number;
  /** The clock (epoch ms); fixed in tests. */
  readonly now?: () => number;
}

/** `BILL_TOLERANCE` when none is given (as the bills' reconciliation route). */
const DEFAULT_BILL_TOLERANCE = 0.02;

/** The body of `POST /api/v1/jobs/data-audit/run`: the year to audit; none: last year. */
export const DataAuditInputSchema = z
  .object({ year: z.number().int().min(2000).max(2100) })
  .strict()
  .optional();

/**
 * The data audit (数据会审, issue 16 item 4): runs the audit rules over a year and stores their
 * flags; re-running updates them and keeps their status. Scheduled on 15 January at 03:00 for the
 * year just ended: two weeks for late uploads and corrections, well before the statistics are due
 * (31 March). On demand with `{"year":YYYY}`.
 */
export function dataAuditJob(deps: DataAuditJobDeps): JobSpec {
  const now = deps.now ?? Date.now;
  return {
    name: 'data-audit',
    schedule: '0 3 15 1 *',
    description:
      'Data audit of a year (last year; on demand {"year"}): year-on-year change, peer outliers, changed floor area or persons, incomplete months, meter imbalance, bill vs meter',
    input: DataAuditInputSchema,
    run: async (input): Promise<AuditOutcome> => {
      const year = (input as z.infer<typeof DataAuditInputSchema>)?.year ?? previousYear(now(), deps.timeZone);
      const outcome = await runDataAudit(
        {
          store: deps.store,
          registry: () => deps.registry.get(),
          timeZone: deps.timeZone,
          coefficients: deps.coefficients,
          now,
          yoyThreshold: deps.yoyThreshold ?? DEFAULT_AUDIT_YOY_THRESHOLD,
          balanceTolerance: deps.balanceTolerance ?? DEFAULT_BALANCE_TOLERANCE,
          billTolerance: deps.billTolerance ?? DEFAULT_BILL_TOLERANCE,
        },
        year,
      );
      deps.logger.info({ year, flags: outcome.flags, new: outcome.new }, 'data audit done');
      return outcome;
    },
  };
}
