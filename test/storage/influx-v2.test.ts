import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InfluxStore } from '../../core/storage/influx/influx-store.js';
import { H, hour, REGISTRY, reading, T0, TZ } from './contract-fixtures.js';

/**
 * The InfluxDB 2.x/3.x flavour on the wire. No InfluxDB 2.x server can run here (Debian ships
 * 1.x only), so this one is a fake HTTP server that answers like 2.x and records what it is sent;
 * the behaviour of the store itself is covered by the contract suite on a real 1.x server.
 */
interface Recorded {
  method: string;
  path: string;
  params: URLSearchParams;
  authorization: string | undefined;
  body: string;
}

const TOKEN = 'good-token';

function answer(req: Recorded, res: ServerResponse): void {
  const send = (status: number, body?: unknown) => {
    if (body === undefined) res.writeHead(status).end();
    else res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const org = req.params.get('org');
  if (req.path === '/ping') send(204);
  else if (req.authorization !== `Token ${TOKEN}`) send(401, { code: 'unauthorized', message: 'unauthorized access' });
  else if (req.path === '/api/v2/buckets' && org !== 'city')
    send(404, { code: 'not found', message: `organization name "${org}" not found` });
  else if (req.path === '/api/v2/buckets')
    send(200, { buckets: req.params.get('name') === 'energy' ? [{ name: 'energy' }] : [] });
  else if (req.path === '/query') {
    const statements = (new URLSearchParams(req.body).get('q') ?? '').split(';\n');
    send(200, { results: statements.map((_, i) => ({ statement_id: i })) });
  } else if (req.path === '/api/v2/write' && req.body.includes('value=13'))
    send(400, { code: 'invalid', message: 'partial write: field type conflict' });
  else if (req.path === '/api/v2/write' || req.path === '/api/v2/delete') send(204);
  else send(404, { code: 'not found', message: 'no such path' });
}

describe('InfluxStore, InfluxDB 2.x/3.x flavour, on the wire (fake server)', () => {
  let server: Server;
  let url: string;
  const seen: Recorded[] = [];
  const dirs: string[] = [];
  const open = async (token = TOKEN, org = 'city', bucket = 'energy') => {
    const dataDir = await mkdtemp(join(tmpdir(), 'jieneng-influx-v2-'));
    dirs.push(dataDir);
    return InfluxStore.open({
      connection: { api: 'v2', url, token, org, bucket, timeoutMs: 2000 },
      dataDir,
      timeZone: TZ,
      spoolMaxBytes: 1 << 20,
    });
  };

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const u = new URL(req.url ?? '/', 'http://x');
        const rec: Recorded = {
          method: req.method ?? '',
          path: u.pathname,
          params: u.searchParams,
          authorization: req.headers.authorization,
          body: (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8'),
        };
        seen.push(rec);
        answer(rec, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  });
  afterEach(() => {
    seen.length = 0;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('fails fast naming INFLUX_TOKEN, INFLUX_ORG or INFLUX_BUCKET', async () => {
    await expect(open('bad-token')).rejects.toThrow(/^INFLUX_TOKEN: rejected/);
    await expect(open(TOKEN, 'elsewhere')).rejects.toThrow(/^INFLUX_ORG: no organisation "elsewhere"/);
    await expect(open(TOKEN, 'city', 'nope')).rejects.toThrow(
      /^INFLUX_BUCKET: no bucket "nope" in organisation "city"/,
    );
  });

  it('queries InfluxQL with the token and db = bucket, writes through the v2 API, deletes with /api/v2/delete', async () => {
    const store = await open();
    await store.saveRegistry(REGISTRY);
    seen.length = 0;
    await store.replaceHourly(
      [{ meterId: 'light', fromMs: T0, toMs: T0 + 2 * H }],
      [hour('light', T0, 1_000_000)],
      [reading('light', 0, 9)],
    );
    await store.readingWindows([{ meterId: 'light', fromMs: T0, toMs: T0 }], 3);
    await store.close();
    const del = seen.find((r) => r.path === '/api/v2/delete');
    expect(del?.params.get('org')).toBe('city');
    expect(del?.params.get('bucket')).toBe('energy');
    expect(JSON.parse(del?.body ?? '{}')).toEqual({
      start: new Date(T0 + H).toISOString(),
      stop: new Date(T0 + 2 * H - 1).toISOString(),
      predicate: '_measurement="hourly" AND meter="light"',
    });
    const write = seen.find((r) => r.path === '/api/v2/write');
    expect(write?.authorization).toBe(`Token ${TOKEN}`);
    expect(Object.fromEntries(write?.params ?? [])).toMatchObject({ org: 'city', bucket: 'energy', precision: 'ms' });
    expect(write?.body.split('\n')).toEqual([
      `readings,gateway=g1,meter=light value=9,received_ms=${T0 + 5000} ${T0}`,
      expect.stringMatching(
        /^hourly,building=b1,district=d1,energy=electricity,institution=i1,meter=light,sub_item=01A10 amount=1,/,
      ),
    ]);
    expect(seen.indexOf(del as Recorded)).toBeLessThan(seen.indexOf(write as Recorded));
    const query = seen.find((r) => r.path === '/query');
    expect(query?.authorization).toBe(`Token ${TOKEN}`);
    expect(new URLSearchParams(query?.body).get('db')).toBe('energy');
  });

  it('splits a batch InfluxDB refuses until the bad points are found, and dead-letters only those', async () => {
    const store = await open();
    await store.saveRegistry(REGISTRY);
    await store.insertReadings([reading('light', 0, 12), reading('light', 15, 13), reading('light', 30, 14)]);
    expect(store.health().status).toBe('ok');
    const letters = await store.deadLetters(0, T0 + H, 10);
    expect(letters.map((d) => [d.meterId, d.tsMs, d.reason])).toEqual([
      ['light', T0 + 15 * 60_000, 'InfluxDB refused the reading: partial write: field type conflict'],
    ]);
    await store.close();
  });
});
