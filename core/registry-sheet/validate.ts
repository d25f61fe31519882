/**
 * Every problem of an imported registry at once, placed in its sheet, row and column (issue 15,
 * item 6): the rows' schemas and the references between rows, with the registry's own rules
 * (`RegistryInputKeepingSecretsSchema`, `mergeRegistry`), so that a user fixes a whole file in
 * one go. The registry service checks it all again when it applies the import.
 */
import { z } from 'zod';
import { mergeRegistry, type Registry } from '../domain/registry.js';
import { RegistryInputKeepingSecretsSchema } from '../registry-service.js';
import { locate, locateDetail, problemAt, type SheetProblem } from './problems.js';
import type { RawRow, WorkbookRead } from './read.js';

/** The row schema of a table of the import schema (`meters` → MeterSchema), if it is a list of objects. */
function rowSchema(table: string): z.ZodObject | undefined {
  let field: unknown = (RegistryInputKeepingSecretsSchema.shape as Record<string, unknown>)[table];
  while (field instanceof z.ZodDefault || field instanceof z.ZodOptional) field = field.unwrap();
  const element = field instanceof z.ZodArray ? field.element : undefined;
  return element instanceof z.ZodObject ? element : undefined;
}

/**
 * A row that failed its schema, reduced to the fields that pass on their own, for the reference
 * checks: a reference to it still resolves, and a broken field is not reported twice.
 */
function soundFields(schema: z.ZodObject, raw: RawRow): RawRow {
  const out: RawRow = {};
  for (const [key, field] of Object.entries(schema.shape)) {
    const parsed = (field as z.ZodType).safeParse(raw[key]);
    if (parsed.success && parsed.data !== undefined) out[key] = parsed.data;
  }
  return out;
}

/**
 * Problems of a read workbook's registry merged into `current`, as two checks for
 * `listProblems`: each row against its schema; then ids and references (unknown ids, duplicates,
 * meter trees) and new gateways without a secret, with the rows that failed their schema reduced
 * to their sound fields.
 */
export function registryProblems(read: WorkbookRead, current: Registry): [SheetProblem[], SheetProblem[]] {
  const problems: SheetProblem[] = [];
  const references: SheetProblem[] = [];
  const rows: Record<string, RawRow[]> = {};
  for (const [table, raws] of Object.entries(read.input)) {
    const schema = rowSchema(table);
    if (schema === undefined) continue;
    rows[table] = raws.map((raw, i) => {
      const parsed = schema.safeParse(raw);
      if (parsed.success) return parsed.data as RawRow;
      for (const issue of parsed.error.issues)
        problems.push(locate(read.places, [table, i, ...issue.path], issue.message));
      return soundFields(schema, raw);
    });
  }
  const upsert = Object.fromEntries(
    (Object.keys(current) as (keyof Registry)[]).map((k) => [k, rows[k] ?? []]),
  ) as unknown as Registry;
  try {
    for (const p of mergeRegistry(current, upsert).problems) references.push(locateDetail(read.places, rows, p));
  } catch {
    // Rows that failed their schema may still trip a reference check; the service checks the
    // sound submission again, so those problems are only listed once the schema problems are fixed.
  }
  const known = new Set(current.gateways.map((g) => g.id));
  (rows.gateways ?? []).forEach((g, i) => {
    if (g.secret === undefined && typeof g.id === 'string' && !known.has(g.id)) {
      const place = read.places.gateways;
      if (place !== undefined)
        references.push(
          problemAt(
            place.sheet,
            place.rows[i] ?? 0,
            'secret',
            'a new gateway needs a secret',
            place.letters.get('secret'),
          ),
        );
    }
  });
  return [problems, references];
}
