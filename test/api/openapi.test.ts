import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';

/**
 * Issue 17, item 6 (a typed API): every operation of the OpenAPI document answers a schema for
 * success, and every route declares what it reads. The routes are seen as they are registered
 * (Fastify's `fastify.initialization` diagnostics channel gives each instance before its routes).
 */

interface Operation {
  readonly parameters?: readonly { readonly name: string; readonly in: string }[];
  readonly requestBody?: unknown;
  readonly responses?: Record<string, { readonly content?: Record<string, { readonly schema?: object }> }>;
}
interface Doc {
  readonly paths: Record<string, Record<string, Operation>>;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const JSON_TYPE = 'application/json';

/** What is wrong with an operation's success answers: none, or why. */
function successProblem(op: Operation): string | undefined {
  const success = Object.entries(op.responses ?? {}).filter(([status]) => /^2\d\d$|^2XX$/.test(status));
  if (success.length === 0) return 'no 2xx response';
  for (const [status, response] of success) {
    if (status === '204') continue;
    const content = Object.entries(response.content ?? {});
    if (content.length === 0) return `${status}: no content`;
    for (const [type, media] of content) {
      const schema = media.schema ?? {};
      // A JSON answer needs a real schema; a file (XLSX, PDF, CSV) is declared by its content type.
      if (type === JSON_TYPE && Object.keys(schema).filter((k) => k !== 'description').length === 0)
        return `${status}: empty JSON schema`;
    }
  }
  return undefined;
}

describe('the OpenAPI document (issue 17, item 6)', () => {
  let t: TestPlatform;
  let doc: Doc;
  const routes: RouteOptions[] = [];
  const onInit = (message: unknown) => {
    const { fastify } = message as { fastify: FastifyInstance };
    fastify.addHook('onRoute', (route) => {
      routes.push(route);
    });
  };

  beforeAll(async () => {
    subscribe('fastify.initialization', onInit);
    try {
      t = await startTestPlatform();
    } finally {
      unsubscribe('fastify.initialization', onInit);
    }
    const res = await t.api<Doc>('GET', '/docs/json', undefined, '');
    expect(res.status).toBe(200);
    doc = res.body;
  });

  afterAll(async () => {
    await t?.close();
  });

  it('gives every operation a 2xx answer with a JSON schema or a declared file type', () => {
    const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      METHODS.filter((m) => item[m] !== undefined).map((m) => ({
        name: `${m.toUpperCase()} ${path}`,
        op: item[m] as Operation,
      })),
    );
    expect(operations.length).toBeGreaterThan(60);
    const problems = operations.flatMap(({ name, op }) => {
      const problem = successProblem(op);
      return problem === undefined ? [] : [`${name}: ${problem}`];
    });
    expect(problems).toEqual([]);
  });

  it('documents every request body with a schema', () => {
    const problems: string[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const method of METHODS.filter((m) => item[m]?.requestBody !== undefined)) {
        const body = item[method]?.requestBody as { content?: Record<string, { schema?: object }> };
        const media = Object.entries(body.content ?? {});
        if (media.length === 0) problems.push(`${method} ${path}: no content`);
        for (const [type, m] of media)
          if (Object.keys(m.schema ?? {}).length === 0) problems.push(`${method} ${path}: ${type}: empty schema`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('declares every path parameter of every operation', () => {
    const problems: string[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const method of METHODS.filter((m) => item[m] !== undefined)) {
        const declared = new Set((item[method]?.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name));
        for (const name of inPath) if (!declared.has(name as string)) problems.push(`${method} ${path}: {${name}}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('declares a schema for every part of a request a route reads (query, params, body)', () => {
    const api = routes.filter((r) => r.url.startsWith('/api/v1/') && r.schema?.hide !== true);
    expect(api.length).toBeGreaterThan(60);
    const problems: string[] = [];
    for (const route of api) {
      const source = route.handler.toString();
      const name = `${String(route.method)} ${route.url}`;
      if (/\brequest\.query\b/.test(source) && route.schema?.querystring === undefined)
        problems.push(`${name}: querystring`);
      if (/\brequest\.params\b/.test(source) && route.schema?.params === undefined) problems.push(`${name}: params`);
      if (/\brequest\.body\b/.test(source) && route.schema?.body === undefined) problems.push(`${name}: body`);
      if (route.schema?.response === undefined) problems.push(`${name}: response`);
    }
    expect(problems).toEqual([]);
  });

  it('documents the shared error answer for 4xx', () => {
    const consumption = doc.paths['/api/v1/consumption']?.get;
    const error = consumption?.responses?.['4XX']?.content?.[JSON_TYPE]?.schema as
      | { properties?: Record<string, unknown> }
      | undefined;
    expect(Object.keys(error?.properties ?? {})).toEqual(expect.arrayContaining(['code', 'message', 'details']));
    const query = (consumption?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
    expect(query).toEqual(expect.arrayContaining(['scope', 'from', 'to', 'interval', 'unit']));
  });
});
