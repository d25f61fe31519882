import { type FileHandle, mkdir, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeFrames, encodeFrame } from './frame.js';

/** Options of a write-ahead log. */
export interface WalOptions {
  /** Directory of the segment files and the checkpoint (DATA_DIR/wal). */
  readonly dir: string;
  /** A segment is closed and a new one started once it holds this many bytes (default 8 MiB). */
  readonly segmentMaxBytes?: number;
}

/** A record of the log: its position and payload. */
export interface WalRecord {
  readonly seq: number;
  readonly payload: Buffer;
  /** Its CRC did not match though a sound record follows it: damaged on disk, not torn. */
  readonly corrupt?: boolean;
}

const SEGMENT_SUFFIX = '.wal';
const segmentName = (firstSeq: number) => `${String(firstSeq).padStart(16, '0')}${SEGMENT_SUFFIX}`;

/**
 * Makes a directory's entries (files created, renamed) durable: fsync(2) of the file alone does not
 * cover its name. Platforms that cannot open a directory (Windows) skip it.
 */
async function syncDir(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL') throw error;
  } finally {
    await handle?.close();
  }
}

interface Waiter {
  readonly frame: Buffer;
  readonly seq: number;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * An append-only write-ahead log in segment files, with group commit: every record appended while
 * an fsync runs goes to disk with the next one, so one fsync covers many messages. `append`
 * resolves once its record is fsync'd ("acknowledged means stored", issue "Durability and
 * scale-out"). The owner calls `checkpoint(seq)` once everything up to `seq` is in the store;
 * segments wholly at or before the checkpoint are deleted. After a crash, `replay()` streams the
 * records after the checkpoint, one segment in memory at a time.
 */
export class WriteAheadLog {
  private fd: FileHandle | undefined;
  private activeBytes = 0;
  /** Segments by first position, oldest first; the last one is being written. */
  private segments: { firstSeq: number; name: string }[] = [];
  private waiting: Waiter[] = [];
  private flushing: Promise<void> | undefined;
  private broken = false;
  private closed = false;
  private checkpointChain: Promise<void> = Promise.resolve();

  private constructor(
    private readonly dir: string,
    private readonly segmentMaxBytes: number,
    private nextSeq: number,
    private checkpointed: number,
    /** Segments found at open, oldest first, and the checkpoint then: what `replay` reads. */
    private readonly found: { readonly names: readonly string[]; readonly checkpointed: number },
  ) {}

  /** Opens (creating when needed) the log in `dir`; `replay()` then gives the records after its checkpoint. */
  static async open(options: WalOptions): Promise<WriteAheadLog> {
    await mkdir(options.dir, { recursive: true });
    const checkpointed = await readFile(join(options.dir, 'checkpoint'), 'utf8').then(
      (text) => Number((JSON.parse(text) as { seq?: unknown }).seq ?? 0) || 0,
      () => 0,
    );
    const names = (await readdir(options.dir)).filter((n) => n.endsWith(SEGMENT_SUFFIX)).sort();
    // Positions grow across segments: the newest record is in the newest segment that holds one.
    let lastSeq = checkpointed;
    for (let i = names.length - 1; i >= 0; i--) {
      const newest = decodeFrames(await readFile(join(options.dir, names[i] as string))).records.at(-1);
      if (newest === undefined) continue;
      lastSeq = Math.max(lastSeq, newest.seq);
      break;
    }
    const wal = new WriteAheadLog(options.dir, options.segmentMaxBytes ?? 8 * 1024 * 1024, lastSeq + 1, checkpointed, {
      names,
      checkpointed,
    });
    wal.segments = names
      .filter((name) => name !== segmentName(wal.nextSeq))
      .map((name) => ({ firstSeq: Number(name.slice(0, -SEGMENT_SUFFIX.length)), name }));
    // Never append behind a possibly torn tail: new records always start a new segment.
    await wal.startSegment(wal.nextSeq);
    return wal;
  }

