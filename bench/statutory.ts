import { rm } from 'node:fs/promises';
import { auditFindings } from '../core/audit/run.js';
import { DEFAULT_COEFFICIENT_TABLE } from '../core/domain/energy.js';
import { localToEpochMs } from '../core/domain/time.js';
import { generateReport } from '../core/reports/generate.js';
import { noticeFor } from '../core/reports/notice.js';
import { renderNotice } from '../core/reports/notice-export.js';
import { parseReportPeriod } from '../core/reports/params.js';
import { statisticsFor } from '../core/statistics/annual.js';
import { renderStatistics } from '../core/statistics/export.js';
import { STATISTICS_LAYOUT_2025 } from '../core/statistics/forms.js';
import { EmbeddedStore } from '../core/storage/duckdb/embedded-store.js';
import { cityStore } from './city-store.js';
import { seedCost } from './cost-seed.js';
import { type Figure, progress } from './harness.js';

const TIME_ZONE = 'Asia/Shanghai';

const seconds = async <T>(fn: () => Promise<T>): Promise<[number, T]> => {
  const start = performance.now();
  const out = await fn();
  return [(performance.now() - start) / 1000, out];
};

/**
 * The statutory year (issue "The statutory year") on a city of 760 institutions (~6,000 meters, a
 * year of hourly data; quick: 60 institutions, one month): the annual statistics forms and the
 * public notice as JSON, XLSX and PDF and the data-audit rules over the year, each beside the monthly city report model of the same
 * store (the baseline).
 */
export async function benchStatutory(opts: { quick: boolean }): Promise<Figure[]> {
  const institutions = opts.quick ? 60 : 760;
  const fromMs = localToEpochMs(TIME_ZONE, 2025, 1, 1);
  const toMs = opts.quick ? localToEpochMs(TIME_ZONE, 2025, 2, 1) : localToEpochMs(TIME_ZONE, 2026, 1, 1);
  const city = await cityStore({
    seed: 11,
    districts: 12,
    institutions,
    metersTarget: Math.round(institutions * 7.86),
    fromMs,
    hours: (toMs - fromMs) / 3_600_000,
    timeZone: TIME_ZONE,
  });
  const store = await EmbeddedStore.open({ dataDir: city.dataDir, timeZone: TIME_ZONE });
  try {
    const months = Array.from({ length: opts.quick ? 1 : 12 }, (_, m) => `2025-${String(m + 1).padStart(2, '0')}`);
    const registry = await seedCost(store, await store.loadRegistry(), months);
    const source = {
      store,
      registry: () => registry,
      timeZone: TIME_ZONE,
      coefficients: DEFAULT_COEFFICIENT_TABLE,
      now: () => Date.parse('2026-03-01T00:00:00+08:00'),
    };
    const size = `${institutions.toLocaleString('en')} institutions, ${city.fleet.meters.length.toLocaleString('en')} meters, ${opts.quick ? 'a month' : 'a year'} of hours`;
    progress(`statutory: ${size}`);
    const month = parseReportPeriod('monthly', '2025-01', TIME_ZONE, source.now());
    const [baseS] = await seconds(() => generateReport(source, month, { level: 'city' }));
    const baseline = { name: 'monthly city report model', value: baseS };
    const figures: Figure[] = [];
    const [noticeS, notice] = await seconds(() => noticeFor(source, { year: '2025', scope: 'city' }));
    figures.push({
      name: `public notice 2025, JSON (${size})`,
      value: noticeS,
      unit: 's',
      baseline,
      ratio: baseS / noticeS,
    });
    for (const format of ['xlsx', 'pdf'] as const) {
      const [s, rendered] = await seconds(async () =>
        renderNotice(await noticeFor(source, { year: '2025', scope: 'city' }), format, 'zh'),
      );
      figures.push({
        name: `public notice 2025, ${format.toUpperCase()} (${size})`,
        value: s,
        unit: 's',
        baseline,
        ratio: baseS / s,
        note: `${(rendered.body.length / 1024).toFixed(0)} KiB; ${notice.groups.length} institution types`,
      });
    }
    const stats = { ...source, defaultGridRegion: 'national' as const };
    const [statsS, model] = await seconds(() => statisticsFor(stats, { year: '2025', scope: 'city' }));
    figures.push({
      name: `annual statistics forms 2025, JSON (${size})`,
      value: statsS,
      unit: 's',
      baseline,
      ratio: baseS / statsS,
    });
    for (const format of ['xlsx', 'pdf'] as const) {
      const [s, rendered] = await seconds(async () =>
        renderStatistics(await statisticsFor(stats, { year: '2025', scope: 'city' }), format, STATISTICS_LAYOUT_2025),
      );
      figures.push({
        name: `annual statistics forms 2025, ${format.toUpperCase()} (${size})`,
        value: s,
        unit: 's',
        baseline,
        ratio: baseS / s,
        note: `${(rendered.body.length / 1024).toFixed(0)} KiB; ${model.institutions.length} institutions`,
      });
    }
    progress('statutory: data-audit rules over 2025');
    const [auditS, audit] = await seconds(() =>
      auditFindings({ ...source, yoyThreshold: 0.2, balanceTolerance: 0.05, billTolerance: 0.02 }, 2025),
    );
    figures.push({
      name: `data-audit rules over 2025 (${size})`,
      value: auditS,
      unit: 's',
      baseline,
      ratio: baseS / auditS,
      note: `${audit.findings.length} findings (no previous year in the store: no year-on-year flags)`,
    });
    return figures;
  } finally {
    await store.close();
    await rm(city.dataDir, { recursive: true, force: true });
  }
}
