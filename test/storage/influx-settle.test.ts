import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { localToEpochMs } from '../../core/domain/time.js';
import type { SettleRollup } from '../../core/storage/influx/outbox.js';
import { type RollupSettleOptions, RollupSettler } from '../../core/storage/influx/settle.js';
import type { HourRange } from '../../core/storage/store.js';

/** The settler of the InfluxDB daily rollup on its own: the outbox and InfluxDB replaced by recorders. */
const TZ = 'Asia/Shanghai';
const day = (d: number) => localToEpochMs(TZ, 2026, 11, d);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Call {
  readonly days: readonly HourRange[];
  readonly settle: boolean;
  readonly atMs: number;
}

/** A settler whose recompute records its calls (after `slowSettleMs` for settles) and whose outbox applies at once. */
function harness(options: RollupSettleOptions & { slowSettleMs?: number; timeZone?: string } = {}) {
  const calls: Call[] = [];
  const submitted: SettleRollup[] = [];
  const logs: { msg?: string; meterDays?: number }[] = [];
  const { slowSettleMs = 0, timeZone = TZ, ...settle } = options;
  const settler: RollupSettler = new RollupSettler({
    delayMs: 50,
    ...settle,
    timeZone,
    logger: pino({ level: 'warn' }, { write: (line: string) => logs.push(JSON.parse(line)) }),
    beforeWrite: async (days, isSettle) => {
      if (isSettle && slowSettleMs > 0) await sleep(slowSettleMs);
      calls.push({ days, settle: isSettle, atMs: performance.now() });
    },
    recompute: async (_days, beforeWrite) => beforeWrite?.(),
    submit: async (s) => {
      submitted.push(s);
      await settler.settle(s);
    },
  });
  const settles = () => calls.filter((c) => c.settle);
  return { settler, calls, settles, submitted, logs };
}

describe('RollupSettler (settling the InfluxDB daily rollup)', () => {
  it('coalesces the ops on a meter-day into one settle, in runs of consecutive days per meter', async () => {
    const { settler, settles, submitted } = harness({ delayMs: 1000 });
    for (let i = 0; i < 5; i++) await settler.recompute([{ meterId: 'm1', fromMs: day(1), toMs: day(3) }]);
    await settler.recompute([
      { meterId: 'm2', fromMs: day(1), toMs: day(2) },
      { meterId: 'm1', fromMs: day(3), toMs: day(4) },
    ]);
    expect(settler.size).toBe(4);
    await settler.settled();
    expect(settler.size).toBe(0);
    expect(submitted).toEqual([
      {
        repeat: 0,
        days: [
          { meterId: 'm1', fromMs: day(1), toMs: day(4) },
          { meterId: 'm2', fromMs: day(1), toMs: day(2) },
        ],
      },
    ]);
    expect(settles()).toHaveLength(1);
  });

  it('settles a meter-day only once its ops have been quiet for the delay', async () => {
    const { settler, calls, settles } = harness({ delayMs: 1000 });
    const days = [{ meterId: 'm1', fromMs: day(1), toMs: day(2) }];
    await settler.recompute(days);
    await sleep(200);
    await settler.recompute(days);
    const lastOpMs = performance.now();
    await settler.settled();
    expect(calls.map((c) => c.settle)).toEqual([false, false, true]);
    expect((settles()[0] as Call).atMs - lastOpMs).toBeGreaterThanOrEqual(999);
  });

  it('settles by its own timer, without being asked', async () => {
    const { settler, settles } = harness({ delayMs: 30 });
    await settler.recompute([{ meterId: 'm1', fromMs: day(1), toMs: day(2) }]);
    for (const deadline = Date.now() + 5000; settles().length === 0 && Date.now() < deadline; ) await sleep(10);
    expect(settles()).toHaveLength(1);
    expect(settler.size).toBe(0);
  });

  it('repeats a settle slower than the delay, up to maxRepeats, then logs that it gave up', async () => {
    const { settler, settles, submitted, logs } = harness({ delayMs: 30, maxRepeats: 2, slowSettleMs: 40 });
    await settler.recompute([{ meterId: 'm1', fromMs: day(1), toMs: day(2) }]);
    await settler.settled();
    expect(settles()).toHaveLength(3);
    expect(submitted.map((s) => s.repeat)).toEqual([0, 1, 2]);
    expect(logs.filter((l) => /settles stayed slow/.test(l.msg ?? ''))).toHaveLength(1);
  });

  it('does not repeat a settle faster than the delay', async () => {
    const { settler, settles } = harness({ delayMs: 1000, slowSettleMs: 10 });
    await settler.recompute([{ meterId: 'm1', fromMs: day(1), toMs: day(2) }]);
    await settler.settled();
    expect(settles()).toHaveLength(1);
  });

  it('at maxPending settles what waits at once, says so, and drops no day', async () => {
    const { settler, settles, logs } = harness({ delayMs: 500, maxPending: 2 });
    await settler.recompute(['a', 'b', 'c', 'd', 'e'].map((meterId) => ({ meterId, fromMs: day(1), toMs: day(2) })));
    expect(settler.size).toBeLessThanOrEqual(2);
    expect(logs.some((l) => /too many days waiting to settle/.test(l.msg ?? ''))).toBe(true);
    await settler.close();
    const settled = settles()
      .flatMap((c) => c.days.map((d) => d.meterId))
      .sort();
    expect(settled).toEqual(['a', 'b', 'c', 'd', 'e']);
  }, 15_000);

  it('with delayMs 0 never settles (a database with one writer)', async () => {
    const { settler, calls } = harness({ delayMs: 0, slowSettleMs: 5 });
    await settler.recompute([{ meterId: 'm1', fromMs: day(1), toMs: day(2) }]);
    expect(settler.size).toBe(0);
    await settler.settled();
    // A settle replayed from a spool written with settling on is still applied, once.
    await settler.settle({ days: [{ meterId: 'm1', fromMs: day(1), toMs: day(2) }], repeat: 0 });
    expect(calls.map((c) => c.settle)).toEqual([false, true]);
  });

  it('close settles what waits, after its quiet time; a recompute after close is logged, not settled', async () => {
    const { settler, calls, settles, logs } = harness({ delayMs: 80 });
    await settler.recompute([{ meterId: 'm1', fromMs: day(1), toMs: day(2) }]);
    const opMs = performance.now();
    await settler.close();
    expect(settles()).toHaveLength(1);
    expect((settles()[0] as Call).atMs - opMs).toBeGreaterThanOrEqual(79);
    await settler.recompute([{ meterId: 'm1', fromMs: day(2), toMs: day(3) }]);
    expect(calls).toHaveLength(3);
    expect(settler.size).toBe(0);
    expect(logs.map((l) => l.msg)).toContain('daily rollup: store closed; these days are not settled');
  });

  it('keys days by local day in a zone with DST (a 23-hour day is one day)', async () => {
    const zone = 'Europe/Berlin';
    const from = localToEpochMs(zone, 2026, 3, 28);
    const to = localToEpochMs(zone, 2026, 3, 31);
    const { settler, submitted } = harness({ timeZone: zone });
    await settler.recompute([{ meterId: 'm1', fromMs: from, toMs: to }]);
    expect(settler.size).toBe(3);
    await settler.settled();
    expect(submitted.map((s) => s.days)).toEqual([[{ meterId: 'm1', fromMs: from, toMs: to }]]);
  });
});
