/**
 * Shapes of the administration's API answers: the output types of the routes' own zod schemas
 * (api/schemas/*.ts, core/domain/*.ts), imported as types only: nothing of them is bundled.
 */
import type { z } from 'zod';
import type { TokenViewSchema } from '../../api/schemas/accounts.js';
import type { AuditFlagViewSchema, SignoffListSchema, SignoffSchema } from '../../api/schemas/audit.js';
import type { JobRunSchema, JobViewSchema } from '../../api/schemas/jobs.js';
import type { MeterEventViewSchema } from '../../api/schemas/meters.js';
import type { ImportAnswerSchema } from '../../api/schemas/registry.js';
import type { Role } from '../../core/domain/access.js';
import type { UserView } from '../../core/domain/accounts.js';
import type { AuditFlagStatus } from '../../core/domain/audit-flags.js';
import type { MeterEventInput } from '../../core/domain/meter-events.js';

export type { AuditFlagStatus, MeterEventInput, Role, UserView };

/** `GET /api/v1/tokens`: never the token or its hash. */
export type TokenView = z.output<typeof TokenViewSchema>;

/** A job's run on this process. */
export type JobRun = z.output<typeof JobRunSchema>;

/** `GET /api/v1/jobs`: with METADATA_URL also the cluster's newest run. */
export type JobView = z.output<typeof JobViewSchema>;

/** `POST /api/v1/registry/import`. */
export type ImportAnswer = z.output<typeof ImportAnswerSchema>;

/** `GET /api/v1/audit-flags`. */
export type AuditFlagView = z.output<typeof AuditFlagViewSchema>;

/** A sign-off as `POST …/signoff` answers it, and as `GET …/signoffs` lists it (with `openFlags`). */
export type SignoffView = z.output<typeof SignoffSchema> &
  Partial<Pick<z.output<typeof SignoffListSchema>['signoffs'][number], 'openFlags'>>;

/** A meter's lifecycle event as `GET /api/v1/meters/{id}/events` answers it. */
export type MeterEventView = z.output<typeof MeterEventViewSchema>;
