import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { rotateGatewaySecret } from '../../core/registry-service.js';
import { adminOnly } from '../access.js';
import { audit } from '../audit.js';
import { ERRORS } from '../schemas/common.js';

const Params = z.object({ id: z.string().max(100) });
const Body = z
  .object({ secret: z.string().optional().describe('the new secret; a random one when left out') })
  .nullish();
const Rotated = z.object({
  gatewayId: z.string(),
  secret: z.string().optional().describe('the random secret, shown once (not when one was given)'),
  disconnected: z.number().int().describe('MQTT connections of the gateway closed'),
});

/**
 * `POST /api/v1/gateways/{id}/secret` (admin): a new secret for a gateway, random (returned once) or
 * the one given; the gateway's open MQTT connections are closed, so it must log in again.
 */
export async function gatewayRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.post(
    '/gateways/:id/secret',
    {
      preHandler: adminOnly,
      schema: {
        summary: 'Rotate a gateway secret (returned once); its connections are closed',
        params: Params,
        body: Body,
        response: { 200: Rotated, ...ERRORS },
      },
    },
    async (request) => {
      const { id } = request.params;
      const given = request.body?.secret;
      const secret = await rotateGatewaySecret(app.deps.store, app.deps.registry, id, given);
      const disconnected = app.deps.gateways?.disconnect(id) ?? 0;
      await audit(request, `gateway:${id}`, { secret: 'redacted' }, { secret: 'rotated', disconnected });
      request.log.info({ gatewayId: id, disconnected }, 'gateway secret rotated');
      return { gatewayId: id, ...(given === undefined ? { secret } : {}), disconnected };
    },
  );
}
