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

/** The frame at `at` when it fits in `bytes`: its position, payload, end, and whether its CRC matches. */
function frameAt(
  bytes: Buffer,
  at: number,
): { seq: number; payload: Buffer; end: number; intact: boolean } | undefined {
  if (at + HEADER_BYTES > bytes.length) return undefined;
  const end = at + HEADER_BYTES + bytes.readUInt32LE(at);
  if (end > bytes.length) return undefined;
  const payload = bytes.subarray(at + HEADER_BYTES, end);
  return {
    seq: Number(bytes.readBigUInt64LE(at + 8)),
    payload,
    end,
    intact: crc32(payload) === bytes.readUInt32LE(at + 4),
  };
}

/**
 * The records of a segment's bytes, and where the readable part ends (the rest is torn). A frame
 * whose CRC fails is a torn write when it is the last; when an intact frame with the next position
 * follows it, it was damaged on disk after its fsync: returned with `corrupt`, and the scan goes on,
 * so one bad record does not hide the acknowledged ones after it (issue "No device can stop ingest").
 */
export function decodeFrames(bytes: Buffer): {
  records: { seq: number; payload: Buffer; corrupt?: boolean }[];
  validBytes: number;
} {
  const records: { seq: number; payload: Buffer; corrupt?: boolean }[] = [];
  let at = 0;
  for (;;) {
    const frame = frameAt(bytes, at);
    if (frame === undefined) break;
    if (!frame.intact) {
      const next = frameAt(bytes, frame.end);
      if (next === undefined || !next.intact || next.seq !== frame.seq + 1) break;
      records.push({ seq: frame.seq, payload: frame.payload, corrupt: true });
    } else records.push({ seq: frame.seq, payload: frame.payload });
    at = frame.end;
  }
  return { records, validBytes: at };
}
