/** Bytes per unit of a DuckDB memory size (DuckDB's own units: KB… powers of 1000, KiB… of 1024). */
const MEMORY_UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};
/** The smallest DUCKDB_MEMORY_LIMIT accepted: 128 MiB (DuckDB needs some to open and migrate its file). */
export const MIN_DUCKDB_MEMORY_BYTES = 128 * 2 ** 20;

/** A memory size as DuckDB writes it (`2GB`, `1.5 GiB`, `512MB`) in bytes; undefined when it is not one. */
export function memoryLimitBytes(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*$/i.exec(text);
  const unit = m?.[2] === undefined ? undefined : MEMORY_UNITS[m[2].toLowerCase()];
  return m === null || unit === undefined ? undefined : Number(m[1]) * unit;
}
