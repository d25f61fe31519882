import { z } from 'zod';
import type { Reading } from '../../core/domain/reading.js';

/** What the WAL keeps of one accepted message: its gateway, arrival time and validated readings. */
export interface ReadingsRecord {
  readonly gatewayId: string;
  readonly receivedAtMs: number;
  readonly readings: readonly Reading[];
}

/**
 * Compact JSON: `{"g":gateway,"t":receivedAtMs,"r":[[meter,tsMs,value],…]}`, the same text as
 * `JSON.stringify` of that object, written without building it (one record per message on the
 * ingest path).
 */
export function encodeReadingsRecord(record: ReadingsRecord): Buffer {
  let text = `{"g":${JSON.stringify(record.gatewayId)},"t":${JSON.stringify(record.receivedAtMs)},"r":[`;
  const { readings } = record;
  for (let i = 0; i < readings.length; i++) {
    const r = readings[i] as Reading;
    // JSON.stringify of a number: its shortest text, `null` when not finite (refused on decode).
    text += `${i === 0 ? '' : ','}[${JSON.stringify(r.meterId)},${JSON.stringify(r.tsMs)},${JSON.stringify(r.value)}]`;
  }
  return Buffer.from(`${text}]}`);
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
