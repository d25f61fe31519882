/**
 * The production stack: docker-compose.yml validates (`docker-compose config`, no engine needed),
 * by default and with the `cluster` profile, and mounts provisioning that exists; the services and
 * their key environment are as the README says; the Dockerfile builds the platform. These tests
 * check structure only: no Docker engine runs here, so images are neither built nor started.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '../../dashboards/build.js';
import { mosquittoConf } from '../../ingest/external/mosquitto-config.js';

interface Service {
  image?: string;
  build?: unknown;
  profiles?: string[];
  user?: string;
  command?: string[];
  ports?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}
// `merge`: the ingest workers share their definition through a YAML merge key, as compose reads it.
const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const service = (name: string): Service => compose.services[name] ?? {};
/** Secrets the compose file requires; dummies for validation only. */
const REQUIRED_ENV = {
  INFLUX_TOKEN: 'test-token',
  INFLUX_ADMIN_PASSWORD: 'test-password',
  GF_SECURITY_ADMIN_PASSWORD: 'x',
  POSTGRES_PASSWORD: 'pg-password',
};
const DEFAULT_SERVICES = ['grafana', 'grafana-provisioning', 'influxdb', 'jieneng', 'postgres'];
const CLUSTER_SERVICES = ['ingest-1', 'ingest-2', 'mosquitto', 'mosquitto-config'];
// biome-ignore lint/suspicious/noTemplateCurlyInString: compose interpolation, as written in docker-compose.yml
const METADATA_URL = 'postgres://jieneng:${POSTGRES_PASSWORD}@postgres:5432/jieneng';
/** Volume entries that are host paths (bind mounts), not named volumes. */
const isBind = (v: string) => v.startsWith('./') || v.startsWith('$');

const hasCompose = spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0;
if (!hasCompose)
  console.warn('SKIPPED: docker-compose not installed (apt-get install docker-compose): config not validated');

