import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { startTestPlatform, TEST_ADMIN_TOKEN } from '../helpers/platform.js';
import { call, signIn } from './session-client.js';

describe('users’ passwords and session cookies never appear in logs (issue 17, item 1)', () => {
  it('logs sign-ins, failures, password changes and sign-outs without a password, a hash or a cookie', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const adminPassword = 'first admin password';
    const t = await startTestPlatform({ ADMIN_PASSWORD: adminPassword }, undefined, pino({ level: 'trace' }, sink));
    const secrets = [adminPassword, 'wrong password 123', 'user password one', 'user password two'];
    try {
      const admin = await signIn(t, 'admin', adminPassword);
      secrets.push(admin.cookie.split('=')[1] as string);
      expect(
        (
          await call(t, 'POST', '/api/v1/sessions', {
            csrf: true,
            body: { username: 'admin', password: 'wrong password 123' },
          })
        ).status,
      ).toBe(401);
      const created = await call<{ id: string }>(t, 'POST', '/api/v1/users', {
        token: TEST_ADMIN_TOKEN,
        body: { username: 'zhao', displayName: '赵', password: 'user password one', role: 'auditor' },
      });
      expect(created.status).toBe(201);
      const user = await signIn(t, 'zhao', 'user password one');
      secrets.push(user.cookie.split('=')[1] as string);
      const changed = await call(t, 'PUT', '/api/v1/users/me/password', {
        cookie: user.cookie,
        body: { currentPassword: 'user password one', password: 'user password two' },
      });
      expect(changed.status).toBe(200);
      expect((await call(t, 'DELETE', '/api/v1/sessions/current', { cookie: admin.cookie })).status).toBe(204);
      const hash = (await t.platform.store.accounts.userByUsername('zhao'))?.passwordHash ?? '';
      secrets.push(hash.split('$').at(-1) as string);
    } finally {
      await t.close();
    }
    const log = lines.join('');
    expect(log).toContain('signed in');
    expect(log).toContain('sign-in failed');
    expect(log).toContain('user created');
    for (const secret of secrets)
      expect(log.includes(secret), `a secret in the logs: ${secret.slice(0, 4)}…`).toBe(false);
  });
});
