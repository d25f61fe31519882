import { randomBytes } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { Logger } from 'pino';

/** Shortest login memo key, in bytes (HMAC-SHA256 gains nothing from a longer one). */
export const LOGIN_MEMO_KEY_MIN_BYTES = 32;

/**
 * The bytes of a login memo key written as hex (64+ digits) or base64/base64url (32+ bytes);
 * undefined when it is neither or too short.
 */
export function parseLoginMemoKey(text: string): Buffer | undefined {
  const s = text.trim();
  if (/^(?:[0-9a-fA-F]{2})+$/.test(s)) {
    return s.length >= LOGIN_MEMO_KEY_MIN_BYTES * 2 ? Buffer.from(s, 'hex') : undefined;
  }
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(s)) return undefined;
  const bytes = Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return bytes.length >= LOGIN_MEMO_KEY_MIN_BYTES ? bytes : undefined;
}

/** Whether `file` lies inside `dir` (a key kept beside the memo would protect nothing). */
export function isInside(dir: string, file: string): boolean {
  const rel = relative(resolve(dir), resolve(file));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Where the login memo key comes from (LOGIN_MEMO_KEY or LOGIN_MEMO_KEY_FILE; at most one is set). */
export interface LoginMemoKeySource {
  readonly key?: string | undefined;
  readonly keyFile?: string | undefined;
}

/**
 * The login memo key: LOGIN_MEMO_KEY, or the content of LOGIN_MEMO_KEY_FILE, which is created with
 * 32 random bytes (hex, mode 0600, its directory 0700) when absent. Undefined when neither is set
 * (verified secrets are then remembered in memory only). Throws on an unreadable or malformed key
 * file: the operator named it, and starting without it would hide the mistake.
 */
export async function loadLoginMemoKey(source: LoginMemoKeySource, logger: Logger): Promise<Buffer | undefined> {
  if (source.key !== undefined) {
    const key = parseLoginMemoKey(source.key);
    if (key === undefined) throw new Error('LOGIN_MEMO_KEY: at least 32 bytes, hex or base64');
    return key;
  }
  const file = source.keyFile;
  if (file === undefined) return undefined;
  const text = await readFile(file, 'utf8').catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    const created = randomBytes(LOGIN_MEMO_KEY_MIN_BYTES).toString('hex');
    // `wx`: another process that created it meanwhile keeps its key (read it again below).
    const won = await writeFile(file, `${created}\n`, { mode: 0o600, flag: 'wx' }).then(
      () => true,
      (e: NodeJS.ErrnoException) => {
        if (e.code === 'EEXIST') return false;
        throw e;
      },
    );
    if (won) logger.info({ file }, 'login memo key created (mode 0600): keep it out of DATA_DIR and its backups');
    return won ? created : readFile(file, 'utf8');
  });
  const key = parseLoginMemoKey(text);
  if (key === undefined) throw new Error(`LOGIN_MEMO_KEY_FILE ${file}: not a key (at least 32 bytes, hex or base64)`);
  const mode = (await stat(file)).mode & 0o777;
  if ((mode & 0o077) !== 0)
    logger.warn({ file, mode: mode.toString(8) }, 'login memo key file is readable by other users: chmod 600 it');
  return key;
}
