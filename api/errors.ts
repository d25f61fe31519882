import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError } from '../core/errors.js';

/** Maps every error to `{code, message, details}` with a stable code; never leaks a stack. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    if (error instanceof AppError) {
      return reply.status(error.statusCode).send({ code: error.code, message: error.message, details: error.details });
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const where = error.validationContext ?? 'request';
      const details = error.validation.map((v) => ({
        path: [where === 'querystring' ? '' : where, ...String(v.instancePath).split('/').filter(Boolean)]
          .filter(Boolean)
          .join('.'),
        message: v.message ?? 'invalid',
      }));
      const message = details.map((d) => `${d.path || where}: ${d.message}`).join('; ');
      return reply.status(400).send({ code: 'JN_REQUEST_INVALID', message, details });
    }
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return reply.status(500).send({ code: 'JN_INTERNAL', message: 'internal error', details: [] });
    }
    return reply.status(status).send({ code: error.code ?? 'JN_REQUEST_INVALID', message: error.message, details: [] });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ code: 'JN_NOT_FOUND', message: `no route ${request.method} ${request.url}`, details: [] }),
  );
}
