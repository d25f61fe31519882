/**
 * The Grafana dashboards and alert rules: files parse, uids are fixed, the files on disk are what
 * `dashboards/build.ts` generates, and every panel, variable and alert query runs against a real
 * InfluxDB (Debian's influxd 1.x, InfluxQL) loaded with simulator data, returning the columns the
 * panel uses. Grafana itself cannot run here: its macro and variable substitution is reproduced
 * in grafana-macros.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ALERT_QUERIES, alertFile } from '../../dashboards/alerts.js';
import { ALERTS_FILE, buildDashboards, ROOT } from '../../dashboards/build.js';
import type { PlacedQuery } from '../../dashboards/grafana.js';
import { DATASOURCE_UID } from '../../dashboards/schema.js';
import { influxdSkipReason } from '../helpers/influxd.js';
import { kgceOf } from './fixture.js';
import { variablesIn } from './grafana-macros.js';
import { byTag, column, type Lab, loadDashboard, panelsOf, startLab } from './lab.js';

const UIDS = ['jieneng-city', 'jieneng-institution', 'jieneng-quality', 'jieneng-anomalies'];
const built = buildDashboards();
const placed: PlacedQuery[] = built.flatMap((b) => b.queries);
/** `${NAME}`: an environment reference Grafana expands when it provisions. */
const env = (name: string) => `\${${name}}`;
const readYaml = <T = unknown>(path: string): T => parse(readFileSync(join(ROOT, path), 'utf8')) as T;

