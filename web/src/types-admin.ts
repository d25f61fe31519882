/**
 * Shapes of the administration's API answers. Users and audit flags come from core/domain's zod
 * schemas (type-only imports: nothing of core is bundled); the rest mirror api/routes/*.ts.
 */

import type { Role } from '../../core/domain/access.js';
import type { UserView } from '../../core/domain/accounts.js';
import type { AuditFinding, AuditFlagStatus } from '../../core/domain/audit-flags.js';
import type { MeterEventInput } from '../../core/domain/meter-events.js';

export type { AuditFlagStatus, MeterEventInput, Role, UserView };

/** `GET /api/v1/tokens` (api/routes/tokens.ts): never the token or its hash. */
export interface TokenView {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly scopes: readonly string[];
  readonly createdAt: string | null;
  readonly expiresAt: string | null;
  readonly revokedAt: string | null;
}

/** A job's run (ingest/jobs/runner.ts `JobRun`). */
export interface JobRun {
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly outcome: 'ok' | 'failed' | 'running';
  readonly detail?: unknown;
}

/** `GET /api/v1/jobs` (api/routes/jobs.ts): with METADATA_URL also the cluster's newest run. */
export interface JobView {
  readonly name: string;
  readonly schedule: string;
  readonly description: string;
  readonly running: boolean;
  readonly lastRun: JobRun | null;
  readonly clusterLastRun?: {
    readonly startedAt: string;
    readonly finishedAt: string;
    readonly outcome: string;
    readonly detail?: unknown;
    readonly process: string;
    readonly trigger: string;
  } | null;
}

/** `POST /api/v1/registry/import` (api/routes/registry-sheet.ts). */
export interface ImportAnswer {
  readonly dryRun: boolean;
  readonly rows: Readonly<Record<string, number>>;
  readonly registry: Readonly<Record<string, number>>;
}

/** `GET /api/v1/audit-flags` (api/routes/audit-flags.ts `AuditFlagOut`). */
export interface AuditFlagView extends AuditFinding {
  readonly status: AuditFlagStatus;
  readonly detectedAt: string;
  readonly seenAt: string;
  readonly resolution: { status: string; by: string; comment: string; at: string } | null;
}

/** `GET /api/v1/statistics/annual/{year}/signoffs` (api/routes/signoff.ts). */
export interface SignoffView {
  readonly year: number;
  readonly scope: string;
  readonly institutionId: string;
  readonly by: string;
  readonly at: string;
  readonly flags: number;
  readonly openFlags?: number;
}

/** A meter's lifecycle event as `GET /api/v1/meters/{id}/events` answers it. */
export type MeterEventView = MeterEventInput extends infer E
  ? E extends { ts: number }
    ? Omit<E, 'ts'> & {
        readonly id: string;
        readonly ts: string;
        readonly createdAt: string;
        readonly createdBy: string;
      }
    : never
  : never;
