/**
 * The registry's spreadsheet columns, derived from the zod schemas of `PUT /api/v1/registry`
 * (issue 15, item 6): a field added to a schema becomes a column without an edit here. The walk
 * goes over the schemas' JSON Schema (zod's `toJSONSchema`, input side), which has already
 * unwrapped optional, default, nullable and pipe (effects) wrappers.
 */
import { z } from 'zod';
import { RegistryInputSchema } from '../domain/registry.js';

/** How a column's cells are read and written. */
export type ColumnKind =
  /** Free text (ids, names, codes), trimmed. */
  | 'text'
  /** A number cell (text such as `1,200` is read as a number). */
  | 'number'
  /** A whole number. */
  | 'integer'
  /** `true`/`false` (also `yes`/`no`, `1`/`0`, `是`/`否`). */
  | 'boolean'
  /** One of `options`. */
  | 'enum'
  /** ISO 8601 date-time with offset; a date cell is read as local time of the platform. */
  | 'datetime'
  /** A list of values, comma-separated in one cell. */
  | 'list'
  /** Anything else, as JSON text. */
  | 'json';

/** One column of a registry sheet. */
export interface Column {
  /** The field path, dot-separated for nested objects: `floorAreaM2`, `virtual.plus`. */
  readonly key: string;
  /** The same path as segments. */
  readonly path: readonly string[];
  readonly kind: ColumnKind;
  /** Required in its object (a nested column only when its object is given). */
  readonly required: boolean;
  /** Whether the column belongs to a nested object that may be left out as a whole. */
  readonly nested: boolean;
  /** The value the platform takes when the cell is empty. */
  readonly defaultValue?: unknown;
  /** Allowed values of an `enum` column (or of the items of a `list` column). */
  readonly options?: readonly string[];
  /** Bounds of a number or the length of a text or list, as `> 0`, `≤ 1000000`, `1–64 characters`. */
  readonly bounds: readonly string[];
  /**
   * Written to the platform but never read back (a gateway's `secret`): in the template, never in
   * an export.
   */
  readonly writeOnly: boolean;
}

/** One sheet of the workbook: a table of `PUT /api/v1/registry` and its columns. */
export interface SheetTable {
  /** The table's key in the registry (`districts`, `meters`, …), also the sheet's name. */
  readonly name: string;
  readonly columns: readonly Column[];
}

/** Fields that are accepted but never served (only their hash is stored). */
const WRITE_ONLY = new Set(['gateways.secret']);

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  format?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
};

/** The schema without its `null` alternative (a nullable field); undefined for a real union. */
function single(schema: JsonSchema): JsonSchema | undefined {
  const alternatives = (schema.anyOf ?? schema.oneOf)?.filter((s) => s.type !== 'null');
  if (alternatives === undefined) return schema;
  if (alternatives.length === 1) return single(alternatives[0] as JsonSchema);
  return undefined;
}

/** The string values of an enum, a const or a union of constants; undefined for anything else. */
function optionsOf(schema: JsonSchema): string[] | undefined {
  if (schema.enum?.every((v) => typeof v === 'string')) return schema.enum as string[];
  if (typeof schema.const === 'string') return [schema.const];
  const alternatives = (schema.anyOf ?? schema.oneOf)?.filter((s) => s.type !== 'null');
  if (alternatives === undefined || alternatives.length === 0) return undefined;
  const all = alternatives.map(optionsOf);
  return all.every((o) => o !== undefined) ? all.flat() : undefined;
}

function kindOf(schema: JsonSchema): ColumnKind {
  if (optionsOf(schema) !== undefined) return 'enum';
  const one = single(schema);
  if (one === undefined) return 'json';
  switch (one.type) {
    case 'string':
      return one.format === 'date-time' ? 'datetime' : 'text';
    case 'number':
      return 'number';
    case 'integer':
      return 'integer';
    case 'boolean':
      return 'boolean';
    case 'array': {
      const item = one.items === undefined ? 'json' : kindOf(one.items);
      return item === 'text' || item === 'enum' ? 'list' : 'json';
    }
    default:
      return 'json';
  }
}

/** Bounds a user needs to know, in the notation of the instructions sheet. */
function boundsOf(schema: JsonSchema): string[] {
  const s = single(schema) ?? schema;
  const out: string[] = [];
  if (s.exclusiveMinimum !== undefined) out.push(`> ${s.exclusiveMinimum}`);
  if (s.minimum !== undefined) out.push(`≥ ${s.minimum}`);
  if (s.exclusiveMaximum !== undefined) out.push(`< ${s.exclusiveMaximum}`);
  // zod's int() carries the safe-integer bound, which says nothing to a user.
  if (s.maximum !== undefined && s.maximum < Number.MAX_SAFE_INTEGER) out.push(`≤ ${s.maximum}`);
  if (s.minLength !== undefined || s.maxLength !== undefined)
    out.push(`${s.minLength ?? 0}–${s.maxLength ?? '∞'} characters`);
  if (s.minItems !== undefined || s.maxItems !== undefined) out.push(`${s.minItems ?? 0}–${s.maxItems ?? '∞'} items`);
  return out;
}

/** The columns of one object schema, nested objects flattened as `a.b`. */
function columnsOf(table: string, schema: JsonSchema, prefix: readonly string[], nested: boolean): Column[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).flatMap(([name, field]): Column[] => {
    const path = [...prefix, name];
    const one = single(field);
    if (one?.type === 'object' && one.properties !== undefined)
      return columnsOf(table, one, path, nested || !required.has(name));
    const options = optionsOf(field) ?? (one?.items === undefined ? undefined : optionsOf(one.items));
    const key = path.join('.');
    return [
      {
        key,
        path,
        kind: kindOf(field),
        required: required.has(name),
        nested,
        ...(field.default === undefined ? {} : { defaultValue: field.default }),
        ...(options === undefined ? {} : { options }),
        bounds: boundsOf(one?.type === 'array' && one.items !== undefined ? { ...one.items, ...one } : field),
        writeOnly: WRITE_ONLY.has(`${table}.${key}`),
      },
    ];
  });
}

/**
 * The columns of one row schema (a zod object), nested objects flattened as `a.b`: a field
 * added to the schema is a column at once. `table` names the table for write-only fields.
 */
export function deriveColumns(table: string, rowSchema: z.ZodType): Column[] {
  const item = single(z.toJSONSchema(rowSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema);
  return item?.type === 'object' ? columnsOf(table, item, [], false) : [];
}

let cached: readonly SheetTable[] | undefined;

/**
 * The sheets of the registry workbook: one per table of `RegistryInputSchema` (districts,
 * institutions, buildings, gateways, meters, and any table added to it), in its order, each with
 * the columns of its row schema.
 */
export function sheetTables(): readonly SheetTable[] {
  if (cached !== undefined) return cached;
  const root = z.toJSONSchema(RegistryInputSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  cached = Object.freeze(
    Object.entries(root.properties ?? {}).flatMap(([name, field]) => {
      // Weather stations (issue 18, item 1) are few and kept through the JSON registry only; the
      // stations of institutions and buildings (`weatherStationId`) are columns of their sheets.
      if (name === 'weatherStations') return [];
      const rows = single(field);
      const item = rows?.type === 'array' && rows.items !== undefined ? single(rows.items) : undefined;
      if (item?.type !== 'object') return [];
      return [{ name, columns: Object.freeze(columnsOf(name, item, [], false)) }];
    }),
  );
  return cached;
}
