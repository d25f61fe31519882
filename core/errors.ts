/** Stable error codes (`JN_<AREA>_<WHAT>`); tests assert these, not messages. */
export type ErrorCode =
  | 'JN_AUTH_MISSING'
  | 'JN_AUTH_INVALID'
  | 'JN_AUTH_EXPIRED'
  | 'JN_AUTH_REVOKED'
  /**
   * A request signed in by the session cookie that changes something without `X-Requested-With:
   * jieneng`, or from another site's `Origin` (issue 17, item 1: cross-site request forgery).
   */
  | 'JN_AUTH_CSRF'
  /**
   * Single sign-on refused (issue 17, item 1; the page shows the code after `?sso_error=`): no
   * sign-in of this browser to finish, or a `state` that is not its own (STATE); the provider or
   * a check of its answer refused (FAILED); none of the user's groups is mapped to a role
   * (UNMAPPED); the username is a local user's or another subject's (CONFLICT); the user is
   * disabled here (DISABLED); the provider cannot be reached (UNAVAILABLE).
   */
  | 'JN_AUTH_SSO_STATE'
  | 'JN_AUTH_SSO_FAILED'
  | 'JN_AUTH_SSO_UNMAPPED'
  | 'JN_AUTH_SSO_CONFLICT'
  | 'JN_AUTH_SSO_DISABLED'
  | 'JN_AUTH_SSO_UNAVAILABLE'
  /** A user created with a username another user has (usernames are case-insensitive). */
  | 'JN_USERNAME_TAKEN'
  | 'JN_FORBIDDEN'
  | 'JN_RATE_LIMITED'
  | 'JN_REQUEST_INVALID'
  | 'JN_REGISTRY_INVALID'
  /** A registry change that would rewrite a meter's history: record the dated event instead. */
  | 'JN_REGISTRY_HISTORY'
  | 'JN_SCOPE_UNKNOWN'
  | 'JN_NOT_FOUND'
  | 'JN_EVENT_CONFLICT'
  /** Manual readings for a meter read by a gateway (or a virtual one): its readings come from elsewhere. */
  | 'JN_METER_NOT_MANUAL'
  /** A dead letter without a gateway, or of a code that re-submitting cannot fix (a whole refused message). */
  | 'JN_DEAD_LETTER_NOT_RETRIABLE'
  /** A dead letter retried already: it is retried at most once. */
  | 'JN_DEAD_LETTER_RETRIED'
  | 'JN_STORE_UNAVAILABLE'
  /** An on-demand job run while another process of the cluster runs the same job. */
  | 'JN_JOB_BUSY'
  /** A backup whose manifest is missing or unreadable, or a file of which differs from its manifest. */
  | 'JN_BACKUP_INVALID'
  /** A restore into a data directory whose store a running platform holds. */
  | 'JN_BACKUP_TARGET_IN_USE'
  /** A restore into a data directory that is not empty, without `--force`. */
  | 'JN_BACKUP_TARGET_NOT_EMPTY'
  /** The database's schema version is newer than this code knows: start the newer release (never downgrade). */
  | 'JN_STORE_SCHEMA_NEWER'
  /** A year signed off while some of its audit flags are open: the details name each (issue 16, item 4). */
  | 'JN_AUDIT_OPEN_FLAGS'
  /** A savings project created with the id of another (issue 18, item 3): projects are never replaced. */
  | 'JN_SAVINGS_PROJECT_EXISTS'
  /** A savings project whose baseline has too few usable days or hours to fit a model on. */
  | 'JN_SAVINGS_BASELINE_INSUFFICIENT'
  /**
   * A change of a savings project's baseline period, model, reporting start or station while it has
   * non-routine adjustments: they were made against that baseline (register a new project instead).
   */
  | 'JN_SAVINGS_PROJECT_ADJUSTED'
  | 'JN_INTERNAL';

/** An error with a stable code, an HTTP status and, where it helps, the fields at fault. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly details: readonly { path: string; message: string }[];
  /** Whether trying the same thing again may succeed (a store outage) or not (bad input). */
  readonly retryable: boolean;

  constructor(
    code: ErrorCode,
    statusCode: number,
    message: string,
    options: { details?: { path: string; message: string }[]; retryable?: boolean; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.statusCode = statusCode;
    this.details = options.details ?? [];
    this.retryable = options.retryable ?? false;
  }
}

/** A 400 for a request field, naming it: `badRequest('from', 'expected YYYY-MM-DD')`. */
export function badRequest(field: string, message: string): AppError {
  return new AppError('JN_REQUEST_INVALID', 400, `${field}: ${message}`, { details: [{ path: field, message }] });
}
