import { appendFile, mkdir, readdir, readFile, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/** One spooled operation and its sequence number (increasing, never reused within a spool). */
export interface SpoolEntry<T> {
  readonly seq: number;
  readonly op: T;
}

/** The spool holds its maximum: the caller must wait (back-pressure) rather than lose data. */
export class SpoolFullError extends Error {
  constructor(maxBytes: number) {
    super(`the InfluxDB spool is full (${maxBytes} bytes); waiting for InfluxDB`);
    this.name = 'SpoolFullError';
  }
}

const SEGMENT = /^(\d{12})\.jsonl$/;

interface Segment {
  readonly name: string;
  bytes: number;
}

/**
 * A bounded first-in-first-out queue of operations on disk: JSON-lines segment files in a
 * directory, appended to at the tail and consumed from the head; a fully consumed segment is
 * deleted. After a crash the whole head segment is replayed, so operations must be idempotent
 * when replayed in order. Not safe for concurrent calls: the owner serialises them.
 */
export class Spool<T> {
  private segments: Segment[] = [];
  /** The segment appended to; undefined once sealed for reading. */
  private active: Segment | undefined;
  private head: { entries: SpoolEntry<T>[]; index: number } | undefined;
  private sizeBytes = 0;
  private nextSeq = 1;
  private nextSegment = 1;

  private constructor(
    private readonly dir: string,
    private readonly maxBytes: number,
    private readonly segmentBytes: number,
  ) {}

  /** Opens (creating) a spool and returns it with every entry it still holds, oldest first. */
  static async open<T>(
    dir: string,
    maxBytes: number,
    segmentBytes = Math.max(64 * 1024, Math.min(8 * 1024 * 1024, Math.floor(maxBytes / 8))),
  ): Promise<{ spool: Spool<T>; entries: SpoolEntry<T>[] }> {
    await mkdir(dir, { recursive: true });
    const spool = new Spool<T>(dir, maxBytes, segmentBytes);
    const names = (await readdir(dir)).filter((n) => SEGMENT.test(n)).sort();
    const entries: SpoolEntry<T>[] = [];
    for (const name of names) {
      const bytes = (await stat(join(dir, name))).size;
      spool.segments.push({ name, bytes });
      spool.sizeBytes += bytes;
      spool.nextSegment = Number(SEGMENT.exec(name)?.[1]) + 1;
      entries.push(...(await spool.read(name)));
    }
    spool.nextSeq = (entries.at(-1)?.seq ?? 0) + 1;
    return { spool, entries };
  }

  /** Bytes on disk. */
  get bytes(): number {
    return this.sizeBytes;
  }

  get isEmpty(): boolean {
    return this.segments.length === 0;
  }

  /** Appends an operation; returns its sequence number. Throws SpoolFullError at the bound. */
  async append(op: T): Promise<number> {
    const seq = this.nextSeq;
    const text = `${JSON.stringify({ seq, op })}\n`;
    const bytes = Buffer.byteLength(text);
    if (this.sizeBytes + bytes > this.maxBytes) throw new SpoolFullError(this.maxBytes);
    if (this.active === undefined || (this.active.bytes > 0 && this.active.bytes + bytes > this.segmentBytes)) {
      this.active = { name: `${String(this.nextSegment++).padStart(12, '0')}.jsonl`, bytes: 0 };
      this.segments.push(this.active);
    }
    await appendFile(join(this.dir, this.active.name), text);
    this.active.bytes += bytes;
    this.sizeBytes += bytes;
    this.nextSeq++;
    return seq;
  }

  /** The oldest entry, or undefined when the spool is empty. */
  async peek(): Promise<SpoolEntry<T> | undefined> {
    while (this.head === undefined || this.head.index >= this.head.entries.length) {
      if (this.head !== undefined) await this.dropHead();
      const first = this.segments[0];
      if (first === undefined) return undefined;
      // Reading the segment being appended to: seal it so later appends start a new one.
      if (first === this.active) this.active = undefined;
      this.head = { entries: await this.read(first.name), index: 0 };
    }
    return this.head.entries[this.head.index];
  }

  /** Removes the oldest entry (after it was applied). */
  async shift(): Promise<void> {
    if (this.head === undefined) return;
    this.head.index++;
    if (this.head.index >= this.head.entries.length) await this.dropHead();
  }

  private async dropHead(): Promise<void> {
    const first = this.segments.shift();
    this.head = undefined;
    if (first === undefined) return;
    await unlink(join(this.dir, first.name)).catch(() => undefined);
    this.sizeBytes -= first.bytes;
  }

  private async read(name: string): Promise<SpoolEntry<T>[]> {
    const text = await readFile(join(this.dir, name), 'utf8').catch(() => '');
    const out: SpoolEntry<T>[] = [];
    for (const line of text.split('\n')) {
      if (line === '') continue;
      try {
        out.push(JSON.parse(line) as SpoolEntry<T>);
      } catch {
        // A line torn by a crash while it was appended: its operation was never acknowledged.
      }
    }
    return out;
  }
}
