/** Answers of the dead-letter routes (api/routes/dead-letters.ts). */
import { z } from 'zod';

/** A rejected reading or message with its reason. */
export const DeadLetterSchema = z.object({
  id: z.string(),
  code: z.string(),
  receivedAt: z.string(),
  reason: z.string(),
  raw: z.string(),
  gatewayId: z.string().nullable(),
  topic: z.string().nullable(),
  meterId: z.string().nullable(),
  ts: z.string().nullable(),
  retriedAt: z.string().nullable(),
});

/** `GET /api/v1/dead-letters`: a page, newest first. */
export const DeadLetterPageSchema = z.object({
  deadLetters: z.array(DeadLetterSchema),
  nextCursor: z.string().nullable().describe('pass as cursor for the next (older) page; null on the last page'),
});
