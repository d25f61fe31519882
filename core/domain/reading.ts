import { z } from 'zod';
import { IdSchema } from './registry.js';

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** A reading timestamp: ISO 8601 with an offset, or epoch milliseconds; parsed to epoch ms. */
export const TimestampSchema = z.union([
  z
    .string()
    .regex(ISO_WITH_OFFSET, 'ISO 8601 timestamp with offset, e.g. 2026-11-01T08:00:00+08:00')
    .transform((s, ctx) => {
      const ms = Date.parse(s);
      if (Number.isNaN(ms)) {
        ctx.addIssue({ code: 'custom', message: 'not a valid date' });
        return z.NEVER;
      }
      return ms;
    }),
  z.number().int('epoch milliseconds must be an integer').min(0).max(8.64e15),
]);

/** One reading as a gateway sends it: `{"meter":"M1","ts":"2026-11-01T08:00:00+08:00","value":1234.5}`. */
export const ReadingInputSchema = z.object({
  meter: IdSchema,
  ts: TimestampSchema,
  /** The cumulative register, in the meter's own unit. */
  value: z.number().finite(),
});

/** A validated reading: meter id, epoch ms and register value. */
export interface Reading {
  readonly meterId: string;
  readonly tsMs: number;
  readonly value: number;
}

/** A reading refused, with the reason and what was received. */
export interface RejectedReading {
  readonly reason: string;
  /** The offending item as received (JSON text), for the dead letters. */
  readonly raw: string;
  readonly meterId?: string;
  readonly tsMs?: number;
}

/** The outcome of parsing one MQTT message: its valid readings and its rejects. */
export interface ParsedMessage {
  readonly readings: Reading[];
  readonly rejects: RejectedReading[];
}

function describe(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'reading'}: ${i.message}`).join('; ');
}

function parseItem(item: unknown, where: string): Reading | RejectedReading {
  const parsed = ReadingInputSchema.safeParse(item);
  if (parsed.success) return { meterId: parsed.data.meter, tsMs: parsed.data.ts, value: parsed.data.value };
  const meter = (item as { meter?: unknown } | null)?.meter;
  return {
    reason: `${where}${describe(parsed.error)}`,
    raw: JSON.stringify(item) ?? String(item),
    ...(typeof meter === 'string' ? { meterId: meter.slice(0, 64) } : {}),
  };
}

/**
 * Parses a readings payload: one reading object or a batch `{"readings":[...]}`. Each item is
 * validated on its own, so a bad item never costs the valid ones beside it.
 */
export function parseReadingsPayload(text: string): ParsedMessage {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { readings: [], rejects: [{ reason: 'payload is not valid JSON', raw: text.slice(0, 2000) }] };
  }
  const items: unknown[] = [];
  let batch = false;
  if (body !== null && typeof body === 'object' && 'readings' in body) {
    const list = (body as { readings: unknown }).readings;
    if (!Array.isArray(list)) {
      return { readings: [], rejects: [{ reason: 'readings: expected an array', raw: text.slice(0, 2000) }] };
    }
    items.push(...list);
    batch = true;
  } else {
    items.push(body);
  }
  const readings: Reading[] = [];
  const rejects: RejectedReading[] = [];
  items.forEach((item, i) => {
    const result = parseItem(item, batch ? `readings[${i}].` : '');
    if ('reason' in result) rejects.push(result);
    else readings.push(result);
  });
  return { readings, rejects };
}
