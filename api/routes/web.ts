import { existsSync } from 'node:fs';
import { extname, join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Where `vite build --config web/vite.config.ts` writes the officers' page. */
export const WEB_DIST_DIR = join(import.meta.dirname, '..', '..', 'web', 'dist');

/** Options of `webRoutes`. */
export interface WebOptions {
  /** The built page (default `web/dist`). */
  readonly root?: string;
}

/**
 * The Content-Security-Policy of the page, also the API-wide one (`@fastify/helmet` in app.ts):
 * the page talks to its own origin only; ECharts and the page set inline styles.
 */
export const CSP_DIRECTIVES: Readonly<Record<string, readonly string[]>> = {
  defaultSrc: ["'self'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  styleSrc: ["'self'", "'unsafe-inline'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  frameAncestors: ["'none'"],
};

/** The CSP header value of the directives (`defaultSrc` → `default-src 'self'`). */
export function cspHeader(directives: Readonly<Record<string, readonly string[]>> = CSP_DIRECTIVES): string {
  return Object.entries(directives)
    .map(([name, values]) => `${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} ${values.join(' ')}`)
    .join('; ');
}

const CSP = cspHeader();

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Jieneng</title>
<p>The web page is not built. Run <code>npm run build:web</code> (npm start does it first), then reload.</p>
<p>The API is at <a href="/docs">/docs</a>.</p>`;

/**
 * The officers' web page at `/`: the files Vite built (hashed assets cached for a year, index.html
 * never cached), and index.html for every other page path so that deep links and reloads work
 * (SPA fallback). Paths under `/api` are never answered with the page: they get the API's JSON 404.
 */
export async function webRoutes(app: FastifyInstance, opts: WebOptions = {}): Promise<void> {
  const root = opts.root ?? WEB_DIST_DIR;
  const index = join(root, 'index.html');
  // serve: false: this plugin routes itself, so files built after start (npm run build:web) are served too.
  await app.register(fastifyStatic, { root, serve: false });

  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    const path = `/${(request.params as { '*': string })['*']}`;
    if (path === '/api' || path.startsWith('/api/')) return reply.callNotFound();
    if (extname(path) !== '') {
      const hashed = path.startsWith('/assets/');
      return reply.sendFile(path.slice(1), {
        cacheControl: true,
        maxAge: hashed ? '365d' : 0,
        immutable: hashed,
      });
    }
    if (!existsSync(index)) return reply.status(503).type('text/html; charset=utf-8').send(NOT_BUILT);
    return reply
      .header('cache-control', 'no-cache')
      .header('content-security-policy', CSP)
      .header('x-content-type-options', 'nosniff')
      .sendFile('index.html', { cacheControl: false });
  });
}
