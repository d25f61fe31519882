import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RegistryInputSchema } from '../../core/domain/registry.js';
import { buildFleet } from '../../simulator/fleet.js';
import { simulatorCli } from './run-cli.js';

const cli = simulatorCli;

describe('simulator CLI', () => {
  it('prints its help', async () => {
    const { code, stdout } = await cli('--help');
    expect(code).toBe(0);
    for (const option of [
      '--districts',
      '--institutions',
      '--seed',
      '--interval',
      '--from',
      '--to',
      '--live',
      '--speed',
      '--broker',
      '--registry-out',
      '--api',
      '--token',
    ]) {
      expect(stdout).toContain(option);
    }
  });

  it('writes the registry of the seeded city without publishing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'jieneng-sim-'));
    try {
      const file = join(dir, 'registry.json');
      const { code, stderr } = await cli('--seed', '4', '--registry-out', file, '--no-backfill');
      expect(code).toBe(0);
      expect(stderr).toContain('400 meters');
      const registry = RegistryInputSchema.parse(JSON.parse(await readFile(file, 'utf8')));
      expect(registry).toEqual(buildFleet({ seed: 4, districts: 3, institutions: 40 }).registry);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('pushes the registry with PUT /api/v1/registry and the bearer token', async () => {
    const requests: Array<{ method?: string; url?: string; auth?: string; body: string }> = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        requests.push({ method: req.method, url: req.url, auth: req.headers.authorization, body });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const { code } = await cli(
        '--institutions',
        '5',
        '--districts',
        '2',
        '--api',
        api,
        '--token',
        'T0K3N',
        '--no-backfill',
      );
      expect(code).toBe(0);
      expect(requests).toHaveLength(1);
      expect(requests[0]).toMatchObject({ method: 'PUT', url: '/api/v1/registry', auth: 'Bearer T0K3N' });
      expect(JSON.parse(requests[0]?.body ?? '')).toEqual(
        buildFleet({ seed: 1, districts: 2, institutions: 5 }).registry,
      );
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('refuses an interval outside 60–3600 s', async () => {
    const { code, stderr } = await cli('--interval', '30', '--no-backfill');
    expect(code).not.toBe(0);
    expect(stderr).toContain('--interval');
  });
});
