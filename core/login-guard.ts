import { FailureBackoff } from './domain/token-bucket.js';

// Issue "No device can stop ingest" (MQTT logins), and issue 17 item 1 (the API's sign-in): an
// address over its failed logins is refused without a password check for 1 s, doubling per
// further failure up to 5 min. A username over its failed logins only makes further logins for it
// wait (1 s doubling up to 5 s): refusing them would let anyone lock a gateway, or a user, out with
// wrong passwords sent from elsewhere.
const ADDRESS_BACKOFF_MS = { baseMs: 1000, capMs: 300_000 };
const USERNAME_BACKOFF_MS = { baseMs: 1000, capMs: 5000 };

/**
 * The key of a connection's source address for the failed-login limit: IPv4 as is (also when
 * IPv4-mapped), IPv6 by its /64 (one host usually holds the whole prefix). A socket already closed
 * has no address: those share one key.
 */
export function addressKey(remoteAddress: string | undefined): string {
  if (remoteAddress === undefined || remoteAddress === '') return 'unknown';
  if (remoteAddress.startsWith('::ffff:') && remoteAddress.includes('.')) return remoteAddress.slice(7);
  if (!remoteAddress.includes(':')) return remoteAddress;
  const [head = '', tail] = (remoteAddress.split('%')[0] ?? '').split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t];
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

/**
 * Failed-login limits per source address and per claimed username, of the embedded broker and of
 * the API's sign-in. Only failures count: a gateway that logs in once per message is never slowed.
 */
export class LoginGuard {
  private readonly byAddress: FailureBackoff;
  private readonly byUsername: FailureBackoff;

  /** @param maxFailuresPerMin failed logins a minute per address and per username before back-off */
  constructor(maxFailuresPerMin: number) {
    this.byAddress = new FailureBackoff({ maxFailuresPerMin, ...ADDRESS_BACKOFF_MS });
    this.byUsername = new FailureBackoff({ maxFailuresPerMin, ...USERNAME_BACKOFF_MS });
  }

  /**
   * When the address is in back-off: records the attempt (which extends it) and returns the back-off
   * in milliseconds, to refuse the login without checking its password. 0: go on.
   */
  refuseFrom(address: string): number {
    const now = Date.now();
    return this.byAddress.remainingMs(address, now) > 0 ? this.byAddress.failed(address, now) : 0;
  }

  /** How long to wait before checking a login for this username (0 unless it is in back-off). */
  delayMs(username: string): number {
    return this.byUsername.remainingMs(username, Date.now());
  }

  /** Records a failed login; returns the address's back-off now in force, in milliseconds. */
  failed(address: string, username: string | undefined): number {
    const now = Date.now();
    if (username !== undefined) this.byUsername.failed(username, now);
    return this.byAddress.failed(address, now);
  }
}
