import { rm } from 'node:fs/promises';
import { DEFAULT_COEFFICIENT_TABLE } from '../core/domain/energy.js';
import { localToEpochMs } from '../core/domain/time.js';
import { generateReport } from '../core/reports/generate.js';
import type { ReportFormat } from '../core/reports/model.js';
import { parseReportPeriod } from '../core/reports/params.js';
import { renderReport } from '../core/reports/render.js';
import { EmbeddedStore } from '../core/storage/duckdb/embedded-store.js';
import { cityStore } from './city-store.js';
import { seedCost } from './cost-seed.js';
import { type Figure, progress } from './harness.js';

const TIME_ZONE = 'Asia/Shanghai';

/**
 * The monthly city report for 1,000 institutions (10,000 meters, a month of hourly data) in each
 * format, in seconds, beside assembling the report model alone (the store queries and sums).
 */
export async function benchReports(opts: { quick: boolean }): Promise<Figure[]> {
  const institutions = opts.quick ? 100 : 1000;
  const fromMs = localToEpochMs(TIME_ZONE, 2025, 1, 1);
  const city = await cityStore({
    seed: 9,
    districts: 12,
    institutions,
    metersTarget: institutions * 10,
    fromMs,
    hours: (localToEpochMs(TIME_ZONE, 2025, 2, 1) - fromMs) / 3_600_000,
    timeZone: TIME_ZONE,
  });
  const store = await EmbeddedStore.open({ dataDir: city.dataDir, timeZone: TIME_ZONE });
  try {
    const registry = await seedCost(store, await store.loadRegistry(), ['2025-01']);
    const source = {
      store,
      registry: () => registry,
      timeZone: TIME_ZONE,
      coefficients: DEFAULT_COEFFICIENT_TABLE,
      now: () => Date.parse('2025-03-01T00:00:00+08:00'),
    };
    const period = parseReportPeriod('monthly', '2025-01', TIME_ZONE, source.now());
    progress(`reports: city report of ${institutions} institutions`);
    const t0 = performance.now();
    const model = await generateReport(source, period, { level: 'city' });
    const modelS = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    await generateReport(source, period, { level: 'city' }, { figuresOnly: true });
    const figuresS = (performance.now() - t1) / 1000;
    const figures: Figure[] = [
      {
        name: `monthly city report model, ${institutions.toLocaleString('en')} institutions, with cost (time-of-use tariffs; bills for half) and CO₂`,
        value: modelS,
        unit: 's',
        baseline: { name: 'figures only (no cost, CO₂, previous periods)', value: figuresS },
        ratio: figuresS / modelS,
      },
    ];
    for (const format of ['csv', 'xlsx', 'pdf'] as ReportFormat[]) {
      const start = performance.now();
      const rendered = await renderReport(await generateReport(source, period, { level: 'city' }), format, 'zh');
      const seconds = (performance.now() - start) / 1000;
      figures.push({
        name: `monthly city report, ${institutions.toLocaleString('en')} institutions (${city.fleet.meters.length.toLocaleString('en')} meters), ${format.toUpperCase()}`,
        value: seconds,
        unit: 's',
        baseline: { name: 'report model alone (queries and sums)', value: modelS },
        ratio: modelS / seconds,
        note: `${(rendered.body.length / 1024).toFixed(0)} KiB; model of ${model.institutions?.length ?? institutions} institutions`,
      });
    }
    return figures;
  } finally {
    await store.close();
    await rm(city.dataDir, { recursive: true, force: true });
  }
}
