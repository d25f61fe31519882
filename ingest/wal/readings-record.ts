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

/** Reads back a record written by `encodeReadingsRecord` (its CRC was checked by the frame). */
export function decodeReadingsRecord(payload: Buffer): ReadingsRecord {
  const raw = JSON.parse(payload.toString('utf8')) as { g: string; t: number; r: [string, number, number][] };
  return {
    gatewayId: raw.g,
    receivedAtMs: raw.t,
    readings: raw.r.map(([meterId, tsMs, value]) => ({ meterId, tsMs, value })),
  };
}
