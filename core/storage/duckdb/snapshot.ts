import { stat } from 'node:fs/promises';
import { DuckDBInstance, version } from '@duckdb/node-api';

/** A copy of the database begun at one point in time, still being written out. */
export interface DuckDbSnapshot {
  /** Writes the copy out (the database goes on meanwhile) and closes its file; resolves with its size. */
  finish(): Promise<{ bytes: number }>;
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
const quoteText = (text: string) => `'${text.replace(/'/g, "''")}'`;

/**
 * Begins a copy of the database of `instance` into a new DuckDB file `targetFile`: resolves once its
 * point in time is fixed (a transaction that has read the catalog), so the caller can release what
 * it paused, then `finish()` copies every table as of that point (`COPY FROM DATABASE`) while writes
 * go on. Not `CHECKPOINT` and a file copy (9× faster: 85 against 756 ms on 17 MB): reading the file
 * from this process would release DuckDB's lock on it, since POSIX (fcntl) locks go when the process
 * closes any descriptor of the file, and a second process could then open the live database.
 */
export async function beginDuckDbSnapshot(instance: DuckDBInstance, targetFile: string): Promise<DuckDbSnapshot> {
  const conn = await instance.connect();
  const alias = 'jieneng_backup';
  try {
    const db = String((await conn.runAndReadAll('SELECT current_database() AS db')).getRowObjects()[0]?.db);
    await conn.run(`ATTACH ${quoteText(targetFile)} AS ${alias}`);
    await conn.run('BEGIN TRANSACTION');
    // DuckDB starts a transaction's snapshot at its first read, not at BEGIN.
    await conn.run('SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database()');
    return {
      async finish() {
        try {
          await conn.run(`COPY FROM DATABASE ${quoteIdent(db)} TO ${alias}`);
          await conn.run('COMMIT');
        } catch (error) {
          await conn.run('ROLLBACK').catch(() => undefined);
          throw error;
        } finally {
          await conn.run(`DETACH ${alias}`).catch(() => undefined);
          conn.closeSync();
        }
        return { bytes: (await stat(targetFile)).size };
      },
    };
  } catch (error) {
    await conn.run(`DETACH ${alias}`).catch(() => undefined);
    conn.closeSync();
    throw error;
  }
}

/** The DuckDB library's version, e.g. `v1.5.0`, for backup manifests. */
export function duckDbVersion(): string {
  return version();
}

/**
 * Whether another process holds the DuckDB file (a running platform): DuckDB locks the file of an
 * open database against other processes, even for reading. Opening it read-only here changes
 * nothing in it. A file of this process is not seen as in use (DuckDB does not lock against itself).
 */
export async function duckDbFileInUse(file: string): Promise<boolean> {
  let instance: DuckDBInstance | undefined;
  try {
    instance = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
    return false;
  } catch (error) {
    if (/Could not set lock/i.test(error instanceof Error ? error.message : String(error))) return true;
    throw error;
  } finally {
    instance?.closeSync();
  }
}