  /**
   * The records found at open after the checkpoint then, in order, read one segment at a time (a
   * backlog larger than memory replays). A torn tail (crash mid-write) was never fsync'd, hence
   * never acknowledged: skipped. The owner must not checkpoint past the last record it was given.
   */
  async *replay(): AsyncGenerator<WalRecord> {
    for (const name of this.found.names) {
      const bytes = await readFile(join(this.dir, name)).catch((error: unknown) => {
        // Deleted by a checkpoint that covered it: every record in it was stored.
        if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
        throw error;
      });
      if (bytes === undefined) continue;
      for (const r of decodeFrames(bytes).records) if (r.seq > this.found.checkpointed) yield r;
    }
  }

  /** The position of the newest record appended (0 when none ever was). */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  /** Appends a record; `seq` is known at once, `durable` resolves when the record is fsync'd. */
  append(payload: Buffer): { seq: number; durable: Promise<void> } {
    if (this.closed) throw new Error('write-ahead log is closed');
    const seq = this.nextSeq++;
    const frame = encodeFrame(seq, payload);
    const durable = new Promise<void>((resolve, reject) => this.waiting.push({ frame, seq, resolve, reject }));
    this.flushing ??= this.flushLoop();
    return { seq, durable };
  }

  /**
   * Records that everything up to `seq` is stored: persisted (atomic rename) and the segments it
   * covers deleted. Replay is idempotent, so a lost checkpoint only replays more.
   */
  checkpoint(seq: number): Promise<void> {
    this.checkpointChain = this.checkpointChain.then(async () => {
      if (seq <= this.checkpointed) return;
      this.checkpointed = seq;
      const tmp = join(this.dir, 'checkpoint.tmp');
      await writeFile(tmp, JSON.stringify({ seq }));
      await rename(tmp, join(this.dir, 'checkpoint'));
      await syncDir(this.dir);
      await this.deleteCovered();
    });
    return this.checkpointChain;
  }

  /** Writes what is appended, then closes; deletes every segment when all is checkpointed. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flushing;
    await this.checkpointChain;
    await this.fd?.close();
    this.fd = undefined;
    if (this.checkpointed >= this.lastSeq) {
      for (const s of this.segments) await rm(join(this.dir, s.name), { force: true });
      this.segments = [];
    }
  }

  private async flushLoop(): Promise<void> {
    // Let the messages of the current I/O turn join this group before the first write.
    await new Promise((resolve) => setImmediate(resolve));
    try {
      while (this.waiting.length > 0) {
        const group = this.waiting.splice(0);
        try {
          if (this.broken || this.activeBytes >= this.segmentMaxBytes) await this.startSegment(group[0]?.seq ?? 0);
          const bytes = Buffer.concat(group.map((w) => w.frame));
          let written = 0;
          const fd = this.fd as FileHandle;
          while (written < bytes.length) written += (await fd.write(bytes, written)).bytesWritten;
          await fd.datasync();
          this.activeBytes += bytes.length;
          for (const w of group) w.resolve();
        } catch (error) {
          // The segment may end in a partial record now: the next group starts a new one.
          this.broken = true;
          for (const w of group) w.reject(error);
        }
      }
    } finally {
      // Cleared in the same turn as the last look at `waiting`: a record appended by a resolved
      // waiter's continuation then starts a new loop. Cleared in a later `.finally`, it was left
      // waiting until some other append came (its PUBACK with it).
      this.flushing = undefined;
    }
  }

  private async startSegment(firstSeq: number): Promise<void> {
    await this.fd?.close();
    const name = segmentName(firstSeq);
    this.fd = await open(join(this.dir, name), 'a');
    // The new file's directory entry must be durable too, or an fsync'd record can vanish with it.
    await syncDir(this.dir);
    this.segments.push({ firstSeq, name });
    this.activeBytes = 0;
    this.broken = false;
  }

  /** Deletes the closed segments whose every record is at or before the checkpoint. */
  private async deleteCovered(): Promise<void> {
    while (this.segments.length > 1) {
      const [oldest, next] = this.segments as [{ firstSeq: number; name: string }, { firstSeq: number }];
      if (next.firstSeq - 1 > this.checkpointed) return;
      await rm(join(this.dir, oldest.name), { force: true });
      this.segments.shift();
    }
  }
}
