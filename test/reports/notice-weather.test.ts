/**
 * The public notice with weather-normalised year-on-year changes (issue 18, item 4) on a real
 * platform (DuckDB, Fastify): `GET /api/v1/reports/notice?…&normalize=weather`. A building that
 * follows its degree days drops ~30 % raw from a cold year to a mild one and ~0 % normalised;
 * institutions without a station or without weather are listed and get no normalised change.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Notice } from '../../core/reports/notice.js';
import { seedDistrict } from '../comparison/normalize-district.js';
import { startTestPlatform, TEST_ADMIN_TOKEN, type TestPlatform } from '../helpers/platform.js';

const TZ = 'Asia/Shanghai';
let t: TestPlatform;

beforeAll(async () => {
  t = await startTestPlatform({ TIMEZONE: TZ });
  await seedDistrict(t, TZ);
}, 180_000);

afterAll(async () => {
  await t?.close();
});

const noticeOf = async (query: string) => {
  const res = await t.api<Notice>('GET', `/api/v1/reports/notice?${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};
const entry = (n: Notice, metric: string, id: string) =>
  n.groups
    .flatMap((g) => g.indicators)
    .find((i) => i.metric === metric)
    ?.entries.find((e) => e.institutionId === id);

describe('GET /api/v1/reports/notice?normalize=weather (issue 18, item 4)', () => {
  it("gives each institution's change with its year under last year's weather, and lists those it cannot", async () => {
    const n = await noticeOf('year=2022&scope=district:cam&normalize=weather');
    expect(n.partial).toBe(false);
    for (const metric of ['kgce_per_m2', 'kgce_per_person']) {
      const lab = entry(n, metric, 'lab');
      expect(lab?.yoyChange, metric).toBeLessThan(-0.2);
      expect(Math.abs(lab?.yoyChangeNormalized ?? 1), metric).toBeLessThan(0.01);
      // Without a station, or with one that holds nothing: the raw change only.
      expect(entry(n, metric, 'dark')?.yoyChangeNormalized).toBeNull();
      expect(entry(n, metric, 'fresh')?.yoyChangeNormalized).toBeNull();
      expect(entry(n, metric, 'dark')?.yoyChange).toBe(lab?.yoyChange);
    }
    expect(n.weatherNormalization).toMatchObject({ referenceYear: 2021, normalizedInstitutions: 1 });
    expect(
      Object.fromEntries(
        (n.weatherNormalization?.notNormalized ?? []).map((x) => [x.institutionId, [x.energy, x.code]]),
      ),
    ).toEqual({ dark: ['gas', 'JN_NORMALIZE_NO_STATION'], fresh: ['gas', 'JN_NORMALIZE_TOO_FEW_DAYS'] });
  }, 120_000);

  it('answers as before without normalize, and 400s naming normalize otherwise', async () => {
    const n = await noticeOf('year=2022&scope=district:cam');
    expect(n.weatherNormalization).toBeUndefined();
    expect(entry(n, 'kgce_per_m2', 'lab')).not.toHaveProperty('yoyChangeNormalized');
    const bad = await t.api<{ code: string; details: { path: string }[] }>(
      'GET',
      '/api/v1/reports/notice?year=2022&scope=district:cam&normalize=normal',
    );
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('JN_REQUEST_INVALID');
    expect(bad.body.details.map((d) => d.path)).toEqual(['normalize']);
  }, 60_000);

  it('adds the normalised column and the note to the XLSX, in Chinese and English', async () => {
    for (const [lang, header, note] of [
      ['zh', '气候修正同比 (%)', '未能气候修正'],
      ['en', 'Year on year, weather-normalised (%)', 'Not weather-normalised'],
    ] as const) {
      const res = await fetch(
        `${t.platform.apiUrl}/api/v1/reports/notice?year=2022&scope=district:cam&normalize=weather&format=xlsx&lang=${lang}`,
        { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } },
      );
      expect(res.status).toBe(200);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as never);
      const sheet = wb.worksheets[0];
      if (sheet === undefined) throw new Error('no sheet');
      const headers = (sheet.getRow(1).values as unknown[]).map(String);
      expect(headers, lang).toContain(header);
      const about = wb.worksheets.at(-1);
      const texts: string[] = [];
      about?.eachRow((row) => {
        texts.push((row.values as unknown[]).map(String).join(' '));
      });
      expect(texts.join('\n'), lang).toContain(note);
      expect(texts.join('\n'), lang).toContain('JN_NORMALIZE_NO_STATION');
    }
  }, 120_000);
});
