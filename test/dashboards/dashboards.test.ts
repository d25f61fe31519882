/**
 * The Grafana dashboards and alert rules as files: they parse, uids are fixed, the files on disk are
 * what `dashboards/build.ts` generates (for Asia/Shanghai; any other TIMEZONE binds everywhere), each
 * query is on its datasource and time-filtered, and what panels name is in their results. The
 * queries themselves run in queries.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { alertFile } from '../../dashboards/alerts.js';
import { ALERTS_FILE, alertsYaml, buildDashboards, parseArgs, ROOT } from '../../dashboards/build.js';
import { MIXED, type PlacedQuery, POSTGRES } from '../../dashboards/grafana.js';
import { DATASOURCE_UID, POSTGRES_UID, ZONE as ZONE_TOKEN } from '../../dashboards/schema.js';
import { variablesIn } from './grafana-macros.js';
import { loadDashboard, panelsOf, queryOf } from './lab.js';

const UIDS = ['jieneng-city', 'jieneng-institution', 'jieneng-quality', 'jieneng-anomalies'];
const built = buildDashboards();
const placed: PlacedQuery[] = built.flatMap((b) => b.queries);
/** `${NAME}`: an environment reference Grafana expands when it provisions. */
const env = (name: string) => `\${${name}}`;
const readYaml = <T = unknown>(path: string): T => parse(readFileSync(join(ROOT, path), 'utf8')) as T;
/** A transformation's options as the JSON holds them. */
const optionsOf = (t: { options?: unknown }) =>
  (t.options ?? {}) as { alias?: string; byField?: string; binary?: { left: string; right: string } };
