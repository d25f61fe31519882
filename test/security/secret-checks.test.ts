import { randomBytes, scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretCheckAbandoned, secretCheckStats, verifySecret } from '../../core/security.js';

/**
 * Issue 19, item 4 (login storm after a restart): scrypt checks of gateway secrets wait their turn
 * outside libuv's pool, logins that present the same secret share one check, and a check nobody
 * wants any more when its turn comes (the gateway gave up) runs no scrypt.
 */

/** A stored hash this process has never seen (hashSecret would remember its secret): cheap parameters. */
function unseenHash(secret: string, n = 1024): string {
  const salt = randomBytes(16);
  const key = scryptSync(secret, salt, 32, { N: n, r: 8, p: 1 });
  return ['scrypt', n, 8, 1, salt.toString('base64url'), key.toString('base64url')].join('$');
}

describe('secret checks', () => {
  it('runs one scrypt for logins that present the same secret at once', async () => {
    const stored = unseenHash('shared-secret-1');
    const before = secretCheckStats().scrypts;
    const answers = await Promise.all(Array.from({ length: 6 }, () => verifySecret('shared-secret-1', stored)));
    expect(answers).toEqual([true, true, true, true, true, true]);
    expect(secretCheckStats().scrypts - before).toBe(1);
    // Known now: no scrypt at all, and a wrong secret is refused without one either.
    expect(await verifySecret('shared-secret-1', stored)).toBe(true);
    expect(await verifySecret('wrong-secret-1', stored)).toBe(false);
    expect(secretCheckStats().scrypts - before).toBe(1);
  });

  it('runs a scrypt for each different secret, and refuses a wrong one', async () => {
    const stored = unseenHash('right-secret-2');
    const before = secretCheckStats().scrypts;
    const [right, wrong] = await Promise.all([
      verifySecret('right-secret-2', stored),
      verifySecret('wrong-secret-2', stored),
    ]);
    expect({ right, wrong }).toEqual({ right: true, wrong: false });
    expect(secretCheckStats().scrypts - before).toBe(2);
  });

  it('abandons, without scrypt, checks nobody wants when their turn comes', async () => {
    // Two slow checks take the slots (there are at most two), five more wait behind them.
    const busy = [unseenHash('busy-a', 16_384), unseenHash('busy-b', 16_384)];
    const hashes = [0, 1, 2, 3, 4].map((i) => unseenHash(`late-${i}`));
    const before = secretCheckStats();
    const running = busy.map((stored, i) => verifySecret(i === 0 ? 'busy-a' : 'busy-b', stored));
    const wanted = [true, false, false, true, false];
    const waiting = Promise.allSettled(
      wanted.map((_, i) => verifySecret(`late-${i}`, hashes[i] as string, () => wanted[i] === true)),
    );
    // A second login with the same secret that still wants the answer keeps an unwanted check alive.
    const rescued = verifySecret('late-4', hashes[4] as string);
    expect(secretCheckStats().waiting).toBeGreaterThanOrEqual(5);
    expect(await Promise.all(running)).toEqual([true, true]);
    const outcomes = await waiting;
    expect(
      outcomes.map((o) => (o.status === 'fulfilled' ? o.value : o.reason instanceof SecretCheckAbandoned)),
    ).toEqual([true, true, true, true, true]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled', 'fulfilled']);
    expect(await rescued).toBe(true);
    const after = secretCheckStats();
    expect(after.abandoned - before.abandoned).toBe(2);
    expect(after.scrypts - before.scrypts).toBe(2 + 3);
    expect(after.waiting).toBe(0);
  });
});
