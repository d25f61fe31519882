/**
 * The code (`RejectReason` label) of a dead letter stored without one: dead letters written before
 * codes were stored, or by a writer that gives only the reason text. One rule table, applied in JS
 * (new letters) and in SQL (the migration of stored ones); patterns are plain enough for both.
 */
const RULES: readonly (readonly [pattern: string, code: string])[] = [
  ['^store_failed:', 'store_failed'],
  ['^unknown meter', 'unknown_meter'],
  ['is not assigned to gateway', 'foreign_meter'],
  ['in the future', 'future_timestamp'],
  ["before the meter's installation", 'before_installation'],
  ['is decommissioned', 'decommissioned'],
  ['already stored with value', 'conflict'],
  ['exceeds [0-9]+', 'oversized'],
  ['^InfluxDB refused', 'store_refused'],
  ['^(payload|readings:)', 'invalid_payload'],
];

/** The code of a reading that matches no rule. */
const FALLBACK = 'invalid_reading';

const compiled = RULES.map(([pattern, code]) => [new RegExp(pattern), code] as const);

/** A dead letter's code from its reason text, when it was stored without one. */
export function codeOfReason(reason: string): string {
  return compiled.find(([re]) => re.test(reason))?.[1] ?? FALLBACK;
}

/** The same rules as a SQL expression over a column (DuckDB `regexp_matches`). */
export function codeOfReasonSql(column: string): string {
  const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
  const cases = RULES.map(([pattern, code]) => `WHEN regexp_matches(${column}, ${quote(pattern)}) THEN ${quote(code)}`);
  return `CASE ${cases.join(' ')} ELSE ${quote(FALLBACK)} END`;
}