const isTimeFiltered = (q: string) => /\$timeFilter|\$__timeFilter\(|\$__timeFrom\(\)|\$__timeTo\(\)/.test(q);

describe('dashboard and provisioning files', () => {
  it('has the four dashboards with fixed uids, equal to what build.ts generates (no drift)', () => {
    expect(built.map((b) => b.json.uid)).toEqual(UIDS);
    for (const { json } of built) expect(loadDashboard(json.uid)).toEqual(JSON.parse(JSON.stringify(json)));
    expect(readFileSync(join(ROOT, ALERTS_FILE), 'utf8')).toBe(alertsYaml());
  });

  it('binds TIMEZONE everywhere: dashboards, InfluxQL tz(), SQL local days and months, alert rules', () => {
    const paris = JSON.stringify(buildDashboards('Europe/Paris')) + alertsYaml('Europe/Paris');
    expect(paris).not.toContain('Asia/Shanghai');
    expect(paris).not.toContain(ZONE_TOKEN);
    for (const { json, queries } of buildDashboards('Europe/Paris')) {
      expect(json.timezone).toBe('Europe/Paris');
      for (const q of queries) {
        if (/ GROUP BY time\(/.test(q.spec.text)) expect(q.spec.text).toContain("tz('Europe/Paris')");
        if (q.spec.lang === 'sql' && /AT TIME ZONE/.test(q.spec.text)) expect(q.spec.text).toContain("'Europe/Paris'");
      }
    }
    expect(alertsYaml('Europe/Paris')).toContain("tz('Europe/Paris')");
    expect(parseArgs(['--time-zone', 'Europe/Paris', '--out', '/tmp/x'])).toEqual({
      timeZone: 'Europe/Paris',
      dir: '/tmp/x',
    });
    expect(parseArgs([])).toEqual({ timeZone: 'Asia/Shanghai' });
    expect(() => parseArgs(['--time-zone', 'Mars/Olympus'])).toThrow(/unknown time zone/);
    expect(() => parseArgs(['--time-zone', "x') tz('y"])).toThrow();
  });

  it('provisions the InfluxQL and PostgreSQL datasources from the environment, with the fixed uids', () => {
    const influx = readYaml<{ apiVersion: number; datasources: Record<string, unknown>[] }>(
      'dashboards/provisioning/datasources/influxdb.yml',
    );
    expect(influx.apiVersion).toBe(1);
    expect(influx.datasources).toEqual([
      expect.objectContaining({
        uid: DATASOURCE_UID,
        type: 'influxdb',
        url: env('INFLUX_URL'),
        jsonData: expect.objectContaining({
          version: 'InfluxQL',
          dbName: env('INFLUX_BUCKET'),
          httpHeaderName1: 'Authorization',
        }),
        secureJsonData: { httpHeaderValue1: `Token ${env('INFLUX_TOKEN')}` },
      }),
    ]);
    const postgres = readYaml<{ apiVersion: number; datasources: Record<string, unknown>[] }>(
      'dashboards/provisioning/datasources/postgres.yml',
    );
    expect(postgres.apiVersion).toBe(1);
    expect(postgres.datasources).toEqual([
      expect.objectContaining({
        uid: POSTGRES_UID,
        type: POSTGRES.type,
        url: env('POSTGRES_HOST'),
        user: env('POSTGRES_USER'),
        jsonData: expect.objectContaining({ database: env('POSTGRES_DB') }),
        secureJsonData: { password: env('POSTGRES_PASSWORD') },
      }),
    ]);
    const providers = readYaml('dashboards/provisioning/dashboards/jieneng.yml') as {
      providers: Record<string, never>[];
    };
    expect(providers.providers).toEqual([
      expect.objectContaining({
        type: 'file',
        options: expect.objectContaining({ path: '/var/lib/grafana/dashboards' }),
      }),
    ]);
  });

  it('alert rules: unique uids, queries on the two datasources, expressions refer to what exists', () => {
    const all = readYaml<ReturnType<typeof alertFile>>(ALERTS_FILE).groups.flatMap((g) => g.rules);
    expect(all.map((r) => r.uid)).toEqual(['jieneng-meter-offline', 'jieneng-over-target']);
    for (const rule of all) {
      const refIds = rule.data.map((q) => q.refId);
      expect(refIds).toContain(rule.condition);
      for (const q of rule.data) {
        const m = q.model as { expression?: string; query?: string; rawSql?: string; type?: string };
        if (q.datasourceUid === '__expr__') {
          const refs =
            m.type === 'math' ? [...(m.expression ?? '').matchAll(/\$(\w+)/g)].map((x) => x[1]) : [m.expression];
          for (const ref of refs) expect(refIds.slice(0, refIds.indexOf(q.refId))).toContain(ref);
        } else if (q.datasourceUid === DATASOURCE_UID) {
          expect(q.model).toMatchObject({ rawQuery: true, query: expect.stringContaining('$timeFilter') });
        } else {
          expect(q.datasourceUid).toBe(POSTGRES_UID);
          expect(m.rawSql).toMatch(/^SELECT /);
        }
      }
    }
    // The over-target rule compares with the targets, not with a fixed limit.
    const over = all.find((r) => r.uid === 'jieneng-over-target');
    expect(over?.data.map((q) => q.datasourceUid)).toEqual([
      DATASOURCE_UID,
      POSTGRES_UID,
      POSTGRES_UID,
      '__expr__',
      '__expr__',
      '__expr__',
      '__expr__',
    ]);
  });

  it.each(UIDS)('%s: each query on its datasource, time-filtered, every $variable defined', (uid) => {
    const d = loadDashboard(uid);
    const defined = new Set(d.templating.list.map((v) => v.name));
    for (const panel of panelsOf(d)) {
      if (panel.type === 'text') continue;
      const targets = panel.targets ?? [];
      const uids = new Set(targets.map((t) => t.datasource.uid));
      expect(panel.datasource, panel.title).toEqual(uids.size > 1 ? MIXED : targets[0]?.datasource);
      const texts = [panel.title, panel.description ?? ''];
      for (const t of targets) {
        if ('rawSql' in t) expect(t).toMatchObject({ datasource: POSTGRES, rawQuery: true, editorMode: 'code' });
        else expect(t).toMatchObject({ rawQuery: true, datasource: { uid: DATASOURCE_UID } });
        expect(isTimeFiltered(queryOf(t)), `${panel.title}: ${queryOf(t)}`).toBe(true);
        texts.push(queryOf(t), ('alias' in t ? (t.alias ?? '') : '').replace(/\$tag_\w+/g, ''));
      }
      for (const name of texts.flatMap(variablesIn)) expect(defined, `${panel.title}: $${name}`).toContain(name);
    }
    for (const v of d.templating.list)
      for (const name of variablesIn(String(v.query ?? ''))) expect(defined).toContain(name);
  });

  it.each(UIDS)(
    '%s: fields the panels name (x axis, sorting, overrides, joins, $tag_ aliases) are in their results',
    (uid) => {
      const d = loadDashboard(uid);
      for (const panel of panelsOf(d)) {
        const specs = placed.filter((q) => q.dashboardUid === uid && q.panelTitle === panel.title);
        const transformations = panel.transformations ?? [];
        const names = new Set([
          ...specs.flatMap((q) => [...q.spec.columns, ...(q.spec.lang === 'influxql' ? q.spec.tags : [])]),
          ...transformations.filter((t) => t.id === 'calculateField').map((t) => String(optionsOf(t).alias)),
        ]);
        const options = panel.options as { xField?: string; sortBy?: { displayName: string }[] };
        const used = [
          ...(options.xField === undefined ? [] : [options.xField]),
          ...(options.sortBy ?? []).map((s) => s.displayName),
          ...(panel.fieldConfig?.overrides ?? []).map((o) => String(o.matcher.options)),
          ...transformations.filter((t) => t.id === 'joinByField').map((t) => String(optionsOf(t).byField)),
          ...transformations
            .filter((t) => t.id === 'calculateField')
            .flatMap((t) => [optionsOf(t).binary?.left, optionsOf(t).binary?.right].map(String)),
          ...(panel.targets ?? []).flatMap((t) =>
            [...('alias' in t ? (t.alias ?? '') : '').matchAll(/\$tag_(\w+)/g)].map((m) => m[1] ?? ''),
          ),
        ];
        for (const name of used) expect(names, `${panel.title}: ${name}`).toContain(name);
      }
    },
  );
});
