import { crc32 } from 'node:zlib';

/**
 * One WAL record on disk: a 16-byte header (payload length u32, CRC-32 of the payload u32, the
 * record's position u64) and the payload. A torn write at the end of the last segment (a crash
 * mid-write, never fsync'd, so never acknowledged) fails the length or CRC check and ends the scan.
 */
export const HEADER_BYTES = 16;

/** Frames a payload at a position. */
export function encodeFrame(seq: number, payload: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  frame.writeUInt32LE(payload.length, 0);
  frame.writeUInt32LE(crc32(payload), 4);
  frame.writeBigUInt64LE(BigInt(seq), 8);
  payload.copy(frame, HEADER_BYTES);
  return frame;
}

/** The intact records of a segment's bytes, and where the intact part ends (the rest is torn). */
export function decodeFrames(bytes: Buffer): { records: { seq: number; payload: Buffer }[]; validBytes: number } {
  const records: { seq: number; payload: Buffer }[] = [];
  let at = 0;
  while (at + HEADER_BYTES <= bytes.length) {
    const length = bytes.readUInt32LE(at);
    const end = at + HEADER_BYTES + length;
    if (end > bytes.length) break;
    const payload = bytes.subarray(at + HEADER_BYTES, end);
    if (crc32(payload) !== bytes.readUInt32LE(at + 4)) break;
    records.push({ seq: Number(bytes.readBigUInt64LE(at + 8)), payload });
    at = end;
  }
  return { records, validBytes: at };
}
