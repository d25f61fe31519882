import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Access } from '../../core/domain/access.js';
import { isManualSource } from '../../core/domain/manual-readings.js';
import type { Registry } from '../../core/domain/registry.js';
import { readingsTopic } from '../../core/domain/topics.js';
import { AppError, badRequest } from '../../core/errors.js';
import type { DeadLetter, DeadLetterQuery } from '../../core/storage/store.js';
import { accessFor, adminOnly } from '../access.js';
import { audit } from '../audit.js';
import { LocalRangeQuery, withLocalRange } from '../params.js';
import { ERRORS } from '../schemas/common.js';
import { DeadLetterSchema as DeadLetterOut, DeadLetterPageSchema as Page } from '../schemas/dead-letters.js';

/**
 * Codes whose letter holds one reading that a retry can store: a failed store write, and the
 * reading-level rejections an admin may fix in the registry first. Whole refused messages
 * (invalid_payload, oversized, topic, too_deep, too_many_readings) and conflicts (raw data is
 * immutable) would only be refused again.
 */
const RETRIABLE_CODES: ReadonlySet<string> = new Set([
  'store_failed',
  'store_refused',
  'unknown_meter',
  'foreign_meter',
  'future_timestamp',
  'before_installation',
  'decommissioned',
  'too_early',
  'out_of_range',
  'invalid_reading',
]);

const Query = LocalRangeQuery.extend({
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
  cursor: z.string().max(200).optional().describe('nextCursor of the previous page'),
  code: z.string().max(64).optional().describe('reject code, e.g. unknown_meter, store_failed'),
  meterId: z.string().max(64).optional(),
  gatewayId: z.string().max(64).optional(),
});

const Params = z.object({ id: z.string().max(100) });

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

function present(d: DeadLetter): z.infer<typeof DeadLetterOut> {
  return {
    id: d.id ?? '',
    code: d.code ?? '',
    receivedAt: new Date(d.receivedAtMs).toISOString(),
    reason: d.reason,
    raw: d.raw,
    gatewayId: d.gatewayId ?? null,
    topic: d.topic ?? null,
    meterId: d.meterId ?? null,
    ts: iso(d.tsMs),
    retriedAt: iso(d.retriedAtMs),
  };
}

/** An opaque cursor: where the next page starts, after this letter. */
function encodeCursor(d: DeadLetter): string {
  return Buffer.from(`${d.receivedAtMs}:${d.id ?? ''}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): NonNullable<DeadLetterQuery['after']> {
  const [ms, id] = Buffer.from(cursor, 'base64url').toString('utf8').split(':');
  const receivedAtMs = Number(ms);
  if (!Number.isSafeInteger(receivedAtMs) || id === undefined || id === '')
    throw badRequest('cursor', 'not a cursor this API returned');
  return { receivedAtMs, id };
}

/**
 * Gateways a scoped token may read whole messages of: those whose meters all sit in institutions
 * of its scope (a gateway belongs to the institutions of its meters' buildings). A gateway shared
 * with another district's meters is not one of them: its refused messages may carry their data.
 */
export function gatewaysWithin(registry: Registry, access: Access): string[] {
  if (access.all) return registry.gateways.map((g) => g.id);
  const inScope = new Map<string, boolean>();
  for (const m of registry.meters)
    if (m.gatewayId !== undefined)
      inScope.set(m.gatewayId, (inScope.get(m.gatewayId) ?? true) && access.meters.has(m.id));
  return [...inScope].filter(([, all]) => all).map(([id]) => id);
}

/**
 * `GET /api/v1/dead-letters`: rejected readings and messages with their reasons, newest first, by
 * pages; `POST /api/v1/dead-letters/{id}/retry` (admin): takes a letter's reading again.
 */
export async function deadLetterRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/dead-letters',
    {
      schema: {
        summary: 'Rejected readings and messages with reasons, newest first, by pages',
        querystring: withLocalRange(Query, app.deps.timeZone),
        response: { 200: Page, ...ERRORS },
      },
    },
    async (request) => {
      const q = request.query;
      const { fromMs, toMs } = q;
      const access = accessFor(request);
      // A scoped token sees the letters of its meters, and everything its own gateways sent.
      const within = access.all
        ? undefined
        : { meterIds: [...access.meters], gatewayIds: gatewaysWithin(app.deps.registry.get(), access) };
      const query: DeadLetterQuery = {
        fromMs,
        toMs,
        // One more than asked: whether there is a next page.
        limit: q.limit + 1,
        ...(q.cursor === undefined ? {} : { after: decodeCursor(q.cursor) }),
        ...(q.code === undefined ? {} : { code: q.code }),
        ...(q.meterId === undefined ? {} : { meterId: q.meterId }),
        ...(q.gatewayId === undefined ? {} : { gatewayId: q.gatewayId }),
        ...(within === undefined ? {} : { within }),
      };
      const rows = await app.deps.store.findDeadLetters(query);
      const page = rows.slice(0, q.limit);
      const last = page.at(-1);
      return {
        deadLetters: page.map(present),
        nextCursor: rows.length > q.limit && last !== undefined ? encodeCursor(last) : null,
      };
    },
  );

  app.post(
    '/dead-letters/:id/retry',
    {
      preHandler: adminOnly,
      schema: {
        summary: "Re-submit a dead letter's reading through ingest (admin; once per letter)",
        params: Params,
        response: { 200: DeadLetterOut, ...ERRORS },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { store, lifecycle, now } = app.deps;
      const letter = await store.deadLetter(id);
      if (letter === undefined) throw new AppError('JN_NOT_FOUND', 404, `dead letter "${id}" not found`);
      if (letter.retriedAtMs !== undefined)
        throw new AppError('JN_DEAD_LETTER_RETRIED', 409, `dead letter "${id}" was retried already`);
      // A manual entry's reading is entered again by its user (issue 15, item 5), not re-published.
      const gateway = letter.gatewayId === undefined || isManualSource(letter.gatewayId) ? undefined : letter.gatewayId;
      if (gateway === undefined || letter.code === undefined || !RETRIABLE_CODES.has(letter.code))
        throw new AppError(
          'JN_DEAD_LETTER_NOT_RETRIABLE',
          409,
          `dead letter "${id}" (${letter.code}) cannot be retried: only a reading of a gateway with code ${[...RETRIABLE_CODES].join(', ')}`,
        );
      const atMs = (now ?? Date.now)();
      // Readings are idempotent by (meter, ts): a concurrent second retry stores nothing twice.
      await lifecycle.submit(gateway, readingsTopic(gateway), letter.raw);
      if (!(await store.markDeadLetterRetried(id, atMs)))
        throw new AppError('JN_DEAD_LETTER_RETRIED', 409, `dead letter "${id}" was retried already`);
      const retried = { ...letter, retriedAtMs: atMs };
      await audit(request, `dead_letter:${id}`, present(letter), present(retried));
      return present(retried);
    },
  );
}
