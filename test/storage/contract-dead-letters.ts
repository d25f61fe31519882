import { expect, it } from 'vitest';
import type { DeadLetter, DeadLetterQuery, MetadataStore } from '../../core/storage/store.js';

const T0 = Date.parse('2026-11-01T00:00:00Z');

/** Letters of two gateways, one second apart, oldest first. */
const LETTERS: DeadLetter[] = [
  { receivedAtMs: T0, reason: 'unknown meter "nope"', raw: '{"meter":"nope"}', gatewayId: 'g1', meterId: 'nope' },
  { receivedAtMs: T0 + 1000, reason: 'payload: not valid JSON', raw: '{x', gatewayId: 'g2' },
  {
    id: 'dl-given',
    code: 'store_failed',
    receivedAtMs: T0 + 2000,
    reason: 'store_failed: disk full',
    raw: '{"meter":"m1","ts":1,"value":2}',
    gatewayId: 'g1',
    meterId: 'm1',
    tsMs: T0,
  },
  {
    receivedAtMs: T0 + 3000,
    reason: 'value: expected a number',
    raw: '{"meter":"m2"}',
    gatewayId: 'g2',
    meterId: 'm2',
  },
];

/** Dead letters: ids and codes, the newest-first query with its pages and filters, the retry mark. */
export function deadLetterCases(store: () => MetadataStore): void {
  it('gives each letter a unique id and a code (its own, or the one its reason shows)', async () => {
    await store().addDeadLetters(LETTERS);
    const got = await store().deadLetters(T0, T0 + 10_000, 10);
    expect(got.map((d) => d.code)).toEqual(['unknown_meter', 'invalid_payload', 'store_failed', 'invalid_reading']);
    expect(got[2]).toEqual(LETTERS[2]);
    const ids = got.map((d) => d.id);
    expect(new Set(ids).size).toBe(4);
    for (const id of ids) expect(id).toMatch(/^dl-/);
    expect(await store().deadLetter(ids[0] as string)).toEqual(got[0]);
    expect(await store().deadLetter('dl-none')).toBeUndefined();
  });

  it('lists newest first, by pages that continue after the last letter of the previous one', async () => {
    await store().addDeadLetters(LETTERS);
    const all = { fromMs: T0, toMs: T0 + 10_000 };
    const first = await store().findDeadLetters({ ...all, limit: 3 });
    expect(first.map((d) => d.receivedAtMs)).toEqual([T0 + 3000, T0 + 2000, T0 + 1000]);
    const last = first[2] as DeadLetter;
    const next = await store().findDeadLetters({
      ...all,
      limit: 3,
      after: { receivedAtMs: last.receivedAtMs, id: last.id as string },
    });
    expect(next.map((d) => d.receivedAtMs)).toEqual([T0]);
    expect((await store().findDeadLetters({ fromMs: T0 + 1000, toMs: T0 + 3000, limit: 10 })).length).toBe(2);
  });

  it('pages through letters received at the same instant by id, newest id first', async () => {
    const same = ['dl-b', 'dl-a', 'dl-c', 'dl-B'].map((id) => ({ id, receivedAtMs: T0, reason: 'x', raw: id }));
    await store().addDeadLetters(same);
    const q = { fromMs: T0, toMs: T0 + 1, limit: 2 };
    const first = await store().findDeadLetters(q);
    const last = first[1] as DeadLetter;
    const rest = await store().findDeadLetters({ ...q, after: { receivedAtMs: T0, id: last.id as string } });
    // Byte order, whatever the database's locale: lower case after upper case.
    expect([...first, ...rest].map((d) => d.id)).toEqual(['dl-c', 'dl-b', 'dl-a', 'dl-B']);
  });

  it('filters by code, meter, gateway, and by the meters or gateways of a scope', async () => {
    await store().addDeadLetters(LETTERS);
    const all = { fromMs: T0, toMs: T0 + 10_000, limit: 10 };
    const at = async (q: Partial<DeadLetterQuery>) =>
      (await store().findDeadLetters({ ...all, ...q })).map((d) => d.receivedAtMs - T0);
    expect(await at({ code: 'store_failed' })).toEqual([2000]);
    expect(await at({ meterId: 'm2' })).toEqual([3000]);
    expect(await at({ gatewayId: 'g1' })).toEqual([2000, 0]);
    expect(await at({ within: { meterIds: ['m1', 'm2'], gatewayIds: [] } })).toEqual([3000, 2000]);
    expect(await at({ within: { meterIds: ['m1'], gatewayIds: ['g2'] } })).toEqual([3000, 2000, 1000]);
    expect(await at({ within: { meterIds: [], gatewayIds: [] } })).toEqual([]);
    expect(await at({ within: { meterIds: [], gatewayIds: ['g2'] }, code: 'invalid_payload' })).toEqual([1000]);
  });

  it('marks a letter retried once, also when two calls race', async () => {
    await store().addDeadLetters(LETTERS);
    const tries = await Promise.all([
      store().markDeadLetterRetried('dl-given', T0 + 5000),
      store().markDeadLetterRetried('dl-given', T0 + 5000),
    ]);
    expect(tries.filter(Boolean)).toHaveLength(1);
    expect(await store().markDeadLetterRetried('dl-given', T0 + 6000)).toBe(false);
    expect(await store().markDeadLetterRetried('dl-none', T0 + 6000)).toBe(false);
    expect((await store().deadLetter('dl-given'))?.retriedAtMs).toBe(T0 + 5000);
  });
}
