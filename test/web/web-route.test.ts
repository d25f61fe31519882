import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installErrorHandler } from '../../api/errors.js';
import { webRoutes } from '../../api/routes/web.js';

/** A Fastify with the API's error handler, an API route and the page served from `root`. */
async function appWith(root: string): Promise<FastifyInstance> {
  const app = Fastify();
  installErrorHandler(app);
  await app.register(async (v1) => v1.get('/ping', async () => ({ ok: true })), { prefix: '/api/v1' });
  await app.register(webRoutes, { root });
  return app;
}

describe('serving the web page (api/routes/web.ts)', () => {
  let dir: string;
  let app: FastifyInstance;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jieneng-web-'));
    await mkdir(join(dir, 'assets'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>page</title>');
    await writeFile(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
    app = await appWith(dir);
  });
  afterAll(async () => {
    await app?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves index.html at / and for every page path (SPA fallback), never cached, with a CSP', async () => {
    for (const url of ['/', '/overview', '/institutions/i-001?view=hour', '/quality']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.body).toContain('<title>page</title>');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
    }
  });

  it('serves hashed assets cached for a year', async () => {
    const res = await app.inject({ url: '/assets/index-abc123.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers['cache-control']).toMatch(/max-age=31536000, immutable/);
  });

  it('never answers /api paths or missing files with the page: the API’s JSON 404', async () => {
    for (const url of ['/api', '/api/v1/nope', '/api/v2/x', '/assets/missing.js', '/../package.json']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json()).toMatchObject({ code: 'JN_NOT_FOUND' });
    }
    expect((await app.inject({ url: '/api/v1/ping' })).json()).toEqual({ ok: true });
  });

  it('says how to build the page when it is not built', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'jieneng-web-empty-'));
    const bare = await appWith(empty);
    try {
      const res = await bare.inject({ url: '/overview' });
      expect(res.statusCode).toBe(503);
      expect(res.body).toContain('npm run build:web');
    } finally {
      await bare.close();
      await rm(empty, { recursive: true, force: true });
    }
  });
});
