import ExcelJS from 'exceljs';
import type { RegistryInput } from '../../core/domain/registry.js';
import type { SheetProblem } from '../../core/registry-sheet/problems.js';
import { zipArchive } from '../../core/registry-sheet/zip-guard.js';
import { TEST_ADMIN_TOKEN, type TestPlatform } from '../helpers/platform.js';

/** The content type of an XLSX workbook. */
export const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The answer of an import: counts, or the error envelope with its problems. */
export interface ImportAnswer {
  readonly dryRun?: boolean;
  readonly rows?: Record<string, number>;
  readonly registry?: Record<string, number>;
  readonly code?: string;
  readonly message?: string;
  readonly details?: SheetProblem[];
}

/** POSTs a body to `/api/v1/registry/import` (XLSX content type unless given). */
export async function postImport(
  t: TestPlatform,
  body: Buffer | string,
  options: { query?: string; contentType?: string; token?: string } = {},
): Promise<{ status: number; body: ImportAnswer }> {
  const res = await fetch(`${t.platform.apiUrl}/api/v1/registry/import${options.query ?? ''}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${options.token ?? TEST_ADMIN_TOKEN}`,
      'content-type': options.contentType ?? XLSX,
    },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
  return { status: res.status, body: (await res.json()) as ImportAnswer };
}

/** GETs a workbook route; the body as bytes with the answer's content type. */
export async function getWorkbook(
  t: TestPlatform,
  path: string,
): Promise<{ status: number; type: string; body: Buffer }> {
  const res = await fetch(`${t.platform.apiUrl}${path}`, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    body: Buffer.from(await res.arrayBuffer()),
  };
}

/** Opens a workbook from bytes. */
export async function openWorkbook(body: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(body as unknown as ArrayBuffer);
  return wb;
}

/** Every cell's text of every sheet. */
export function cellTexts(wb: ExcelJS.Workbook): string[] {
  const out: string[] = [];
  for (const ws of wb.worksheets)
    ws.eachRow((row) => {
      row.eachCell((cell) => {
        out.push(cell.text);
      });
    });
  return out;
}

/**
 * The same city behind `count` gateways (bench/memory.ts does the same): each new secret costs
 * one scrypt hash (~50 ms of CPU), which a test cannot afford for ~1,400 gateways.
 */
export function regrouped(registry: RegistryInput, count: number): RegistryInput {
  const ids = Array.from({ length: count }, (_, i) => `gw-${String(i).padStart(3, '0')}`);
  return {
    ...registry,
    gateways: ids.map((id) => ({ id, name: `采集器 ${id}`, secret: `secret-of-${id}` })),
    meters: registry.meters.map((m, i) => ({ ...m, gatewayId: ids[i % count] as string })),
  };
}

/**
 * A zip archive of one entry whose headers claim `declaredSize` bytes, fewer than it inflates to:
 * a zip bomb that lies about its size.
 */
export function lyingZip(name: string, data: Buffer, declaredSize: number): Buffer {
  const zip = zipArchive([{ name, data }]);
  const directory = zip.readUInt32LE(zip.length - 22 + 16);
  zip.writeUInt32LE(declaredSize, 22);
  zip.writeUInt32LE(declaredSize, directory + 24);
  return zip;
}
