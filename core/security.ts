import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
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
 * process (or was hashed here). False when unknown, so the caller can refuse cheaply and decide
 * whether the scrypt check is worth its cost.
 */
export function isKnownSecret(secret: string, stored: string): boolean {
  const known = verified.get(stored);
  return known !== undefined && timingSafeEqual(Buffer.from(known, 'hex'), Buffer.from(digest(secret), 'hex'));
}

/** Checks a secret against a stored scrypt hash, in constant time (scrypt only the first time). */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  if (verified.has(stored)) return isKnownSecret(secret, stored);
  const ok = await verifyScrypt(secret, stored);
  if (ok) verified.set(stored, digest(secret));
  return ok;
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
