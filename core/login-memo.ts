import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import { loadLoginMemoKey } from './login-memo-key.js';
import type { RegistryHolder } from './registry-holder.js';
import { useLoginMemo, type VerifiedSecretMemo } from './security.js';

/** Name of the login memo in DATA_DIR. */
export const LOGIN_MEMO_FILE = 'verified-logins.json';

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** The file: the key's id, then stored hash id → HMAC tag (both base64url). No secret, no scrypt hash. */
const MemoFileSchema = z.object({
  version: z.literal(1),
  keyId: z.string().regex(BASE64URL),
  entries: z.record(z.string().regex(BASE64URL).length(22), z.string().regex(BASE64URL).length(43)),
});
type MemoFile = z.infer<typeof MemoFileSchema>;

/** Options of a login memo. */
export interface LoginMemoOptions {
  /** The directory of the file (DATA_DIR). */
  readonly dir: string;
  /** HMAC key, kept outside `dir`. */
  readonly key: Buffer;
  readonly logger: Logger;
  /** The stored hashes in use now: others are dropped when the file is loaded and written. */
  readonly currentHashes?: () => Iterable<string>;
  /** Longest a newly verified secret waits before the file is rewritten, in milliseconds (default 5,000). */
  readonly flushMs?: number;
  /** Most entries kept, oldest dropped first (default 200,000: ten times a province's gateways). */
  readonly maxEntries?: number;
}

/** Id of a stored hash in the file (128 bits of its SHA-256): the file does not copy the scrypt hashes. */
const hashId = (stored: string) => createHash('sha256').update(stored).digest('base64url').slice(0, 22);

/**
 * Gateway secrets verified by scrypt, remembered across restarts (issue 19, item 4): for each stored
 * hash, HMAC-SHA256(key, stored hash ‖ secret). A later login whose secret gives the same tag costs
 * one HMAC instead of one scrypt. The stored hash carries a random salt, so a rotated or revoked
 * credential never matches an old tag, and its entry is dropped at the next write or start.
 * Without the key the file is worthless; with it, guesses cost an HMAC instead of a scrypt.
 * Written atomically (temp file, rename), mode 0600, at most once per `flushMs`.
 */
export class LoginMemo implements VerifiedSecretMemo {
  private readonly entries = new Map<string, Buffer>();
  private readonly path: string;
  private readonly keyId: string;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(private readonly opts: LoginMemoOptions) {
    this.path = join(opts.dir, LOGIN_MEMO_FILE);
    this.keyId = createHmac('sha256', opts.key).update('jieneng-login-memo-key-id').digest('base64url').slice(0, 16);
  }

  /** Opens the memo in `dir`, starting cold (logged, never thrown) from a missing, corrupt or foreign file. */
  static async open(opts: LoginMemoOptions): Promise<LoginMemo> {
    const memo = new LoginMemo(opts);
    await memo.load();
    return memo;
  }

  /** Entries held. */
  get size(): number {
    return this.entries.size;
  }

  private tag(stored: string, secret: string): Buffer {
    return createHmac('sha256', this.opts.key)
      .update('jieneng-login-memo-v1\u0000')
      .update(stored)
      .update('\u0000')
      .update(secret)
      .digest();
  }

  /** Whether `secret` matches the tag remembered for `stored`, in constant time; undefined without one. */
  matches(stored: string, secret: string): boolean | undefined {
    const known = this.entries.get(hashId(stored));
    return known === undefined ? undefined : timingSafeEqual(known, this.tag(stored, secret));
  }

