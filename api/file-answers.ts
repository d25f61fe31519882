import type { FastifyTypeProvider } from 'fastify';
import type { z } from 'zod';

/**
 * The zod type provider for requests only: for routes that answer JSON or a file (a buffer or a
 * stream) by `format`, whose handlers return either. Requests are typed from their zod schemas as
 * with `ZodTypeProvider`; the reply is not typed, but the JSON answer is still validated by the
 * zod serializer against the route's `application/json` schema (schemas/common.ts `fileAnswer`).
 */
export interface ZodRequestTypeProvider extends FastifyTypeProvider {
  validator: this['schema'] extends z.ZodType ? z.output<this['schema']> : unknown;
  serializer: unknown;
}
