import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeAdminTokenFile } from '../../server/admin-token.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';

describe('the admin token generated at first start', () => {
  let t: TestPlatform | undefined;
  let dir: string | undefined;
  afterAll(async () => {
    await t?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('is written to DATA_DIR/admin-token.txt, readable by its owner only, and signs in', async () => {
    // An empty ADMIN_TOKEN is unset: the platform generates one.
    t = await startTestPlatform({ ADMIN_TOKEN: '' });
    const { generatedAdminToken, adminTokenFile } = t.platform;
    expect(generatedAdminToken).toMatch(/^jn_/);
    expect(adminTokenFile).toBe(join(t.dataDir, 'admin-token.txt'));
    const file = adminTokenFile as string;
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, 'utf8')).toBe(`${generatedAdminToken}\n`);
    expect((await t.api('GET', '/api/v1/registry', undefined, generatedAdminToken)).status).toBe(200);
  });

  it('replaces a file left by an earlier start, and makes it 0600', async () => {
    dir = await mkdtemp(join(tmpdir(), 'jieneng-admin-token-'));
    await writeFile(join(dir, 'admin-token.txt'), 'old\n', { mode: 0o644 });
    const path = await writeAdminTokenFile(dir, 'jn_new');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readFile(path, 'utf8')).toBe('jn_new\n');
  });
});
