import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { invalidRequest, zodProblems } from '../../core/cost/bills-service.js';
import {
  DeliveryStatusSchema,
  mergeChannels,
  type NotificationConfig,
  NotificationRoutesInputSchema,
  NotificationRoutesViewSchema,
  notificationRoutesView,
  routeProblems,
} from '../../core/domain/notifications.js';
import { adminOnly } from '../access.js';
import { audit } from '../audit.js';
import { LocalRangeQuery, withLocalRange } from '../params.js';
import { checkedInHandler, ERRORS } from '../schemas/common.js';
import { DeliveriesAnswerSchema as DeliveriesOut } from '../schemas/notifications.js';

const DeliveriesQuery = LocalRangeQuery.extend({
  channelId: z.string().max(64).optional(),
  status: DeliveryStatusSchema.optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});

/**
 * `PUT/GET /api/v1/notification-routes` and `GET /api/v1/notification-deliveries` (issue 17, item
 * 4): the channels (WeCom and DingTalk group robots, e-mail, webhooks) and routes that send new
 * anomalies by district, type and severity, and the log of every delivery attempt. Admins only;
 * a change is audited. Secrets and robot URLs are credentials: answers, the audit log and the
 * logs show a URL's origin and `hasSecret`, never the rest.
 */
export async function notificationRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.put(
    '/notification-routes',
    {
      preHandler: adminOnly,
      schema: {
        summary: 'Replace every notification channel and route (admin)',
        description:
          'Body: {"channels":[{"id","kind":"wecom|dingtalk|email|webhook","url"?,"secret"?,"to"?}],' +
          '"routes":[{"channelId","districtIds"?,"types"?,"minSeverity"?}]}. A filter left out matches everything. ' +
          'A channel saved before under the same id and kind keeps its url and secret when they are left out ' +
          '("secret": null removes it), so a body read from GET can be sent back as it is.',
        body: checkedInHandler(NotificationRoutesInputSchema),
        response: { 200: NotificationRoutesViewSchema, ...ERRORS },
      },
    },
    async (request) => {
      const { store, registry } = app.deps;
      const parsed = NotificationRoutesInputSchema.safeParse(request.body);
      if (!parsed.success) throw invalidRequest(zodProblems(parsed.error));
      const before = await store.notifications.config();
      const { channels, problems } = mergeChannels(parsed.data.channels, before.channels);
      const districts = new Set(registry.get().districts.map((d) => d.id));
      problems.push(...routeProblems(parsed.data.routes, channels, districts));
      if (problems.length > 0) throw invalidRequest(problems);
      const config: NotificationConfig = { channels, routes: parsed.data.routes };
      await store.notifications.replaceConfig(config);
      await audit(request, 'notification-routes', notificationRoutesView(before), notificationRoutesView(config));
      request.log.info({ channels: channels.length, routes: config.routes.length }, 'notification routes replaced');
      return notificationRoutesView(config);
    },
  );

  app.get(
    '/notification-routes',
    {
      preHandler: adminOnly,
      schema: {
        summary: 'Notification channels and routes (admin); no secret, robot URLs by origin only',
        response: { 200: NotificationRoutesViewSchema, ...ERRORS },
      },
    },
    async () => notificationRoutesView(await app.deps.store.notifications.config()),
  );

  app.get(
    '/notification-deliveries',
    {
      preHandler: adminOnly,
      schema: {
        summary: 'Delivery attempts of notifications (admin), newest first',
        description:
          'status: delivered; retrying (failed, another attempt followed); failed (the last attempt failed: ' +
          'the message was not delivered). With the HTTP status, the robot’s errcode or the SMTP reply, and why.',
        querystring: withLocalRange(DeliveriesQuery, app.deps.timeZone),
        response: { 200: DeliveriesOut, ...ERRORS },
      },
    },
    async (request) => {
      const q = request.query;
      const { fromMs, toMs } = q;
      const rows = await app.deps.store.notifications.deliveries({
        fromMs,
        toMs,
        limit: q.limit,
        ...(q.channelId === undefined ? {} : { channelId: q.channelId }),
        ...(q.status === undefined ? {} : { status: q.status }),
      });
      return { deliveries: rows.map(({ atMs, ...d }) => ({ ...d, at: new Date(atMs).toISOString() })) };
    },
  );
}
