import { randomBytes, scryptSync } from 'node:crypto';
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../core/config.js';
import { LOGIN_MEMO_FILE, LoginMemo } from '../../core/login-memo.js';
import { loadLoginMemoKey, parseLoginMemoKey } from '../../core/login-memo-key.js';
import { forgetVerifiedSecrets, secretCheckStats, useLoginMemo, verifySecret } from '../../core/security.js';

/**
 * Issue 19, item 4: gateway secrets verified by scrypt are remembered across restarts as HMACs
 * under a key kept outside DATA_DIR; a missing, corrupt or foreign memo starts cold, never crashes.
 */

/** A stored hash this process has never seen (hashSecret would remember its secret): cheap parameters. */
function unseenHash(secret: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(secret, salt, 32, { N: 1024, r: 8, p: 1 });
  return ['scrypt', 1024, 8, 1, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** A logger whose lines the test reads. */
function capturing(): { logger: pino.Logger; lines: { level: number; msg: string }[] } {
  const lines: { level: number; msg: string }[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

const KEY = randomBytes(32);
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'jieneng-login-memo-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

afterEach(() => {
  useLoginMemo(undefined);
  forgetVerifiedSecrets();
});

describe('login memo key', () => {
  it('reads hex and base64 keys of 32+ bytes, nothing shorter or else', () => {
    expect(parseLoginMemoKey('ab'.repeat(32))?.length).toBe(32);
    expect(parseLoginMemoKey(randomBytes(32).toString('base64'))?.length).toBe(32);
    expect(parseLoginMemoKey(randomBytes(48).toString('base64url'))?.length).toBe(48);
    expect(parseLoginMemoKey('ab'.repeat(31))).toBeUndefined();
    expect(parseLoginMemoKey(randomBytes(31).toString('base64'))).toBeUndefined();
    expect(parseLoginMemoKey('not a key at all, not even close to one....')).toBeUndefined();
    expect(parseLoginMemoKey('')).toBeUndefined();
  });

  it('creates the key file at first start, mode 0600, and reads the same key afterwards', async () => {
    const file = join(dir, 'keys', 'nested', 'login-memo.key');
    const { logger, lines } = capturing();
    const first = await loadLoginMemoKey({ keyFile: file }, logger);
    expect(first?.length).toBe(32);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(lines.some((l) => l.msg.includes('login memo key created'))).toBe(true);
    expect(await loadLoginMemoKey({ keyFile: file }, logger)).toEqual(first);
    expect(await loadLoginMemoKey({}, logger)).toBeUndefined();
  });

  it('warns about a key file others can read, and refuses one that holds no key', async () => {
    const file = join(dir, 'shared.key');
    await writeFile(file, `${'cd'.repeat(32)}\n`, { mode: 0o644 });
    await chmod(file, 0o644);
    const { logger, lines } = capturing();
    expect(await loadLoginMemoKey({ keyFile: file }, logger)).toEqual(Buffer.from('cd'.repeat(32), 'hex'));
    expect(lines.some((l) => l.level === 40 && l.msg.includes('readable by other users'))).toBe(true);
    await writeFile(file, 'short\n');
    await expect(loadLoginMemoKey({ keyFile: file }, logger)).rejects.toThrow(/not a key/);
  });

  it('is configured once, outside DATA_DIR', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig({ DATA_DIR: '/srv/jieneng/data', ...env });
        return [];
      } catch (error) {
        return error instanceof ConfigError ? error.problems : [String(error)];
      }
    };
    expect(problems({ LOGIN_MEMO_KEY: 'ab'.repeat(32) })).toEqual([]);
    expect(problems({ LOGIN_MEMO_KEY_FILE: '/etc/jieneng/login-memo.key' })).toEqual([]);
    expect(problems({ LOGIN_MEMO_KEY: 'too-short' })[0]).toMatch(/^LOGIN_MEMO_KEY: at least 32 bytes/);
    expect(problems({ LOGIN_MEMO_KEY: 'ab'.repeat(32), LOGIN_MEMO_KEY_FILE: '/etc/k' })[0]).toMatch(/not both/);
    expect(problems({ LOGIN_MEMO_KEY_FILE: '/srv/jieneng/data/memo.key' })[0]).toMatch(/outside DATA_DIR/);
    expect(problems({ LOGIN_MEMO_KEY_FILE: '/srv/jieneng/data/../memo.key' })).toEqual([]);
  });
});

describe('login memo file', () => {
  it('remembers tags, not secrets nor hashes, in a 0600 file written atomically', async () => {
    const memoDir = await mkdtemp(join(dir, 'atomic-'));
    const stored = unseenHash('the-secret-1');
    const memo = await LoginMemo.open({ dir: memoDir, key: KEY, logger: pino({ level: 'silent' }), flushMs: 60_000 });
    expect(memo.matches(stored, 'the-secret-1')).toBeUndefined();
    memo.remember(stored, 'the-secret-1');
    await memo.close();
    const text = await readFile(join(memoDir, LOGIN_MEMO_FILE), 'utf8');
    expect(text).not.toContain('the-secret-1');
    expect(text).not.toContain(stored.split('$')[5]);
    expect((await stat(join(memoDir, LOGIN_MEMO_FILE))).mode & 0o777).toBe(0o600);
    expect(await readdir(memoDir)).toEqual([LOGIN_MEMO_FILE]);
    const again = await LoginMemo.open({ dir: memoDir, key: KEY, logger: pino({ level: 'silent' }) });
    expect(again.matches(stored, 'the-secret-1')).toBe(true);
    expect(again.matches(stored, 'the-secret-2')).toBe(false);
    expect(again.matches(unseenHash('the-secret-1'), 'the-secret-1')).toBeUndefined();
  });

  it('starts cold, with a log line, from a corrupt, hostile or foreign file', async () => {
    const memoDir = await mkdtemp(join(dir, 'cold-'));
    const stored = unseenHash('the-secret-3');
    const memo = await LoginMemo.open({ dir: memoDir, key: KEY, logger: pino({ level: 'silent' }) });
    memo.remember(stored, 'the-secret-3');
    await memo.close();
    const good = await readFile(join(memoDir, LOGIN_MEMO_FILE), 'utf8');
    const cases: [string, string | undefined, RegExp][] = [
      ['another key', undefined, /written with another key/],
      ['truncated', good.slice(0, good.length - 5), /corrupt \(not JSON\)/],
      ['binary', '\u0000\u0001\u0002', /corrupt \(not JSON\)/],
      ['wrong shape', JSON.stringify({ version: 1, keyId: 'x', entries: [] }), /corrupt \(unexpected content\)/],
      ['wrong tag', good.replace(/"([A-Za-z0-9_-]{43})"/, '"$1$1"'), /corrupt \(unexpected content\)/],
      ['prototype', '{"__proto__":{"polluted":true},"version":1}', /corrupt \(unexpected content\)/],
    ];
    for (const [name, content, message] of cases) {
      if (content !== undefined) await writeFile(join(memoDir, LOGIN_MEMO_FILE), content);
      const { logger, lines } = capturing();
      const key = name === 'another key' ? randomBytes(32) : KEY;
      const cold = await LoginMemo.open({ dir: memoDir, key, logger });
      expect(cold.size, name).toBe(0);
      expect(cold.matches(stored, 'the-secret-3'), name).toBeUndefined();
      expect(
        lines.some((l) => l.level === 40 && message.test(l.msg)),
        name,
      ).toBe(true);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }
    const { logger, lines } = capturing();
    await LoginMemo.open({ dir: join(memoDir, 'none'), key: KEY, logger });
    expect(lines.some((l) => l.msg.includes('login memo absent'))).toBe(true);
  });

  it('keeps only the credentials in use: a rotated or removed one is dropped from the file', async () => {
    const memoDir = await mkdtemp(join(dir, 'prune-'));
    const [a, b, c] = ['sa', 'sb', 'sc'].map((s) => unseenHash(s)) as [string, string, string];
    let inUse = [a, b, c];
    const open = () =>
      LoginMemo.open({ dir: memoDir, key: KEY, logger: pino({ level: 'silent' }), currentHashes: () => inUse });
    const memo = await open();
    memo.remember(a, 'sa');
    memo.remember(b, 'sb');
    memo.remember(c, 'sc');
    inUse = [a, c];
    await memo.close();
    const stored = JSON.parse(await readFile(join(memoDir, LOGIN_MEMO_FILE), 'utf8')) as { entries: object };
    expect(Object.keys(stored.entries)).toHaveLength(2);
    inUse = [a];
    const reopened = await open();
    expect(reopened.size).toBe(1);
    expect(reopened.matches(a, 'sa')).toBe(true);
    expect(reopened.matches(c, 'sc')).toBeUndefined();
  });

  it('is bounded: the oldest entries go first', async () => {
    const memo = await LoginMemo.open({
      dir: await mkdtemp(join(dir, 'bound-')),
      key: KEY,
      logger: pino({ level: 'silent' }),
      maxEntries: 3,
    });
    const hashes = Array.from({ length: 5 }, (_, i) => `scrypt$1$1$1$salt${i}$hash${i}`);
    for (const [i, h] of hashes.entries()) memo.remember(h, `s${i}`);
    expect(memo.size).toBe(3);
    expect(memo.matches(hashes[0] as string, 's0')).toBeUndefined();
    expect(memo.matches(hashes[4] as string, 's4')).toBe(true);
    await memo.close();
  });
});

describe('secret checks with a login memo', () => {
  it('costs no scrypt after a restart for a remembered secret; a wrong or stale one goes to scrypt', async () => {
    const memoDir = await mkdtemp(join(dir, 'verify-'));
    const open = () => LoginMemo.open({ dir: memoDir, key: KEY, logger: pino({ level: 'silent' }) });
    const stored = unseenHash('gateway-secret-1');
    const first = await open();
    useLoginMemo(first);
    const before = secretCheckStats();
    expect(await verifySecret('gateway-secret-1', stored)).toBe(true);
    expect(secretCheckStats().scrypts - before.scrypts).toBe(1);
    useLoginMemo(undefined, first);
    await first.close();

    // The restart: nothing verified in this process, the memo read back from its file.
    forgetVerifiedSecrets();
    const second = await open();
    useLoginMemo(second);
    const after = secretCheckStats();
    expect(await verifySecret('gateway-secret-1', stored)).toBe(true);
    expect(secretCheckStats().scrypts - after.scrypts).toBe(0);
    expect(secretCheckStats().memoHits - after.memoHits).toBe(1);

    forgetVerifiedSecrets();
    expect(await verifySecret('gateway-secret-2', stored)).toBe(false);
    expect(secretCheckStats().scrypts - after.scrypts).toBe(1);

    // A stale entry (here: a tag of another secret) does not lock the right secret out.
    const other = unseenHash('gateway-secret-3');
    second.remember(other, 'not-the-secret');
    forgetVerifiedSecrets();
    expect(await verifySecret('gateway-secret-3', other)).toBe(true);
    expect(secretCheckStats().scrypts - after.scrypts).toBe(2);
    expect(second.matches(other, 'gateway-secret-3')).toBe(true);
    await second.close();
  });

  it('without a memo nothing is remembered across a restart', async () => {
    const stored = unseenHash('gateway-secret-4');
    expect(await verifySecret('gateway-secret-4', stored)).toBe(true);
    forgetVerifiedSecrets();
    const before = secretCheckStats().scrypts;
    expect(await verifySecret('gateway-secret-4', stored)).toBe(true);
    expect(secretCheckStats().scrypts - before).toBe(1);
  });
});
