import { expect, it } from 'vitest';
import type { AccountStore, SessionRecord, UserRecord } from '../../core/storage/store.js';
import { T0 } from './contract-fixtures.js';

const H = 3_600_000;

const user = (id: string, username: string, extra: Partial<UserRecord> = {}): UserRecord => ({
  id,
  username,
  displayName: `User ${username}`,
  role: 'officer',
  scopes: ['district:d1', 'institution:i2'],
  passwordHash: `scrypt$16384$8$5$salt-${id}$hash-${id}`,
  createdAtMs: T0,
  updatedAtMs: T0,
  passwordChangedAtMs: T0,
  ...extra,
});

const session = (id: string, userId: string, extra: Partial<SessionRecord> = {}): SessionRecord => ({
  id,
  userId,
  hash: `hash-${id}`,
  createdAtMs: T0,
  lastSeenAtMs: T0,
  expiresAtMs: T0 + 12 * H,
  ...extra,
});

/** Users and sessions (issue 17, item 1): `AccountStore`, as every metadata backend keeps it. */
export function accountCases(store: () => AccountStore): void {
  it('adds users once per username, finds them by id and username, lists them by username', async () => {
    const ana = user('usr-1', 'ana');
    const bo = user('usr-2', '博', { role: 'admin', scopes: [], disabledAtMs: T0 + H });
    expect(await store().countUsers()).toBe(0);
    expect(await store().addUser(ana)).toBe(true);
    expect(await store().addUser(bo)).toBe(true);
    // A taken username stores nothing; a taken id is an error.
    expect(await store().addUser(user('usr-3', 'ana', { displayName: 'another' }))).toBe(false);
    await expect(store().addUser(user('usr-1', 'carl'))).rejects.toThrow();
    expect(await store().countUsers()).toBe(2);
    expect(await store().user('usr-1')).toEqual(ana);
    expect(await store().user('usr-2')).toEqual(bo);
    expect(await store().userByUsername('博')).toEqual(bo);
    expect(await store().user('usr-3')).toBeUndefined();
    expect(await store().userByUsername('ANA')).toBeUndefined();
    expect((await store().users()).map((u) => u.username)).toEqual(['ana', '博']);
  });

  it('replaces a user by id, keeping its username, and removes it with its sessions', async () => {
    await store().addUser(user('usr-1', 'ana'));
    await store().addUser(user('usr-2', 'bo'));
    const changed = user('usr-1', 'renamed', {
      displayName: 'Ana Li',
      role: 'viewer',
      scopes: ['institution:i9'],
      passwordHash: 'scrypt$16384$8$5$new$new',
      updatedAtMs: T0 + H,
      passwordChangedAtMs: T0 + H,
      disabledAtMs: T0 + 2 * H,
    });
    expect(await store().updateUser(changed)).toBe(true);
    expect(await store().user('usr-1')).toEqual({ ...changed, username: 'ana' });
    expect(await store().updateUser(user('usr-9', 'nobody'))).toBe(false);
    // Enabled again: the disabled time is cleared.
    expect(await store().updateUser({ ...user('usr-1', 'ana'), updatedAtMs: T0 + 3 * H })).toBe(true);
    expect((await store().user('usr-1'))?.disabledAtMs).toBeUndefined();

    await store().addSession(session('ses-1', 'usr-1'));
    await store().addSession(session('ses-2', 'usr-2'));
    expect(await store().deleteUser('usr-1')).toBe(true);
    expect(await store().deleteUser('usr-1')).toBe(false);
    expect(await store().user('usr-1')).toBeUndefined();
    expect(await store().sessionByHash('hash-ses-1')).toBeUndefined();
    expect(await store().sessionByHash('hash-ses-2')).toEqual(session('ses-2', 'usr-2'));
    // The username is free again.
    expect(await store().addUser(user('usr-4', 'ana'))).toBe(true);
  });

  it('keeps sessions by the hash of their secret, touched forward only, revoked once', async () => {
    await store().addUser(user('usr-1', 'ana'));
    await store().addUser(user('usr-2', 'bo'));
    const a = session('ses-a', 'usr-1');
    const b = session('ses-b', 'usr-1', { createdAtMs: T0 + 1, lastSeenAtMs: T0 + 1 });
    const c = session('ses-c', 'usr-2');
    for (const s of [a, b, c]) await store().addSession(s);
    await expect(store().addSession({ ...a, id: 'ses-d' })).rejects.toThrow();
    expect(await store().sessionByHash('hash-ses-a')).toEqual(a);
    expect(await store().sessionByHash('unknown')).toBeUndefined();
    expect(await store().sessionsOf('usr-1')).toEqual([a, b]);

    await store().touchSession('ses-a', T0 + H);
    await store().touchSession('ses-a', T0 + 1000);
    await store().touchSession('ses-unknown', T0 + H);
    expect((await store().sessionByHash('hash-ses-a'))?.lastSeenAtMs).toBe(T0 + H);

    expect(await store().revokeSession('ses-a', T0 + 2 * H)).toBe(true);
    expect(await store().revokeSession('ses-a', T0 + 3 * H)).toBe(true);
    expect(await store().revokeSession('ses-unknown', T0)).toBe(false);
    expect((await store().sessionByHash('hash-ses-a'))?.revokedAtMs).toBe(T0 + 2 * H);

    // Only the sessions not revoked yet; another user's stay.
    expect(await store().revokeSessionsOf('usr-1', T0 + 4 * H)).toBe(1);
    expect(await store().revokeSessionsOf('usr-1', T0 + 5 * H)).toBe(0);
    expect((await store().sessionsOf('usr-1')).map((s) => s.revokedAtMs)).toEqual([T0 + 2 * H, T0 + 4 * H]);
    expect((await store().sessionByHash('hash-ses-c'))?.revokedAtMs).toBeUndefined();
  });

  it('prunes the sessions that expired or were revoked before a time, and only those', async () => {
    await store().addUser(user('usr-1', 'ana'));
    await store().addSession(session('ses-old', 'usr-1', { expiresAtMs: T0 + H }));
    await store().addSession(session('ses-revoked', 'usr-1', { revokedAtMs: T0 + H }));
    await store().addSession(session('ses-live', 'usr-1', { expiresAtMs: T0 + 5 * H }));
    await store().addSession(session('ses-recently-revoked', 'usr-1', { revokedAtMs: T0 + 3 * H }));
    expect(await store().pruneSessions(T0 + 2 * H)).toBe(2);
    expect((await store().sessionsOf('usr-1')).map((s) => s.id)).toEqual(['ses-live', 'ses-recently-revoked']);
    expect(await store().pruneSessions(T0 + 2 * H)).toBe(0);
  });
}
