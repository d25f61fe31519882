import { expect, it } from 'vitest';
import type { MetadataStore } from '../../core/storage/store.js';

/** A metadata backend's database as the migration cases drive it. */
export interface SchemaHarness {
  /** The versions this release's migrations reach, in order. */
  readonly versions: readonly number[];
  /** A new, never opened database; returns what `open` and the others take. */
  fresh(): Promise<string>;
  open(location: string): Promise<MetadataStore>;
  /** The versions the database's version table records (no store open on it). */
  recorded(location: string): Promise<number[]>;
  /** Records `version` as applied, as a newer release would (no store open on it). */
  record(location: string, version: number): Promise<void>;
}

/** Versioned migrations: a version table, nothing applied twice, a newer database refused. */
export function migrationCases(h: SchemaHarness): void {
  it('records every migration in a version table when it opens a new database, and applies none twice', async () => {
    const location = await h.fresh();
    const first = await h.open(location);
    await first.saveToken({ id: 't1', name: 'n', role: 'viewer', hash: 'h1', createdAtMs: 0 });
    await first.close();
    expect(await h.recorded(location)).toEqual(h.versions);
    const again = await h.open(location);
    try {
      expect(await again.countTokens()).toBe(1);
    } finally {
      await again.close();
    }
    expect(await h.recorded(location)).toEqual(h.versions);
  });

  it('refuses a database of a newer schema version, and leaves it as it was', async () => {
    const location = await h.fresh();
    await (await h.open(location)).close();
    const newer = Math.max(...h.versions) + 1;
    await h.record(location, newer);
    await expect(h.open(location)).rejects.toMatchObject({ code: 'JN_STORE_SCHEMA_NEWER' });
    await expect(h.open(location)).rejects.toThrow(new RegExp(`schema version ${newer}, newer than this release`));
    expect(await h.recorded(location)).toEqual([...h.versions, newer]);
  });
}
