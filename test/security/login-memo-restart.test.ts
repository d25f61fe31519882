import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_MEMO_FILE } from '../../core/login-memo.js';
import { forgetVerifiedSecrets, secretCheckStats } from '../../core/security.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { smallCity } from '../helpers/registry.js';

/**
 * Issue 19, item 4, on the real platform: restarted on the same DATA_DIR with LOGIN_MEMO_KEY_FILE,
 * gateways log in without scrypt; wrong and replaced secrets are still refused; a corrupt memo
 * starts cold with a log line; without a key nothing is written. Each restart forgets what this
 * process verified (`forgetVerifiedSecrets`), as a new process would.
 */

const GATEWAYS = ['gw-001', 'gw-002', 'gw-003'];
const secretOf = (id: string) => `secret-${id}`;

let dataDir: string;
let keyDir: string;
let keyFile: string;

/** MQTT CONNACK code of a login: 0 when it got in (then disconnected). */
async function login(t: TestPlatform, id: string, secret = secretOf(id)): Promise<number> {
  return t.connectGateway(id, secret).then(
    async (client) => {
      await client.endAsync();
      return 0;
    },
    (error: { code?: number }) => error.code ?? -1,
  );
}

/** Starts the platform again on the same data directory, as a new process: nothing verified yet. */
async function restart(env: Record<string, string>, logger?: pino.Logger): Promise<TestPlatform> {
  forgetVerifiedSecrets();
  return startTestPlatform(env, dataDir, logger);
}

async function memoEntries(): Promise<number> {
  const file = JSON.parse(await readFile(join(dataDir, LOGIN_MEMO_FILE), 'utf8')) as { entries: object };
  return Object.keys(file.entries).length;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'jieneng-memo-data-'));
  keyDir = await mkdtemp(join(tmpdir(), 'jieneng-memo-key-'));
  keyFile = join(keyDir, 'conf', 'login-memo.key');
});

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
  await rm(keyDir, { recursive: true, force: true });
});

describe('login memo across platform restarts', () => {
  const withKey = () => ({ LOGIN_MEMO_KEY_FILE: keyFile });

  it('persists nothing without a key', async () => {
    const t = await startTestPlatform({}, dataDir);
    try {
      const city = smallCity();
      city.gateways = GATEWAYS.map((id) => ({ id, secret: secretOf(id) }));
      expect((await t.api('PUT', '/api/v1/registry', city)).status).toBe(200);
      expect(await login(t, 'gw-001')).toBe(0);
    } finally {
      await t.close();
    }
    await expect(stat(join(dataDir, LOGIN_MEMO_FILE))).rejects.toThrow(/ENOENT/);
  });

  it('creates the key (0600) at the first start with it, and remembers the secrets scrypt verified', async () => {
    const t = await restart(withKey());
    try {
      expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
      const before = secretCheckStats().scrypts;
      expect(await Promise.all(GATEWAYS.map((id) => login(t, id)))).toEqual([0, 0, 0]);
      expect(secretCheckStats().scrypts - before).toBe(GATEWAYS.length);
    } finally {
      await t.close();
    }
    expect(await memoEntries()).toBe(GATEWAYS.length);
    expect((await stat(join(dataDir, LOGIN_MEMO_FILE))).mode & 0o777).toBe(0o600);
  });

  it('lets every gateway in after a restart without scrypt, and still refuses a wrong secret', async () => {
    const t = await restart(withKey());
    try {
      const before = secretCheckStats();
      expect(await Promise.all(GATEWAYS.map((id) => login(t, id)))).toEqual([0, 0, 0]);
      expect(secretCheckStats().scrypts - before.scrypts).toBe(0);
      expect(secretCheckStats().memoHits - before.memoHits).toBe(GATEWAYS.length);
      // A wrong secret does not match the memo: it goes to scrypt and is refused (4: bad password).
      forgetVerifiedSecrets();
      expect(await login(t, 'gw-003', 'guess-1')).toBe(4);
      expect(secretCheckStats().scrypts - before.scrypts).toBe(1);
      // A replaced secret (POST /api/v1/gateways/{id}/secret): the old one must never match again.
      const rotated = await t.api('POST', '/api/v1/gateways/gw-001/secret', { secret: 'rotated-secret-gw-001' });
      expect(rotated.status).toBe(200);
    } finally {
      await t.close();
    }
    // One entry per gateway credential: the old one of gw-001 is gone.
    expect(await memoEntries()).toBe(GATEWAYS.length);
  });

  it('refuses the replaced secret after a restart and lets the new one in without scrypt', async () => {
    const t = await restart(withKey());
    try {
      const before = secretCheckStats();
      expect(await login(t, 'gw-001')).toBe(4);
      expect(secretCheckStats().scrypts - before.scrypts).toBe(1);
      expect(await login(t, 'gw-001', 'rotated-secret-gw-001')).toBe(0);
      expect(await login(t, 'gw-002')).toBe(0);
      expect(secretCheckStats().scrypts - before.scrypts).toBe(1);
    } finally {
      await t.close();
    }
  });

  it('starts cold from a corrupt memo, with a log line, and heals it', async () => {
    await writeFile(join(dataDir, LOGIN_MEMO_FILE), '{"version":1,"keyId":"abc","entr');
    const lines: { msg: string; level: number }[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const t = await restart(withKey(), logger);
    try {
      expect(lines.some((l) => l.level === 40 && /login memo corrupt/.test(l.msg))).toBe(true);
      const before = secretCheckStats().scrypts;
      expect(await login(t, 'gw-002')).toBe(0);
      expect(secretCheckStats().scrypts - before).toBe(1);
    } finally {
      await t.close();
    }
    const t2 = await restart(withKey());
    try {
      const before = secretCheckStats().scrypts;
      expect(await login(t2, 'gw-002')).toBe(0);
      expect(secretCheckStats().scrypts - before).toBe(0);
    } finally {
      await t2.close();
    }
  });

  it('starts cold with another key: the memo is worthless without its own', async () => {
    const t = await restart({ LOGIN_MEMO_KEY: 'ef'.repeat(32) });
    try {
      const before = secretCheckStats().scrypts;
      expect(await login(t, 'gw-003')).toBe(0);
      expect(secretCheckStats().scrypts - before).toBe(1);
    } finally {
      await t.close();
    }
  });
});
