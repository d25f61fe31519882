import { z } from 'zod';
import type { Reading } from '../../core/domain/reading.js';

/** What the WAL keeps of one accepted message: its gateway, arrival time and validated readings. */
export interface ReadingsRecord {
  readonly gatewayId: string;
  readonly receivedAtMs: number;
  readonly readings: readonly Reading[];
}

/** Compact JSON: `{"g":gateway,"t":receivedAtMs,"r":[[meter,tsMs,value],…]}`. */
export function encodeReadingsRecord(record: ReadingsRecord): Buffer {
  return Buffer.from(
    JSON.stringify({
      g: record.gatewayId,
      t: record.receivedAtMs,
      r: record.readings.map((r) => [r.meterId, r.tsMs, r.value]),
    }),
  );
}

/** The on-disk shape, checked on the way back: a record damaged on disk must fail here, not later. */
const RecordSchema = z.object({
  g: z.string().min(1),
  t: z.number().finite(),
  r: z.array(z.tuple([z.string().min(1), z.number().finite(), z.number().finite()])),
});

/** Reads back a record written by `encodeReadingsRecord`; throws when the payload is not one. */
export function decodeReadingsRecord(payload: Buffer): ReadingsRecord {
  const raw = RecordSchema.parse(JSON.parse(payload.toString('utf8')));
  return {
    gatewayId: raw.g,
    receivedAtMs: raw.t,
    readings: raw.r.map(([meterId, tsMs, value]) => ({ meterId, tsMs, value })),
  };
}
