import { appendFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WriteAheadLog } from '../../../ingest/wal/log.js';

/** The records `replay()` streams, collected. */
async function replayed(wal: WriteAheadLog): Promise<string[]> {
  const out: string[] = [];
  for await (const r of wal.replay()) out.push(r.payload.toString());
  return out;
}

describe('write-ahead log', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jieneng-wal-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('returns after reopening every record past the checkpoint, in order', async () => {
    const wal = await WriteAheadLog.open({ dir });
    const appended = Array.from({ length: 50 }, (_, i) => wal.append(Buffer.from(`record ${i}`)));
    await Promise.all(appended.map((a) => a.durable));
    expect(appended.map((a) => a.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    await wal.checkpoint(20);
    // No close: as after a crash.
    const again = await WriteAheadLog.open({ dir });
    expect(await replayed(again)).toEqual(Array.from({ length: 30 }, (_, i) => `record ${i + 20}`));
    expect(again.append(Buffer.from('next')).seq).toBe(51);
    await Promise.all([wal.close(), again.close()]);
  });

  it('commits many records with one fsync (group commit) and rotates segments', async () => {
    const wal = await WriteAheadLog.open({ dir, segmentMaxBytes: 4096 });
    for (let round = 0; round < 5; round++) {
      await Promise.all(Array.from({ length: 100 }, () => wal.append(Buffer.alloc(100, 1)).durable));
    }
    expect((await readdir(dir)).filter((n) => n.endsWith('.wal')).length).toBeGreaterThan(1);
    await wal.checkpoint(wal.lastSeq);
    expect((await readdir(dir)).filter((n) => n.endsWith('.wal'))).toHaveLength(1);
    await wal.close();
    expect((await readdir(dir)).filter((n) => n.endsWith('.wal'))).toHaveLength(0);
    const reopened = await WriteAheadLog.open({ dir });
    expect(await replayed(reopened)).toHaveLength(0);
    expect(reopened.lastSeq).toBe(500);
    await reopened.close();
  });

  it('ignores a torn record at the end of a segment (never fsynced, never acknowledged)', async () => {
    const wal = await WriteAheadLog.open({ dir });
    await wal.append(Buffer.from('kept')).durable;
    const segment = (await readdir(dir)).find((n) => n.endsWith('.wal')) as string;
    await appendFile(join(dir, segment), Buffer.from([200, 0, 0, 0, 1, 2, 3]));
    const again = await WriteAheadLog.open({ dir });
    expect(await replayed(again)).toEqual(['kept']);
    await again.append(Buffer.from('after')).durable;
    const third = await WriteAheadLog.open({ dir });
    expect(await replayed(third)).toEqual(['kept', 'after']);
    await Promise.all([wal.close(), again.close(), third.close()]);
  });

  it('makes durable a record appended just as the previous one became durable (one at a time)', async () => {
    const wal = await WriteAheadLog.open({ dir, segmentMaxBytes: 1 });
    // Each append waits for the one before: the next starts from the previous one's continuation.
    for (let i = 0; i < 5; i++) await wal.append(Buffer.from(`one ${i}`)).durable;
    await wal.close();
    const again = await WriteAheadLog.open({ dir });
    expect(await replayed(again)).toEqual(Array.from({ length: 5 }, (_, i) => `one ${i}`));
    await again.close();
  }, 10_000);
});
