import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';

const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: object,
) => Promise<Buffer>;

/** scrypt cost parameters (N=2^14, r=8, p=1: ~50 ms and 16 MiB per hash, OWASP's minimum). */
const SCRYPT = { N: 16_384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_BYTES = 32;

/**
 * Secrets known to match a stored hash (stored hash → SHA-256 of the secret), so that a gateway's
 * reconnects and a registry re-submitted unchanged cost one fast hash instead of an scrypt each
 * (2,000 gateways would take ~35 s). Salted hashes are unique, so a changed secret misses it.
 */
const verified = new Map<string, string>();
const digest = (secret: string) => createHash('sha256').update(secret).digest('hex');

/**
 * Secrets verified in earlier runs of the platform (core/login-memo.ts): `matches` is undefined when
 * nothing is remembered for the stored hash. A match is as good as a scrypt check; a mismatch is not
 * a refusal (the entry may be stale), the secret then goes to scrypt.
 */
export interface VerifiedSecretMemo {
  matches(stored: string, secret: string): boolean | undefined;
  remember(stored: string, secret: string): void;
}

let memo: VerifiedSecretMemo | undefined;

/**
 * Makes secret checks consult and feed `next` (undefined: none). `replacing`, when given, is only
 * replaced if it is still the one in use (a stopping platform does not unset a newer one's memo).
 */
export function useLoginMemo(next: VerifiedSecretMemo | undefined, replacing?: VerifiedSecretMemo): void {
  if (replacing === undefined || memo === replacing) memo = next;
}

/**
 * Forgets the secrets verified in this process, as a restart does (tests and benches restart a
 * platform inside one process). The login memo, if any, is kept.
 */
export function forgetVerifiedSecrets(): void {
  verified.clear();
}

/** A match in the login memo: the secret is then known good in this process too (one HMAC). */
function rememberedBefore(secret: string, stored: string): boolean {
  if (memo?.matches(stored, secret) !== true) return false;
  verified.set(stored, digest(secret));
  checkCounts.memoHits++;
  return true;
}

/**
 * scrypt cost of user passwords (issue 17, item 1): N=2^14, r=8, p=5, one of OWASP's equivalents
 * of N=2^17 (Password Storage Cheat Sheet) at 16 MiB of memory per hash; ~300 ms on one core.
 */
const PASSWORD_SCRYPT = { ...SCRYPT, p: 5 };

/** `scrypt$N$r$p$salt$hash` (base64url) of a secret with a new random salt: the parameters travel with the hash. */
async function scryptHash(secret: string, cost: typeof SCRYPT): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(secret, salt, KEY_BYTES, cost);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Hashes a gateway secret for storage: `scrypt$N$r$p$salt$hash`, base64url. */
export async function hashSecret(secret: string): Promise<string> {
  const stored = await scryptHash(secret, SCRYPT);
  verified.set(stored, digest(secret));
  memo?.remember(stored, secret);
  return stored;
}

/**
 * Hashes a user's password for storage (`scrypt$N$r$p$salt$hash`). Unlike gateway secrets, a
 * password is never remembered in memory as a fast hash: each sign-in runs scrypt.
 */
export function hashPassword(password: string): Promise<string> {
  return scryptHash(password, PASSWORD_SCRYPT);
}

/**
 * Checks a password against a stored hash with the parameters stored beside it, in constant time.
 * False for a malformed hash.
 */
export function verifyPassword(password: string, stored: string): Promise<boolean> {
  return verifyScrypt(password, stored).catch(() => false);
}

/**
 * Whether `secret` is known to match `stored` without running scrypt: it matched before in this
 * process (or was hashed here), or in an earlier run (the login memo). False when unknown, so the
 * caller can refuse cheaply and decide whether the scrypt check is worth its cost.
 */
export function isKnownSecret(secret: string, stored: string): boolean {
  const known = verified.get(stored);
  if (known === undefined) return rememberedBefore(secret, stored);
  return timingSafeEqual(Buffer.from(known, 'hex'), Buffer.from(digest(secret), 'hex'));
}

/**
 * Thrown by `verifySecret` when nobody wanted its answer any more by the time its scrypt could run
 * (the gateway's connection had closed): not a wrong secret, and not to be counted as one.
 */
export class SecretCheckAbandoned extends Error {
  constructor() {
    super('secret check abandoned: its login went away while it waited');
    this.name = 'SecretCheckAbandoned';
  }
}

/** One scrypt check, shared by every login that presents the same secret for the same stored hash. */
interface SecretCheck {
  readonly key: string;
  readonly secret: string;
  readonly stored: string;
  /** Whether each waiting login still wants the answer. */
  readonly wanted: (() => boolean)[];
  readonly settle: (ok: boolean | SecretCheckAbandoned) => void;
  readonly result: Promise<boolean>;
}

/**
 * scrypt checks of secrets run at once, at most (issue 19, item 4: 20,000 gateways logging in after
 * a restart). libuv's pool (4 threads by default) also serves ingest's file system calls (the
 * write-ahead log's fsync): thousands of scrypts queued there would stall ingest for minutes. The
 * rest wait here, in arrival order; two at a time keep a 2-core machine's cores busy.
 */
const SCRYPT_SLOTS = Math.max(1, Math.min(2, availableParallelism()));
const checks = new Map<string, SecretCheck>();
const queued: SecretCheck[] = [];
let running = 0;
const checkCounts = { scrypts: 0, abandoned: 0, memoHits: 0 };

/** Counts of secret checks since the process started. */
export interface SecretCheckStats {
  /** scrypt checks run. */
  readonly scrypts: number;
  /** Checks dropped because no login wanted them any more. */
  readonly abandoned: number;
  /** Secrets found good in the login memo (an HMAC instead of a scrypt). */
  readonly memoHits: number;
  /** Checks waiting for a scrypt slot now. */
  readonly waiting: number;
}

/** Counts of secret checks since the process started (scrypts, abandoned, memo hits) and those waiting. */
export function secretCheckStats(): SecretCheckStats {
  return { ...checkCounts, waiting: queued.length };
}

/**
 * Checks a secret against a stored scrypt hash, in constant time (scrypt only the first time it
 * matches). Logins that present the same secret for the same hash while its check waits or runs
 * share that check. `stillWanted` is asked when the check's turn comes: when no waiting login
 * wants it any more (a gateway that gave up and will retry), it rejects with `SecretCheckAbandoned`
 * without running scrypt, so that a login storm with client time-outs does not pile up scrypts of
 * dead connections.
 */
export function verifySecret(
  secret: string,
  stored: string,
  stillWanted: () => boolean = () => true,
): Promise<boolean> {
  if (verified.has(stored) || rememberedBefore(secret, stored)) return Promise.resolve(isKnownSecret(secret, stored));
  const key = `${stored}\u0000${digest(secret)}`;
  const pending = checks.get(key);
  if (pending !== undefined) {
    pending.wanted.push(stillWanted);
    return pending.result;
  }
  let settle: SecretCheck['settle'] = () => undefined;
  const result = new Promise<boolean>((resolve, reject) => {
    settle = (ok) => (ok instanceof SecretCheckAbandoned ? reject(ok) : resolve(ok));
  });
  const check: SecretCheck = { key, secret, stored, wanted: [stillWanted], settle, result };
  checks.set(key, check);
  queued.push(check);
  runChecks();
  return result;
}

function runChecks(): void {
  while (running < SCRYPT_SLOTS) {
    const check = queued.shift();
    if (check === undefined) return;
    if (!check.wanted.some((wanted) => wanted())) {
      checkCounts.abandoned++;
      checks.delete(check.key);
      check.settle(new SecretCheckAbandoned());
      continue;
    }
    running++;
    checkCounts.scrypts++;
    void verifyScrypt(check.secret, check.stored)
      .catch(() => false)
      .then((ok) => {
        if (ok) {
          verified.set(check.stored, digest(check.secret));
          memo?.remember(check.stored, check.secret);
        }
        checks.delete(check.key);
        running--;
        check.settle(ok);
        runChecks();
      });
  }
}

async function verifyScrypt(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || salt === undefined || hash === undefined) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await scryptAsync(secret, Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: SCRYPT.maxmem,
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A new random API token (`jn_` + 32 random bytes, base64url). */
export function newApiToken(): string {
  return `jn_${randomBytes(32).toString('base64url')}`;
}

/**
 * Hash of an API token for storage and look-up. Tokens carry 256 bits of randomness, so a fast
 * hash is enough (no dictionary to guard against), and it allows an indexed look-up.
 */
export function hashApiToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A new random gateway secret (24 random bytes, base64url). */
export function newGatewaySecret(): string {
  return randomBytes(24).toString('base64url');
}

/** A short random id. */
export function newId(prefix: string): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}
