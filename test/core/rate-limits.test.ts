import { describe, expect, it } from 'vitest';
import { ClientIdOwners } from '../../core/domain/client-ids.js';
import { FailureBackoff, KeyedBuckets, TokenBucket } from '../../core/domain/token-bucket.js';

describe('TokenBucket', () => {
  it('says how long until the next token, and refills to its burst', () => {
    const bucket = new TokenBucket(10, 2, 0);
    expect(bucket.take(0)).toBe(true);
    expect(bucket.take(0)).toBe(true);
    expect(bucket.take(0)).toBe(false);
    expect(bucket.msUntilToken(0)).toBe(100);
    expect(bucket.msUntilToken(60)).toBe(40);
    expect(bucket.take(100)).toBe(true);
    expect(bucket.isFull(100)).toBe(false);
    expect(bucket.isFull(300)).toBe(true);
  });
});

describe('KeyedBuckets', () => {
  it('keeps at most maxKeys, dropping full buckets first', () => {
    const buckets = new KeyedBuckets(1, 1, 3);
    expect(buckets.take('a', 0)).toBe(true);
    expect(buckets.take('b', 0)).toBe(true);
    expect(buckets.take('c', 0)).toBe(true);
    // At 2 s a and b are full again; c is emptied again and must be kept.
    expect(buckets.take('c', 2000)).toBe(true);
    expect(buckets.take('d', 2000)).toBe(true);
    expect(buckets.size).toBeLessThanOrEqual(3);
    expect(buckets.take('c', 2000)).toBe(false);
  });
});

describe('FailureBackoff', () => {
  const opts = { maxFailuresPerMin: 3, baseMs: 1000, capMs: 8000 };

  it('lets the first failures of a minute through, then doubles the back-off up to its cap', () => {
    const backoff = new FailureBackoff(opts);
    expect([backoff.failed('k', 0), backoff.failed('k', 0), backoff.failed('k', 0)]).toEqual([0, 0, 0]);
    expect(backoff.failed('k', 0)).toBe(1000);
    expect(backoff.remainingMs('k', 400)).toBe(600);
    // Failures during the back-off (refused logins) extend it.
    expect(backoff.failed('k', 500)).toBe(2000);
    expect(backoff.failed('k', 600)).toBe(4000);
    expect(backoff.failed('k', 700)).toBe(8000);
    expect(backoff.failed('k', 800)).toBe(8000);
    expect(backoff.strikes('k')).toBe(5);
    expect(backoff.remainingMs('other', 800)).toBe(0);
  });

  it('forgets a key once its back-off is over and its bucket full again', () => {
    const backoff = new FailureBackoff(opts);
    for (let i = 0; i < 4; i++) backoff.failed('k', 0);
    expect(backoff.strikes('k')).toBe(1);
    expect(backoff.remainingMs('k', 61_000)).toBe(0);
    expect(backoff.failed('k', 61_000)).toBe(0);
    expect(backoff.strikes('k')).toBe(0);
  });

  it('stays bounded when failures come from ever new keys', () => {
    const backoff = new FailureBackoff({ ...opts, maxKeys: 100 });
    for (let i = 0; i < 10_000; i++) backoff.failed(`10.0.${i >> 8}.${i & 255}`, i);
    expect(backoff.size).toBeLessThanOrEqual(100);
  });
});

describe('ClientIdOwners', () => {
  it('gives an id to its owner only, until released', () => {
    const owners = new ClientIdOwners();
    owners.claim('x', 'gateway:a');
    expect(owners.mayUse('x', 'gateway:a')).toBe(true);
    expect(owners.mayUse('x', 'gateway:b')).toBe(false);
    owners.release('x', 'gateway:b');
    expect(owners.ownerOf('x')).toBe('gateway:a');
    owners.release('x', 'gateway:a');
    expect(owners.mayUse('x', 'gateway:b')).toBe(true);
  });

  it('keeps each owner’s most recently used ids', () => {
    const owners = new ClientIdOwners(2);
    owners.claim('1', 'a');
    owners.claim('2', 'a');
    owners.claim('1', 'a');
    owners.claim('3', 'a');
    expect([owners.ownerOf('1'), owners.ownerOf('2'), owners.ownerOf('3')]).toEqual(['a', undefined, 'a']);
  });
});