describe('dashboard and provisioning files', () => {
  it('has the four dashboards with fixed uids, equal to what build.ts generates (no drift)', () => {
    expect(built.map((b) => b.json.uid)).toEqual(UIDS);
    for (const { json } of built) expect(loadDashboard(json.uid)).toEqual(JSON.parse(JSON.stringify(json)));
    expect(readYaml(ALERTS_FILE)).toEqual(JSON.parse(JSON.stringify(alertFile())));
  });

  it('provisions the InfluxQL datasource from the environment, with the fixed uid', () => {
    const ds = readYaml<{ apiVersion: number; datasources: Record<string, unknown>[] }>(
      'dashboards/provisioning/datasources/influxdb.yml',
    );
    expect(ds.apiVersion).toBe(1);
    expect(ds.datasources).toEqual([
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

  it('alert rules: unique uids, datasource queries on jieneng-influx, conditions and expressions resolve', () => {
    const file = readYaml<ReturnType<typeof alertFile>>(ALERTS_FILE);
    const rules = file.groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.uid)).toEqual(['jieneng-meter-offline', 'jieneng-over-target']);
    for (const rule of rules) {
      const refIds = rule.data.map((q) => q.refId);
      expect(refIds).toContain(rule.condition);
      for (const q of rule.data) {
        if (q.datasourceUid === '__expr__') expect(refIds).toContain(q.model.expression);
        else {
          expect(q.datasourceUid).toBe(DATASOURCE_UID);
          expect(q.model).toMatchObject({ rawQuery: true, query: expect.stringContaining('$timeFilter') });
        }
      }
    }
  });

  it.each(UIDS)('%s: panels on jieneng-influx, every query time-filtered, every $variable defined', (uid) => {
    const d = loadDashboard(uid);
    const defined = new Set(d.templating.list.map((v) => v.name));
    for (const panel of panelsOf(d)) {
      if (panel.type === 'row' || panel.type === 'text') continue;
      expect(panel.datasource?.uid).toBe(DATASOURCE_UID);
      const texts = [panel.title, panel.description ?? ''];
      for (const t of panel.targets ?? []) {
        expect(t).toMatchObject({ rawQuery: true, datasource: { uid: DATASOURCE_UID } });
        expect(t.query).toContain('$timeFilter');
        texts.push(t.query, (t.alias ?? '').replace(/\$tag_\w+/g, ''));
      }
      for (const name of texts.flatMap(variablesIn)) expect(defined, `${panel.title}: $${name}`).toContain(name);
    }
    for (const v of d.templating.list) for (const name of variablesIn(v.query)) expect(defined).toContain(name);
  });

  it.each(UIDS)(
    '%s: fields the panels name (x axis, sorting, overrides, $tag_ aliases) are in their results',
    (uid) => {
      const d = loadDashboard(uid);
      for (const panel of panelsOf(d)) {
        const specs = placed.filter((q) => q.dashboardUid === uid && q.panelTitle === panel.title);
        const names = new Set(specs.flatMap((q) => [...q.spec.columns, ...q.spec.tags]));
        const options = (panel.options ?? {}) as { xField?: string; sortBy?: { displayName: string }[] };
        const used = [
          ...(options.xField === undefined ? [] : [options.xField]),
          ...(options.sortBy ?? []).map((s) => s.displayName),
          ...(panel.fieldConfig?.overrides ?? []).map((o) => o.matcher.options),
          ...(panel.targets ?? []).flatMap((t) => [...(t.alias ?? '').matchAll(/\$tag_(\w+)/g)].map((m) => m[1] ?? '')),
        ];
        for (const name of used) expect(names, `${panel.title}: ${name}`).toContain(name);
      }
    },
  );
});

// Skipped with a warning where influxd is missing; an error in CI, which installs it.
const noInfluxd = influxdSkipReason();

describe.skipIf(noInfluxd !== undefined)('every query against a real InfluxDB loaded with simulator data', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab();
  });
  afterAll(async () => {
    await lab?.close();
  });

  const expectShape = (series: readonly { columns: readonly string[]; tags?: object }[], q: PlacedQuery['spec']) => {
    expect(series.length).toBeGreaterThan(0);
    for (const s of series) {
      expect(s.columns).toEqual(['time', ...q.columns]);
      for (const tag of q.tags) expect(Object.keys(s.tags ?? {})).toContain(tag);
    }
    const values = q.columns.flatMap((c) => column(series as never, c));
    expect(values.some((v) => v !== null)).toBe(true);
  };

  it.each(placed.map((q) => [`${q.dashboardUid} · ${q.panelTitle} · ${q.refId}`, q] as const))('%s', async (_, q) => {
    const series = await lab.runPanel(q.dashboardUid, q.panelTitle, q.refId);
    expectShape(series, q.spec);
  });

  it('variables: SHOW TAG VALUES lists the institutions, districts, energies, types and statuses', async () => {
    const { registry } = lab.fixture.fleet;
    const city = await lab.variables(loadDashboard('jieneng-city'));
    expect(city.district?.value).toEqual(registry.districts.map((d) => d.id).sort());
    const anomalies = await lab.variables(loadDashboard('jieneng-anomalies'));
    expect(anomalies.institution?.value).toEqual(registry.institutions.map((i) => i.id).sort());
    expect(anomalies.type?.value).toEqual(['after_hours_base_load', 'spike']);
    expect(anomalies.status?.value).toEqual(['open', 'resolved']);
    const d = loadDashboard('jieneng-institution');
    const vars = await lab.variables(d);
    expect(vars.institution).toEqual({ value: lab.fixture.focusInstitution, regexFormatted: false });
    const energyQuery = d.templating.list.find((v) => v.name === 'energy')?.query ?? '';
    const energies = column(await lab.run(energyQuery, vars), 'value');
    expect(energies).toEqual(['electricity', 'gas', 'heat', 'water']);
  });

  it.each(ALERT_QUERIES.map((q) => [q.ruleUid, q] as const))('alert %s: query A runs', async (_, q) => {
    const rule = alertFile()
      .groups.flatMap((g) => g.rules)
      .find((r) => r.uid === q.ruleUid);
    const model = rule?.data.find((d) => d.refId === q.refId)?.model as { query: string };
    expectShape(await lab.run(model.query, {}), q.spec);
  });

  it('city: kgce totals and the ranking equal the simulator consumption × GB/T 2589 coefficients', async () => {
    const { hourly } = lab.fixture;
    const [total] = column(await lab.runPanel('jieneng-city', 'Energy (kgce)'), 'kgce') as number[];
    expect(total).toBeCloseTo(kgceOf(hourly), 3);
    const water = column(await lab.runPanel('jieneng-city', 'Water (m³)'), 'amount')[0] as number;
    expect(water).toBeCloseTo(
      hourly.filter((r) => r.energy === 'water').reduce((s, r) => s + r.amount, 0),
      3,
    );
    const ranking = byTag(await lab.runPanel('jieneng-city', 'Ranking by energy (kgce)'), 'institution', 'kgce');
    expect([...ranking.keys()].sort()).toEqual(lab.fixture.fleet.registry.institutions.map((i) => i.id).sort());
    for (const [inst, kgce] of ranking)
      expect(kgce).toBeCloseTo(kgceOf(hourly.filter((r) => r.institution === inst)), 3);
  });

  it('institution: intensity uses floor_area_m2; kgce by energy leaves water out', async () => {
    const { fixture } = lab;
    const focus = fixture.hourly.filter((r) => r.institution === fixture.focusInstitution);
    const area = fixture.floorAreaM2.get(fixture.focusInstitution) ?? 0;
    const intensity = column(await lab.runPanel('jieneng-institution', 'Energy intensity (kgce/m²)'), 'kgce_per_m2');
    expect(intensity[0] as number).toBeCloseTo(kgceOf(focus) / area, 6);
    const byEnergy = await lab.runPanel('jieneng-institution', 'Energy per day by energy type (kgce)');
    expect(byEnergy.map((s) => s.tags?.energy).sort()).toEqual(['electricity', 'gas', 'heat']);
  });

  it('data quality: the silent gateway’s meters are listed; completeness and invalid counts add up', async () => {
    const { fixture } = lab;
    const silent = await lab.runPanel('jieneng-quality', 'Meters not reporting (no reading for $offline_after)');
    expect(silent.map((s) => s.tags?.meter).sort()).toEqual([...fixture.offlineMeters].sort());
    expect(column(await lab.runPanel('jieneng-quality', 'Meters not reporting'), 'meters')).toEqual([
      fixture.offlineMeters.length,
    ]);
    const completeness = byTag(
      await lab.runPanel('jieneng-quality', 'Completeness per institution'),
      'institution',
      'completeness_pct',
    );
    for (const [inst, pct] of completeness) {
      if (inst === fixture.focusInstitution) expect(pct).toBeLessThan(100);
      else expect(pct).toBeCloseTo(100, 9);
    }
    const invalid = column(await lab.runPanel('jieneng-quality', 'Readings flagged invalid'), 'invalid_readings');
    expect(invalid).toEqual([fixture.invalidReadings]);
  });

  it('alerts: the offline rule fires for exactly the silent meters; the monthly rule sees each institution', async () => {
    const [offline, monthly] = ALERT_QUERIES;
    // B = last(A) per series, C = B < 1 (the rule's reduce and threshold expressions).
    const a = await lab.run(offline?.spec.text ?? '', {});
    const firing = a.filter((s) => Number(s.values.at(-1)?.[1]) < 1).map((s) => s.tags?.meter);
    expect(firing.sort()).toEqual([...lab.fixture.offlineMeters].sort());
    const perInstitution = byTag(await lab.run(monthly?.spec.text ?? '', {}), 'institution', 'kgce');
    expect(perInstitution.size).toBe(lab.fixture.fleet.registry.institutions.length);
  });
});