describe('docker-compose.yml and Dockerfile', () => {
  const run = (env: Record<string, string>, ...args: string[]) =>
    spawnSync('docker-compose', ['-f', 'docker-compose.yml', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      encoding: 'utf8',
    });

  it.skipIf(!hasCompose)('validates with docker-compose config, by default and with the cluster profile', () => {
    for (const profile of [[], ['--profile', 'cluster']]) {
      const ok = run({ ...REQUIRED_ENV, MQTT_PASSWORD: 'mqtt-password' }, ...profile, 'config', '-q');
      expect(ok.stderr, profile.join(' ')).toBe('');
      expect(ok.status, profile.join(' ')).toBe(0);
      // Without the secrets it refuses to start rather than run with empty passwords.
      expect(run({}, ...profile, 'config', '-q').status).not.toBe(0);
    }
    // As compose resolves it: the second worker differs from the first only in its id and volume.
    const resolved = parse(run({ ...REQUIRED_ENV, MQTT_PASSWORD: 'm' }, '--profile', 'cluster', 'config').stdout) as {
      services: Record<string, Service>;
    };
    // docker-compose 1.29 lists every service and keeps `profiles`; `up` starts those of no profile
    // and those of the profiles asked for.
    const inProfile = (p: string | undefined) =>
      Object.entries(resolved.services)
        .filter(([, s]) => s.profiles?.[0] === p)
        .map(([name]) => name)
        .sort();
    expect(inProfile(undefined)).toEqual(DEFAULT_SERVICES);
    expect(inProfile('cluster')).toEqual(CLUSTER_SERVICES);
    const [one, two] = [resolved.services['ingest-1'], resolved.services['ingest-2']];
    expect(two?.environment).toEqual({ ...one?.environment, INGEST_WORKER_ID: 'jieneng-ingest-2' });
    expect(one?.environment?.METADATA_URL).toBe('postgres://jieneng:pg-password@postgres:5432/jieneng');
  });

  it('mounts the provisioning and dashboards that exist at the paths Grafana reads', () => {
    const volumes = service('grafana').volumes ?? [];
    expect(volumes).toContain('./dashboards/provisioning/datasources:/etc/grafana/provisioning/datasources:ro');
    expect(volumes).toContain('./dashboards/provisioning/dashboards:/etc/grafana/provisioning/dashboards:ro');
    // Generated at every `up` for TIMEZONE by the one-shot service, into the volumes Grafana reads.
    expect(volumes).toContain('grafana-alerting:/etc/grafana/provisioning/alerting:ro');
    expect(volumes).toContain('grafana-dashboards:/var/lib/grafana/dashboards:ro');
    const generator = service('grafana-provisioning');
    expect(generator.command).toEqual([
      'npx',
      'tsx',
      'dashboards/build.ts',
      '--time-zone',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: compose interpolation, as written in docker-compose.yml
      '${TIMEZONE:-Asia/Shanghai}',
      '--out',
      '/generated',
    ]);
    expect(generator.volumes).toEqual([
      'grafana-dashboards:/generated/dashboards',
      'grafana-alerting:/generated/alerting',
    ]);
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
    // dashboards/provisioning/datasources/postgres.yml: the metadata database Jieneng uses.
    expect(service('grafana').environment).toMatchObject({
      POSTGRES_HOST: 'postgres:5432',
      POSTGRES_DB: 'jieneng',
      POSTGRES_USER: 'jieneng',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: compose interpolation, as written in docker-compose.yml
      POSTGRES_PASSWORD: '${POSTGRES_PASSWORD}',
    });
    // One zone for the platform, the generated dashboards and Grafana's default.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: compose interpolation, as written in docker-compose.yml
    const zone = '${TIMEZONE:-Asia/Shanghai}';
    expect(service('jieneng').environment?.TIMEZONE).toBe(zone);
    expect(service('grafana').environment?.GF_DATE_FORMATS_DEFAULT_TIMEZONE).toBe(zone);
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

  it('has health checks, waits for healthy InfluxDB and PostgreSQL and keeps data in named volumes', () => {
    expect(service('influxdb').healthcheck?.test).toEqual(['CMD', 'influx', 'ping']);
    expect(service('grafana').healthcheck?.test.join(' ')).toContain('/api/health');
    expect(service('jieneng').healthcheck?.test.join(' ')).toContain('/healthz');
    expect(service('postgres').healthcheck?.test.join(' ')).toContain('pg_isready -U jieneng -d jieneng');
    expect(service('grafana').depends_on).toEqual({
      influxdb: { condition: 'service_healthy' },
      postgres: { condition: 'service_healthy' },
      'grafana-provisioning': { condition: 'service_completed_successfully' },
    });
    expect(service('jieneng').depends_on).toEqual({
      influxdb: { condition: 'service_healthy' },
      postgres: { condition: 'service_healthy' },
    });
    const named = Object.values(compose.services).flatMap((s) =>
      (s.volumes ?? []).filter((v) => !isBind(v)).map((v) => v.split(':')[0]),
    );
    expect([...new Set(named)].sort()).toEqual(Object.keys(compose.volumes).sort());
  });

  it('runs PostgreSQL 16 for the metadata, which Jieneng reaches through METADATA_URL', () => {
    expect(service('postgres').image).toBe('postgres:16');
    expect(service('postgres').environment).toMatchObject({ POSTGRES_USER: 'jieneng', POSTGRES_DB: 'jieneng' });
    expect(service('postgres').environment?.POSTGRES_PASSWORD).toMatch(/^\$\{POSTGRES_PASSWORD:\?/);
    expect(service('postgres').volumes).toEqual(['postgres-data:/var/lib/postgresql/data']);
    expect(service('jieneng').environment?.METADATA_URL).toBe(METADATA_URL);
  });

  it('cluster profile: Mosquitto configured by the generator, two InfluxDB workers sharing PostgreSQL', () => {
    for (const name of DEFAULT_SERVICES) expect(service(name).profiles, name).toBeUndefined();
    for (const name of CLUSTER_SERVICES) expect(service(name).profiles, name).toEqual(['cluster']);
    // The one-shot generator writes where Mosquitto reads its configuration, from the registry file.
    const init = service('mosquitto-config');
    const command = init.command?.join(' ') ?? '';
    expect(command).toContain('npm run mosquitto-config -- --registry /config/registry.json');
    expect(command).toContain('--out /mosquitto/config');
    expect(init.volumes).toContain('mosquitto-config:/mosquitto/config');
    expect(init.volumes?.some((v) => v.endsWith(':/config/registry.json:ro'))).toBe(true);
    expect(service('mosquitto').image).toBe('eclipse-mosquitto:2');
    expect(service('mosquitto').volumes).toEqual(['mosquitto-config:/mosquitto/config']);
    expect(service('mosquitto').depends_on).toEqual({
      'mosquitto-config': { condition: 'service_completed_successfully' },
    });
    // eclipse-mosquitto:2 starts with /mosquitto/config/mosquitto.conf; what it names is beside it.
    const conf = mosquittoConf({ port: 1883, dir: '/mosquitto/config', persistence: true });
    expect(conf).toContain('password_file /mosquitto/config/passwd');
    expect(conf).toContain('acl_file /mosquitto/config/acl');
    const workers = ['ingest-1', 'ingest-2'].map((name) => service(name));
    for (const w of workers) {
      expect(w.environment).toMatchObject({
        MQTT_MODE: 'external',
        MQTT_URL: 'mqtt://mosquitto:1883',
        MQTT_USERNAME: 'jieneng-ingest',
        STORE: 'influx',
        INGEST_WORKERS: '2',
        JOBS: 'off',
        INFLUX_URL: 'http://influxdb:8086',
        METADATA_URL,
      });
      expect(Object.keys(w.depends_on ?? {}).sort()).toEqual(['influxdb', 'mosquitto', 'postgres']);
      expect(w.healthcheck?.test.join(' ')).toContain('/healthz');
    }
    expect(new Set(workers.map((w) => w.environment?.INGEST_WORKER_ID)).size).toBe(2);
    expect(new Set(workers.map((w) => w.volumes?.[0]?.split(':')[0])).size).toBe(2);
    // Gateways reach Mosquitto on another host port than the jieneng service's embedded broker.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: compose interpolation, as written in docker-compose.yml
    expect(service('mosquitto').ports).toEqual(['${MOSQUITTO_PORT:-1884}:1883']);
    expect(service('jieneng').ports).toContain('1883:1883');
  });

  it('Dockerfile: node 24 slim, npm ci, npm start with the InfluxDB store, ports 8080 and 1883', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^FROM node:24-bookworm-slim$/m);
    expect(dockerfile).toMatch(/^RUN npm ci\b/m);
    expect(dockerfile).toMatch(/STORE=influx/);
    expect(dockerfile).toMatch(/^EXPOSE 8080 1883$/m);
    expect(dockerfile).toMatch(/^CMD \["npm", "start"\]$/m);
    // Built at image time: at run time (unprivileged) npm start's prestart finds both up to date.
    expect(dockerfile).toMatch(/^RUN npm run build:web && npm run build:server$/m);
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    // deploy/ holds the registry with the gateways' secrets (cluster profile): never in the image.
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'data', '.env', 'dist', 'deploy']));
  });
});
