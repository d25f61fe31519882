import { z } from 'zod';
import { ID_MAX_CHARS, ID_PATTERN, IdSchema } from './registry.js';

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * Largest register value accepted, in the meter's own unit (either sign): 1e12 − 1. The store keeps
 * amounts as DECIMAL(18,6), which holds below 1e12; a register beyond it failed every batch of its
 * meter (issue "No device can stop ingest").
 */
export const REGISTER_MAX = 1e12 - 1;

/**
 * Deepest nesting of `[`/`{` a readings payload may have: 16 levels. A batch `{"readings":[{...}]}`
 * needs 3; the rest lets a malformed item carry nested junk and still cost only itself (a bad item
 * never costs the valid ones beside it: test/security/fuzz.test.ts). Checked by a linear scan before
 * `JSON.parse`, since the recursive code after it (schema checks, `JSON.stringify` of a reject)
 * overflows the stack on a payload of thousands of `[`.
 */
export const MAX_PAYLOAD_DEPTH = 16;

/** Longest `raw` text a reject keeps for its dead letter, in characters (UTF-16 code units). */
export const REJECT_RAW_MAX_CHARS = 2000;

/** Longest excerpt of the items a `too_many_readings` reject summarises, in characters. */
const DROPPED_EXCERPT_CHARS = 200;

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
  /** The cumulative register, in the meter's own unit: finite and within ±REGISTER_MAX. */
  value: z.number().min(-REGISTER_MAX).max(REGISTER_MAX),
});

/** A validated reading: meter id, epoch ms and register value. */
export interface Reading {
  readonly meterId: string;
  readonly tsMs: number;
  readonly value: number;
}

/** Why the parser refused a payload or an item; a subset of the metric's reject reasons. */
export type ParseRejectLabel =
  | 'invalid_payload'
  | 'invalid_reading'
  | 'out_of_range'
  | 'too_deep'
  | 'too_many_readings';

/** A reading refused, with the reason and what was received. */
export interface RejectedReading {
  readonly label: ParseRejectLabel;
  readonly reason: string;
  /** The offending item as received (JSON text), for the dead letters; at most REJECT_RAW_MAX_CHARS. */
  readonly raw: string;
  readonly meterId?: string;
  readonly tsMs?: number;
  /** How many items this reject stands for when it summarises several (`too_many_readings`); 1 when absent. */
  readonly count?: number;
}

/** The outcome of parsing one MQTT message: its valid readings and its rejects. */
export interface ParsedMessage {
  readonly readings: Reading[];
  readonly rejects: RejectedReading[];
}

/** Options of `parseReadingsPayload`. */
export interface ParseOptions {
  /** Items of a batch taken at most; the rest is refused with one summarising reject. Default: no limit. */
  readonly maxReadings?: number;
}

function describe(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'reading'}: ${i.message}`).join('; ');
}

function capped(text: string, max = REJECT_RAW_MAX_CHARS): string {
  return text.length <= max ? text : text.slice(0, max);
}

/**
 * The reading of an item that plainly passes ReadingInputSchema (an object with an id, epoch
 * milliseconds and a register within bounds), without the schema's cost; undefined for anything
 * else, which the schema then judges (and explains). A gateway's backlog is ~10 M such items.
 */
function plainReading(item: unknown): Reading | undefined {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return undefined;
  const { meter, ts, value } = item as { meter?: unknown; ts?: unknown; value?: unknown };
  if (typeof meter !== 'string' || meter.length > ID_MAX_CHARS || !ID_PATTERN.test(meter)) return undefined;
  if (typeof ts !== 'number' || !Number.isInteger(ts) || ts < 0 || ts > 8.64e15) return undefined;
  if (typeof value !== 'number' || !(value >= -REGISTER_MAX && value <= REGISTER_MAX)) return undefined;
  return { meterId: meter, tsMs: ts, value };
}

function parseItem(item: unknown, batch: boolean, index: number): Reading | RejectedReading {
  const plain = plainReading(item);
  if (plain !== undefined) return plain;
  const where = batch ? `readings[${index}].` : '';
  const parsed = ReadingInputSchema.safeParse(item);
  if (parsed.success) return { meterId: parsed.data.meter, tsMs: parsed.data.ts, value: parsed.data.value };
  const fields = item !== null && typeof item === 'object' ? (item as { meter?: unknown; value?: unknown }) : {};
  // A number that only fails its bounds (1e400 parses to Infinity) is out of range, not malformed.
  const outOfRange = typeof fields.value === 'number' && parsed.error.issues.every((i) => i.path[0] === 'value');
  return {
    label: outOfRange ? 'out_of_range' : 'invalid_reading',
    reason: `${where}${describe(parsed.error)}`,
    raw: capped(JSON.stringify(item) ?? String(item)),
    ...(typeof fields.meter === 'string' ? { meterId: fields.meter.slice(0, 64) } : {}),
  };
}

/**
 * Whether `text` nests `[`/`{` (outside JSON strings) deeper than `limit`. A linear scan that stops
 * at the first level too deep, so that it costs little on hostile input.
 */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) {
        i++; // a backslash escapes the next character
      } else if (c === 0x22) {
        inString = false;
      }
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}

/**
 * Parses a readings payload: one reading object or a batch `{"readings":[...]}`. Each item is
 * validated on its own, so a bad item never costs the valid ones beside it. Never throws: a payload
 * that is not JSON, nests deeper than MAX_PAYLOAD_DEPTH or holds no array of readings is one
 * reject; items of a batch beyond `maxReadings` are one reject that counts them.
 */
export function parseReadingsPayload(text: string, options: ParseOptions = {}): ParsedMessage {
  const whole = (label: ParseRejectLabel, reason: string): ParsedMessage => ({
    readings: [],
    rejects: [{ label, reason, raw: capped(text) }],
  });
  if (nestsDeeperThan(text, MAX_PAYLOAD_DEPTH)) {
    return whole('too_deep', `payload nests deeper than ${MAX_PAYLOAD_DEPTH} levels`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return whole('invalid_payload', 'payload is not valid JSON');
  }
  let items: unknown[] = [body];
  let batch = false;
  let beyond: RejectedReading | undefined;
  if (body !== null && typeof body === 'object' && 'readings' in body) {
    const list = (body as { readings: unknown }).readings;
    if (!Array.isArray(list)) return whole('invalid_payload', 'readings: expected an array');
    const max = options.maxReadings ?? Number.POSITIVE_INFINITY;
    items = list.length > max ? list.slice(0, max) : list;
    batch = true;
    if (list.length > max) {
      const dropped = list.length - max;
      beyond = {
        label: 'too_many_readings',
        reason: `${dropped} readings beyond the limit of ${max} per message`,
        raw: capped(JSON.stringify(list.slice(max, max + 3)), DROPPED_EXCERPT_CHARS),
        count: dropped,
      };
    }
  }
  const readings: Reading[] = [];
  const rejects: RejectedReading[] = [];
  for (let i = 0; i < items.length; i++) {
    const result = parseItem(items[i], batch, i);
    if ('reason' in result) rejects.push(result);
    else readings.push(result);
  }
  if (beyond !== undefined) rejects.push(beyond);
  return { readings, rejects };
}
