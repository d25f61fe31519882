/**
 * Schemas every route shares: the error answer and binary answers. Pure (zod only), so that the
 * page can import their types (web/src/types.ts) without bundling anything of the API.
 */
import { z } from 'zod';

/** A field at fault in an error answer (`details`); other keys pass through. */
export const ErrorDetailSchema = z.looseObject({
  path: z.string().describe('the field at fault, e.g. from, scope, bills[3].from, meters!E7'),
  message: z.string(),
  sheet: z.string().optional().describe("a registry import's problem: the sheet"),
  row: z.number().optional().describe('…its 1-based row (0: the whole sheet)'),
  column: z.string().optional().describe('…its column key'),
});

/** Every error answer (api/errors.ts): a stable `JN_*` code, a message and the fields at fault. */
export const ErrorSchema = z
  .object({
    code: z.string().describe('stable error code, JN_<AREA>_<WHAT>'),
    message: z.string(),
    details: z.array(ErrorDetailSchema),
  })
  .describe('An error: code, message and the fields at fault');

/** The error answer of an operation: `400`, `401`, `403`, `404`, `409`, `429` alike. */
export const ERRORS = { '4xx': ErrorSchema } as const;

/** An answer without a body (`204`). */
export const NoContent = z.null().describe('No content');

/**
 * A request body its handler validates with `schema` itself, so that its 400s name the fields as
 * the domain does (`bills[3].from`, `meters!E7`) and can add checks of their own: accepted as it
 * is by the route, documented in the OpenAPI document as `schema` (its input, OpenAPI 3.0).
 */
export function checkedInHandler(schema: z.ZodType) {
  const json = z.toJSONSchema(schema, { io: 'input', target: 'openapi-3.0', unrepresentable: 'any' });
  const { $schema: _dialect, ...documented } = json as Record<string, unknown>;
  return z.unknown().meta(documented);
}

/** The content types of the files the API answers. */
export const CONTENT_TYPES = {
  csv: 'text/csv',
  pdf: 'application/pdf',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
} as const;

const Binary = z.string().meta({ format: 'binary' });

/**
 * A `200` that is JSON (`json`, when given) or one of the files of `types`: the OpenAPI document
 * declares each content type. Files are sent as buffers or streams and are never serialised; the
 * JSON one is validated against `json`.
 */
export function fileAnswer<J extends z.ZodType>(
  description: string,
  types: readonly (keyof typeof CONTENT_TYPES)[],
  json?: J,
) {
  const content: Record<string, { schema: z.ZodType }> = {};
  if (json !== undefined) content['application/json'] = { schema: json };
  for (const t of types) content[CONTENT_TYPES[t]] = { schema: Binary };
  return { description, content } as { description: string; content: Record<string, { schema: J }> };
}
