/** Answers of the notification routes (api/routes/notifications.ts). */
import { z } from 'zod';
import { DeliverySchema } from '../../core/domain/notifications.js';

/** A delivery attempt of a notification. */
export const DeliveryViewSchema = DeliverySchema.omit({ atMs: true }).extend({
  at: z.string().describe('when the attempt started'),
});
/** `GET /api/v1/notification-deliveries`. */
export const DeliveriesAnswerSchema = z.object({ deliveries: z.array(DeliveryViewSchema).describe('newest first') });
