import { appendFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PendingReadings } from '../../core/storage/influx/pending.js';
import { Spool, SpoolFullError } from '../../core/storage/influx/spool.js';
import { reading } from './contract-fixtures.js';

describe('the on-disk spool', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jieneng-spool-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const drainAll = async (spool: Spool<{ n: number }>) => {
    const out: number[] = [];
    for (let e = await spool.peek(); e !== undefined; e = await spool.peek()) {
      out.push(e.op.n);
      await spool.shift();
    }
    return out;
  };

  it('gives operations back first in, first out across segment files, and deletes consumed segments', async () => {
    const { spool } = await Spool.open<{ n: number }>(dir, 1 << 20, 64);
    for (let n = 0; n < 10; n++) await spool.append({ n });
    expect((await readdir(dir)).length).toBeGreaterThan(2);
    expect(spool.bytes).toBeGreaterThan(0);
    const first = await spool.peek();
    expect(first?.op.n).toBe(0);
    await spool.shift();
    // Appends while the head segment is being read land after everything else.
    await spool.append({ n: 10 });
    expect(await drainAll(spool)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(spool.isEmpty).toBe(true);
    expect(spool.bytes).toBe(0);
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses an append beyond its bound, and takes them again once drained', async () => {
    const { spool } = await Spool.open<{ n: number }>(dir, 200, 64);
    let appended = 0;
    await expect(
      (async () => {
        for (;;) {
          await spool.append({ n: appended });
          appended++;
        }
      })(),
    ).rejects.toBeInstanceOf(SpoolFullError);
    expect(spool.bytes).toBeLessThanOrEqual(200);
    expect(await drainAll(spool)).toEqual(Array.from({ length: appended }, (_, i) => i));
    await spool.append({ n: 99 });
    expect(await drainAll(spool)).toEqual([99]);
  });

  it('survives a restart: what was not consumed comes back in order, a torn last line is skipped, numbering goes on', async () => {
    const a = await Spool.open<{ n: number }>(dir, 1 << 20, 64);
    for (let n = 0; n < 5; n++) await a.spool.append({ n });
    await a.spool.peek();
    await a.spool.shift();
    const names = (await readdir(dir)).sort();
    await appendFile(join(dir, names.at(-1) as string), '{"seq":99,"op":{"n"');
    const b = await Spool.open<{ n: number }>(dir, 1 << 20, 64);
    // The head segment is replayed whole: ops are idempotent when replayed in order.
    expect(b.entries.map((e) => e.op.n)).toEqual([0, 1, 2, 3, 4]);
    const seq = await b.spool.append({ n: 5 });
    expect(seq).toBe(6);
    expect(await drainAll(b.spool)).toEqual([0, 1, 2, 3, 4, 5]);
  });
});

describe('pending readings', () => {
  it('answers by meter and time until the op that carries them is released', () => {
    const pending = new PendingReadings();
    pending.add(1, [reading('light', 0, 9), reading('light', 15, 9.5)]);
    pending.add(2, [reading('hvac', 0, 1)]);
    expect(pending.size).toBe(3);
    expect(pending.get('light', reading('light', 15, 0).tsMs)?.value).toBe(9.5);
    expect(pending.of('light').map((r) => r.value)).toEqual([9, 9.5]);
    pending.release(1, [reading('light', 0, 9), reading('light', 15, 9.5)]);
    expect(pending.of('light')).toEqual([]);
    expect(pending.meters()).toEqual(['hvac']);
    expect(pending.size).toBe(1);
  });
});
