import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { rotateGatewaySecret } from '../../core/registry-service.js';
import { adminOnly } from '../access.js';
import { audit } from '../audit.js';

const Params = z.object({ id: z.string() });
const Body = z.object({ secret: z.string().optional() }).nullish();

/**
 * `POST /api/v1/gateways/{id}/secret` (admin): a new secret for a gateway, random (returned once) or
 * the one given; the gateway's open MQTT connections are closed, so it must log in again.
 */
export async function gatewayRoutes(app: FastifyInstance): Promise<void> {
  app.post(
    '/gateways/:id/secret',
    {
      preHandler: adminOnly,
      schema: {
        summary: 'Rotate a gateway secret (returned once); its connections are closed',
        params: Params,
        body: Body,
      },
    },
    async (request) => {
      const { id } = request.params as z.infer<typeof Params>;
      const given = (request.body as z.infer<typeof Body>)?.secret;
      const secret = await rotateGatewaySecret(app.deps.store, app.deps.registry, id, given);
      const disconnected = app.deps.gateways?.disconnect(id) ?? 0;
      await audit(request, `gateway:${id}`, { secret: 'redacted' }, { secret: 'rotated', disconnected });
      request.log.info({ gatewayId: id, disconnected }, 'gateway secret rotated');
      return { gatewayId: id, ...(given === undefined ? { secret } : {}), disconnected };
    },
  );
}
