/**
 * The production stack: docker-compose.yml validates (`docker-compose config`, no engine needed)
 * and mounts provisioning that exists; the Dockerfile builds the platform as the README says.
 * No Docker engine runs here, so images are neither built nor started.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '../../dashboards/build.js';

interface Service {
  image?: string;
  build?: unknown;
  environment?: Record<string, string>;
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}
const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const service = (name: string): Service => compose.services[name] ?? {};
/** Secrets the compose file requires; dummies for validation only. */
const REQUIRED_ENV = {
  INFLUX_TOKEN: 'test-token',
  INFLUX_ADMIN_PASSWORD: 'test-password',
  GF_SECURITY_ADMIN_PASSWORD: 'x',
};

const hasCompose = spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0;
if (!hasCompose)
  console.warn('SKIPPED: docker-compose not installed (apt-get install docker-compose): config not validated');

describe('docker-compose.yml and Dockerfile', () => {
  it.skipIf(!hasCompose)('validates with docker-compose config', () => {
    const run = (env: Record<string, string>) =>
      spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', ...env },
        encoding: 'utf8',
      });
    const ok = run(REQUIRED_ENV);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    // Without the secrets it refuses to start rather than run with empty passwords.
    expect(run({}).status).not.toBe(0);
  });

  it('mounts the provisioning and dashboards that exist at the paths Grafana reads', () => {
    const volumes = service('grafana').volumes ?? [];
    expect(volumes).toContain('./dashboards/provisioning:/etc/grafana/provisioning:ro');
    expect(volumes).toContain('./dashboards/json:/var/lib/grafana/dashboards:ro');
    for (const v of volumes.filter((v) => v.startsWith('./'))) {
      expect(existsSync(join(ROOT, v.split(':')[0] ?? '')), v).toBe(true);
    }
    for (const dir of ['datasources', 'dashboards', 'alerting']) {
      expect(existsSync(join(ROOT, 'dashboards/provisioning', dir)), dir).toBe(true);
    }
    const provider = readFileSync(join(ROOT, 'dashboards/provisioning/dashboards/jieneng.yml'), 'utf8');
    expect(provider).toContain('path: /var/lib/grafana/dashboards');
  });

  it('gives Grafana the datasource environment and Jieneng the InfluxDB store settings', () => {
    expect(service('influxdb').image).toMatch(/^influxdb:2\.7/);
    expect(service('influxdb').environment).toMatchObject({
      DOCKER_INFLUXDB_INIT_MODE: 'setup',
      DOCKER_INFLUXDB_INIT_BUCKET: 'jieneng',
    });
    expect(service('grafana').image).toMatch(/^grafana\/grafana-oss:/);
    expect(Object.keys(service('grafana').environment ?? {})).toEqual(
      expect.arrayContaining(['INFLUX_URL', 'INFLUX_BUCKET', 'INFLUX_TOKEN', 'GF_SECURITY_ADMIN_PASSWORD']),
    );
    expect(service('jieneng').build).toBe('.');
    expect(service('jieneng').environment).toMatchObject({
      STORE: 'influx',
      INFLUX_URL: 'http://influxdb:8086',
      INFLUX_BUCKET: 'jieneng',
      DEMO: 'off',
    });
    expect(Object.keys(service('jieneng').environment ?? {})).toEqual(
      expect.arrayContaining(['INFLUX_TOKEN', 'INFLUX_ORG']),
    );
  });

  it('has health checks, waits for a healthy InfluxDB and keeps data in named volumes', () => {
    expect(service('influxdb').healthcheck?.test).toEqual(['CMD', 'influx', 'ping']);
    expect(service('grafana').healthcheck?.test.join(' ')).toContain('/api/health');
    expect(service('jieneng').healthcheck?.test.join(' ')).toContain('/healthz');
    for (const name of ['grafana', 'jieneng']) {
      expect(service(name).depends_on).toEqual({ influxdb: { condition: 'service_healthy' } });
    }
    const named = Object.values(compose.services).flatMap((s) =>
      (s.volumes ?? []).filter((v) => !v.startsWith('./')).map((v) => v.split(':')[0]),
    );
    expect(named.sort()).toEqual(Object.keys(compose.volumes).sort());
  });

  it('Dockerfile: node 20 slim, npm ci, npm start with the InfluxDB store, ports 8080 and 1883', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^FROM node:20-bookworm-slim$/m);
    expect(dockerfile).toMatch(/^RUN npm ci\b/m);
    expect(dockerfile).toMatch(/STORE=influx/);
    expect(dockerfile).toMatch(/^EXPOSE 8080 1883$/m);
    expect(dockerfile).toMatch(/^CMD \["npm", "start"\]$/m);
    // Built at image time: at run time (unprivileged) npm start's prestart finds both up to date.
    expect(dockerfile).toMatch(/^RUN npm run build:web && npm run build:server$/m);
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'data', '.env', 'dist']));
  });
});