  /** Remembers a secret that scrypt found to match `stored`; the file follows within `flushMs`. */
  remember(stored: string, secret: string): void {
    if (this.closed) return;
    const id = hashId(stored);
    this.entries.delete(id);
    this.entries.set(id, this.tag(stored, secret));
    const max = this.opts.maxEntries ?? 200_000;
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= max) break;
      this.entries.delete(oldest);
    }
    this.schedule();
  }

  /** Writes pending changes now. */
  async flush(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.writing = this.writing.then(() => this.write());
    }
    await this.writing;
  }

  /** Writes pending changes; later `remember` calls are ignored. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.writing = this.writing.then(() => this.write());
    }, this.opts.flushMs ?? 5000);
    this.timer.unref();
  }

  /**
   * The entries of stored hashes in use now (all without `currentHashes`). Those of a rotated or
   * removed credential stay in memory until the next start (they can never match): a secret hashed
   * just before the registry that holds it is installed is not lost.
   */
  private current(): [string, Buffer][] {
    const all = [...this.entries];
    if (this.opts.currentHashes === undefined) return all;
    const inUse = new Set<string>();
    for (const stored of this.opts.currentHashes()) inUse.add(hashId(stored));
    return all.filter(([id]) => inUse.has(id));
  }

  private async write(): Promise<void> {
    const file: MemoFile = {
      version: 1,
      keyId: this.keyId,
      entries: Object.fromEntries(this.current().map(([id, tag]) => [id, tag.toString('base64url')])),
    };
    const temp = `${this.path}.${process.pid}.tmp`;
    try {
      await mkdir(this.opts.dir, { recursive: true });
      await writeFile(temp, JSON.stringify(file), { mode: 0o600 });
      await rename(temp, this.path);
    } catch (error) {
      // A cache: the next restart pays scrypts for what is missing.
      this.opts.logger.warn({ err: error, file: this.path }, 'login memo not written');
    }
  }

  private async load(): Promise<void> {
    const { logger } = this.opts;
    const cold = (level: 'info' | 'warn', why: string, fields: object = {}) =>
      logger[level]({ file: this.path, ...fields }, `login memo ${why}: first logins run scrypt`);
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return code === 'ENOENT' ? cold('info', 'absent') : cold('warn', 'unreadable', { err: error });
    }
    let parsed: ReturnType<typeof MemoFileSchema.safeParse>;
    try {
      parsed = MemoFileSchema.safeParse(JSON.parse(text));
    } catch {
      return cold('warn', 'corrupt (not JSON)');
    }
    if (!parsed.success) return cold('warn', 'corrupt (unexpected content)');
    if (parsed.data.keyId !== this.keyId) return cold('warn', 'written with another key');
    for (const [id, tag] of Object.entries(parsed.data.entries)) this.entries.set(id, Buffer.from(tag, 'base64url'));
    const loaded = this.entries.size;
    const current = this.current();
    if (current.length < loaded) {
      this.entries.clear();
      for (const [id, tag] of current) this.entries.set(id, tag);
      this.schedule();
    }
    logger.info(
      { file: this.path, entries: this.entries.size, dropped: loaded - this.entries.size },
      'login memo loaded',
    );
  }
}

/** What `startLoginMemo` needs of the configuration. */
export interface LoginMemoConfig {
  readonly DATA_DIR: string;
  readonly LOGIN_MEMO_KEY?: string | undefined;
  readonly LOGIN_MEMO_KEY_FILE?: string | undefined;
}

/**
 * Opens the login memo of a platform and makes `verifySecret` use it; returns its stop (writes what
 * is pending). Without LOGIN_MEMO_KEY or LOGIN_MEMO_KEY_FILE nothing is persisted.
 */
export async function startLoginMemo(
  config: LoginMemoConfig,
  registry: RegistryHolder,
  logger: Logger,
): Promise<() => Promise<void>> {
  const key = await loadLoginMemoKey({ key: config.LOGIN_MEMO_KEY, keyFile: config.LOGIN_MEMO_KEY_FILE }, logger);
  if (key === undefined) {
    logger.debug('no LOGIN_MEMO_KEY(_FILE): verified gateway secrets are remembered in memory only');
    return async () => undefined;
  }
  const memo = await LoginMemo.open({
    dir: config.DATA_DIR,
    key,
    logger,
    currentHashes: () => registry.get().gateways.map((g) => g.secretHash),
  });
  useLoginMemo(memo);
  return async () => {
    useLoginMemo(undefined, memo);
    await memo.close();
  };
}
