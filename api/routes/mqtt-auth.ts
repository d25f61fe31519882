import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ClientIdOwners } from '../../core/domain/client-ids.js';
import { type MqttPrincipal, mayAct, SERVICE_USERNAME } from '../../core/domain/mqtt-policy.js';
import type { RegistryHolder } from '../../core/registry-holder.js';
import { verifySecret } from '../../core/security.js';

/** Options of the EMQX HTTP authentication and authorisation routes. */
export interface MqttAuthOptions {
  readonly registry: RegistryHolder;
  /** Shared secret EMQX sends in the `x-jieneng-mqtt-secret` header (MQTT_AUTH_SECRET). */
  readonly secret: string;
  /** The ingest workers' login (MQTT_USERNAME / MQTT_PASSWORD) and share group. */
  readonly ingest?: { readonly username: string; readonly password: string; readonly shareGroup: string };
  /** Checks an API token for the `service` login (monitoring subscribers); without it that login is denied. */
  readonly verifyServiceToken?: (token: string) => Promise<boolean>;
}

/** Header carrying MQTT_AUTH_SECRET. */
export const MQTT_AUTH_HEADER = 'x-jieneng-mqtt-secret';

const AuthBody = z.object({ username: z.string(), password: z.string().default(''), clientid: z.string().optional() });
const AclBody = z.object({
  username: z.string(),
  topic: z.string(),
  action: z.enum(['publish', 'subscribe']),
  clientid: z.string().optional(),
});

/** EMQX's answer: allow or deny (never a 400: EMQX treats anything else as an error). */
const Verdict = z.object({ result: z.enum(['allow', 'deny']), is_superuser: z.boolean().optional() });
const Refused = z.object({ code: z.string(), message: z.string() });
const schema = { hide: true, body: z.unknown(), response: { 200: Verdict, 401: Refused } };

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * `POST /api/v1/mqtt/auth` and `POST /api/v1/mqtt/acl`: EMQX's HTTP authentication and
 * authorisation against the registry, answering `{"result":"allow"|"deny"}`. No API token: EMQX
 * proves itself with the shared secret header instead (401 without it).
 */
export async function mqttAuthRoutes(app: FastifyInstance, opts: MqttAuthOptions): Promise<void> {
  // The routes' zod schemas work on any Fastify instance (the platform's, or an EMQX hook's own).
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  const authorized = (sent: string | string[] | undefined) => typeof sent === 'string' && same(sent, opts.secret);
  const refused = { code: 'JN_MQTT_AUTH_SECRET', message: `missing or wrong ${MQTT_AUTH_HEADER}` };
  const isIngest = (username: string) => opts.ingest !== undefined && username === opts.ingest.username;
  // Same precedence as the embedded broker: `service`, then the ingest user, then the registry.
  const principal = (username: string): MqttPrincipal | undefined => {
    if (username === SERVICE_USERNAME) return { kind: 'service' };
    if (opts.ingest !== undefined && username === opts.ingest.username)
      return { kind: 'ingest', shareGroup: opts.ingest.shareGroup };
    return opts.registry.gateway(username) === undefined ? undefined : { kind: 'gateway', gatewayId: username };
  };
  // The embedded broker's client-id rule: an id a login was allowed with is that login's, and no
  // other login may take it over (EMQX would close the holder's connection and hand over its
  // session). EMQX sends no clean-session flag, so every allowed id counts (most recent 100 per login).
  const clientIds = new ClientIdOwners();
  const ownsId = (clientid: string | undefined, owner: string) => {
    if (clientid === undefined || clientid === '') return true;
    if (!clientIds.mayUse(clientid, owner)) {
      app.log.warn({ clientId: clientid, owner }, 'MQTT client id held by another login: denied');
      return false;
    }
    clientIds.claim(clientid, owner);
    return true;
  };
  app.post('/api/v1/mqtt/auth', { schema }, async (request, reply) => {
    if (!authorized(request.headers[MQTT_AUTH_HEADER])) return reply.status(401).send(refused);
    const body = AuthBody.safeParse(request.body);
    if (!body.success) return { result: 'deny' };
    const { username, password, clientid } = body.data;
    if (username === SERVICE_USERNAME) {
      const ok = password !== '' && (await opts.verifyServiceToken?.(password)) === true;
      return { result: ok && ownsId(clientid, 'service') ? 'allow' : 'deny', is_superuser: false };
    }
    if (isIngest(username))
      return { result: same(password, opts.ingest?.password ?? '') && ownsId(clientid, 'ingest') ? 'allow' : 'deny' };
    const gateway = opts.registry.gateway(username);
    const ok = gateway !== undefined && password !== '' && (await verifySecret(password, gateway.secretHash));
    return { result: ok && ownsId(clientid, `gateway:${username}`) ? 'allow' : 'deny', is_superuser: false };
  });
  app.post('/api/v1/mqtt/acl', { schema }, async (request, reply) => {
    if (!authorized(request.headers[MQTT_AUTH_HEADER])) return reply.status(401).send(refused);
    const body = AclBody.safeParse(request.body);
    if (!body.success) return { result: 'deny' };
    const { username, topic, action } = body.data;
    const who = principal(username);
    return { result: who !== undefined && mayAct(who, action, topic) ? 'allow' : 'deny' };
  });
}
