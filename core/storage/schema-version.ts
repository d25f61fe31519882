import { AppError } from '../errors.js';

/** One versioned schema change: applied once, in version order, inside a transaction. */
export interface Migration {
  /** 1, 2, 3…: consecutive, never reused; a released version is never edited, only followed. */
  readonly version: number;
  /** What it does, for the log and the version table. */
  readonly description: string;
  readonly statements: readonly string[];
}

/** The newest version a list of migrations reaches (0 for none). */
export function latestVersion(migrations: readonly Migration[]): number {
  return migrations.reduce((max, m) => Math.max(max, m.version), 0);
}

/**
 * The migrations a database at `current` still needs, in order. A database newer than the code
 * (written by a later release) is refused: this code could misread or damage what it does not
 * know, so a downgrade never runs against it.
 */
export function pendingMigrations(migrations: readonly Migration[], current: number, database: string): Migration[] {
  const known = latestVersion(migrations);
  if (current > known) {
    throw new AppError(
      'JN_STORE_SCHEMA_NEWER',
      503,
      `${database} has schema version ${current}, newer than this release knows (${known}): run the release that wrote it, or a newer one`,
      { retryable: false },
    );
  }
  return [...migrations].filter((m) => m.version > current).sort((a, b) => a.version - b.version);
}
