import type { CellValue } from 'exceljs';
import { describe, expect, it } from 'vitest';
import { readCell, writeCell } from '../../core/registry-sheet/cells.js';
import { type Column, sheetTables } from '../../core/registry-sheet/columns.js';
import { workbookZip, zipArchive } from '../../core/registry-sheet/zip-guard.js';
import { lyingZip } from './helpers.js';

const TZ = 'Asia/Shanghai';
const column = (table: string, key: string): Column => {
  const found = sheetTables()
    .find((t) => t.name === table)
    ?.columns.find((c) => c.key === key);
  if (found === undefined) throw new Error(`no column ${table}.${key}`);
  return found;
};
const read = (value: unknown, table: string, key: string) => readCell(value as CellValue, column(table, key), TZ);

describe('registry sheet cells', () => {
  it('reads numbers typed as numbers or as text, and refuses text that is no number', () => {
    const area = ['institutions', 'floorAreaM2'] as const;
    expect(read(1500.5, ...area)).toEqual({ value: 1500.5 });
    expect(read(' 1,200.5 ', ...area)).toEqual({ value: 1200.5 });
    expect(read('１２００', ...area)).toEqual({ value: 1200 });
    expect(read('1e3', ...area)).toEqual({ value: 1000 });
    expect(read('abc', ...area)).toEqual({ problem: '"abc" is not a number' });
    expect(read('1,20', ...area)).toEqual({ problem: '"1,20" is not a number' });
    expect(read(true, ...area)).toEqual({ problem: '"true" is not a number' });
    expect(read(new Date(0), ...area)).toMatchObject({ problem: expect.stringMatching(/is not a number$/) });
  });

  it('reads text trimmed, ids typed as numbers as text, and empty cells as nothing', () => {
    expect(read('  i-001 ', 'institutions', 'id')).toEqual({ value: 'i-001' });
    expect(read(1001, 'institutions', 'id')).toEqual({ value: '1001' });
    expect(read('   ', 'institutions', 'id')).toBeUndefined();
    expect(read(null, 'institutions', 'id')).toBeUndefined();
    expect(read({ richText: [{ text: '第一' }, { text: '中学' }] }, 'institutions', 'name')).toEqual({
      value: '第一中学',
    });
    expect(read({ text: '网关', hyperlink: 'http://x' }, 'gateways', 'name')).toEqual({ value: '网关' });
    expect(read(new Date(0), 'institutions', 'id')).toMatchObject({
      problem: expect.stringMatching(/^a date where text/),
    });
  });

  it('reads formulas by their cached result, and refuses one without it or an error value', () => {
    expect(read({ formula: 'A1*2', result: 84 }, 'institutions', 'occupants')).toEqual({ value: 84 });
    expect(read({ sharedFormula: 'A1', result: ' i-9 ' }, 'institutions', 'id')).toEqual({ value: 'i-9' });
    expect(read({ formula: 'A1*2' }, 'institutions', 'occupants')).toEqual({
      problem: 'a formula without a computed value: save the file in Excel or paste values',
    });
    expect(read({ error: '#DIV/0!' }, 'institutions', 'occupants')).toEqual({
      problem: 'the cell holds the error #DIV/0!',
    });
  });

  it('reads enums whatever their case, lists split on commas, dates in the platform zone', () => {
    expect(read(' Hospital ', 'institutions', 'type')).toEqual({ value: 'hospital' });
    expect(read('castle', 'institutions', 'type')).toEqual({ value: 'castle' });
    expect(read('m-1, m-2，m-3', 'meters', 'virtual.plus')).toEqual({ value: ['m-1', 'm-2', 'm-3'] });
    const installed = ['meters', 'installedAt'] as const;
    expect(read(new Date(Date.UTC(2025, 5, 1, 8, 0, 30)), ...installed)).toEqual({
      value: '2025-06-01T08:00:30+08:00',
    });
    expect(read('2025-06-01', ...installed)).toEqual({ value: '2025-06-01T00:00:00+08:00' });
    expect(read('2025-06-01T08:00:00Z', ...installed)).toEqual({ value: '2025-06-01T08:00:00Z' });
    expect(read('2025-02-30 08:00', ...installed)).toEqual({ problem: '"2025-02-30 08:00" is not a valid date-time' });
  });

  it('writes numbers as numbers, lists comma-separated and absent fields as empty cells', () => {
    expect(writeCell(80, column('meters', 'multiplier'))).toBe(80);
    expect(writeCell(['m-1', 'm-2'], column('meters', 'virtual.plus'))).toBe('m-1,m-2');
    expect(writeCell([], column('meters', 'virtual.minus'))).toBeNull();
    expect(writeCell(undefined, column('meters', 'name'))).toBeNull();
  });
});

describe('zip guard', () => {
  const limits = { maxEntries: 10, maxInflatedBytes: 2 ** 20 };
  it('accepts a sound archive and names what is wrong with any other body', () => {
    const sound = workbookZip(zipArchive([{ name: 'xl/workbook.xml', data: Buffer.from('<a/>') }]), limits);
    expect('zip' in sound && sound.zip.length).toBeGreaterThan(0);
    const zipProblem = (zip: Buffer, l: typeof limits) => {
      const checked = workbookZip(zip, l);
      return 'problem' in checked ? checked.problem : undefined;
    };
    expect(zipProblem(Buffer.from('garbage, not a zip at all'), limits)).toBe(
      'not an XLSX workbook (an XLSX file is a zip archive)',
    );
    expect(zipProblem(Buffer.from('d0cf11e0a1b11ae1000000000000000000000000000000', 'hex'), limits)).toBe(
      'an encrypted workbook or an old .xls file: save it as .xlsx without a password',
    );
    const whole = zipArchive([{ name: 'a.xml', data: Buffer.from('<a/>') }]);
    expect(zipProblem(whole.subarray(0, whole.length - 10), limits)).toBe(
      'not an XLSX workbook: the zip archive is truncated (no central directory)',
    );
    const many = zipArchive(Array.from({ length: 11 }, (_, i) => ({ name: `${i}.xml`, data: Buffer.from('<a/>') })));
    expect(zipProblem(many, limits)).toBe('the archive has 11 entries, more than 10');
    expect(
      zipProblem(zipArchive([{ name: 'xl/worksheets/sheet1.xml', data: Buffer.alloc(2 ** 20 + 1) }]), limits),
    ).toBe('the workbook inflates to more than 1 MiB');
    const liar = lyingZip('xl/styles.xml', Buffer.alloc(5000), 100);
    expect(zipProblem(liar, limits)).toBe(
      'zip entry "xl/styles.xml": inflates past its declared size, or is not valid deflate data',
    );
    // Parts a workbook reader does not need (images, themes) are neither inflated nor counted.
    expect(
      zipProblem(zipArchive([{ name: 'xl/media/image1.png', data: Buffer.alloc(2 ** 21) }]), limits),
    ).toBeUndefined();
  });
});
