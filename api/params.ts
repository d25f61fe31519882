/**
 * The one place where routes read a scope or a local date range (STYLE.md, "one place for each
 * rule"): zod schemas for the query fields, documented once for the OpenAPI document, and the
 * checks that need the request (the token's scopes) or the registry.
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Registry } from '../core/domain/registry.js';
import { formatScope, parseScope, type Scope, type ScopeLevel, scopeExists } from '../core/domain/scope.js';
import { HOUR_MS, parseLocalDateTime } from '../core/domain/time.js';
import { AppError, badRequest } from '../core/errors.js';
import { requireScope } from './access.js';

const ALL_LEVELS: readonly ScopeLevel[] = ['city', 'district', 'institution', 'building', 'meter'];

/** The levels as a scope field's documentation and 400s spell them: `city, district:ID or institution:ID`. */
function levelsText(levels: readonly ScopeLevel[]): string {
  const words = levels.map((l) => (l === 'city' ? 'city' : `${l}:ID`));
  return words.length === 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

/** A scope field's text (`city`, `district:ID`, …), documented with the levels it takes. */
export function scopeText(levels: readonly ScopeLevel[] = ALL_LEVELS) {
  return z.string().min(1).max(200).describe(levelsText(levels));
}

/** `scope` of any level, as most read routes take it. */
export const ScopeQuery = z.object({ scope: scopeText() });

/** Whether a scope's text (in a body: a user's scopes, a target's scope) names a scope of the registry. */
export function isKnownScope(text: string, registry: Registry): boolean {
  const scope = parseScope(text);
  return scope !== undefined && scopeExists(scope, registry);
}

/**
 * Parses a scope's text of one of `levels`, checks that the token may read it (403) and that it
 * exists (400 `JN_SCOPE_UNKNOWN`); a malformed one is a 400 naming `field`.
 */
export function resolveScope(
  request: FastifyRequest,
  text: string,
  options: { readonly levels?: readonly ScopeLevel[]; readonly field?: string } = {},
): Scope {
  const levels = options.levels ?? ALL_LEVELS;
  const field = options.field ?? 'scope';
  const scope = parseScope(text);
  if (scope === undefined || !levels.includes(scope.level)) throw badRequest(field, `expected ${levelsText(levels)}`);
  requireScope(request, scope, field);
  if (!scopeExists(scope, request.server.deps.registry.get())) {
    const message = `unknown ${formatScope(scope)}`;
    throw new AppError('JN_SCOPE_UNKNOWN', 400, `${field}: ${message}`, { details: [{ path: field, message }] });
  }
  return scope;
}

const FORMAT = 'YYYY-MM-DD or YYYY-MM-DDTHH:mm';
const LOCAL = `${FORMAT}, local time`;

/** `from` (inclusive) and `to` (exclusive), local dates or date-times in the platform's zone. */
export const LocalRangeQuery = z.object({
  from: z.string().max(40).describe(`${LOCAL}, inclusive`),
  to: z.string().max(40).describe(`${LOCAL}, exclusive`),
});

/** A local range as epoch milliseconds, `[fromMs, toMs)`. */
export interface LocalRange {
  readonly fromMs: number;
  readonly toMs: number;
}

/** Options of a range: `wholeHours` refuses bounds inside an hour (hourly aggregates). */
export interface RangeOptions {
  readonly wholeHours?: boolean;
}

/** The range of `from`/`to` in `timeZone`, or the field at fault and why. */
function rangeOf(
  q: { readonly from: string; readonly to: string },
  timeZone: string,
  options: RangeOptions,
): LocalRange | { readonly path: 'from' | 'to'; readonly message: string } {
  const fromMs = parseLocalDateTime(q.from, timeZone);
  if (fromMs === undefined) return { path: 'from', message: `expected a date ${FORMAT}` };
  const toMs = parseLocalDateTime(q.to, timeZone);
  if (toMs === undefined) return { path: 'to', message: `expected a date ${FORMAT}` };
  if (options.wholeHours === true) {
    if (fromMs % HOUR_MS !== 0) return { path: 'from', message: 'must be on a whole hour' };
    if (toMs % HOUR_MS !== 0) return { path: 'to', message: 'must be on a whole hour' };
  }
  if (toMs <= fromMs) return { path: 'to', message: 'must be after from' };
  return { fromMs, toMs };
}

/**
 * A query schema holding `from`/`to` that also answers them as `fromMs`/`toMs` in `timeZone`: a
 * bad date is a 400 naming its field, through the API's validation errors.
 */
export function withLocalRange<T extends { readonly from: string; readonly to: string }>(
  schema: z.ZodType<T>,
  timeZone: string,
  options: RangeOptions = {},
) {
  return schema.transform((q, ctx): T & LocalRange => {
    const range = rangeOf(q, timeZone, options);
    if ('path' in range) {
      ctx.addIssue({ code: 'custom', path: [range.path], message: range.message });
      return z.NEVER;
    }
    return { ...q, ...range };
  });
}
