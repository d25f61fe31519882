/**
 * The dashboards are typed by `@grafana/schema`: a panel whose options do not fit its type does
 * not compile. Each `@ts-expect-error` below fails `tsc` (npm run typecheck) if the mistake it
 * marks ever compiles; the test itself only checks the well-formed panels still build.
 */
import { describe, expect, it } from 'vitest';
import { dashboard, type PanelSpec } from '../../dashboards/grafana.js';
import { stat, table } from '../../dashboards/panels/common.js';
import { sql } from '../../dashboards/sql.js';

const query = { spec: sql('SELECT 1 AS one WHERE now() > $__timeFrom()', ['one']), format: 'table' as const };
const good = stat('A stat', query);
const goodTable = table('A table', query);
if (good.type !== 'stat' || goodTable.type !== 'table') throw new Error('unexpected panel types');

const malformed: PanelSpec[] = [
  {
    ...good,
    // @ts-expect-error a stat reduces with a list of calculations, not one
    options: { ...good.options, reduceOptions: { calcs: 'sum' } },
  },
  {
    ...goodTable,
    // @ts-expect-error a table has no x axis (barchart option)
    options: { ...goodTable.options, xField: 'one' },
  },
  {
    ...goodTable,
    // @ts-expect-error a table sorts by a list of { displayName, desc }
    options: { ...goodTable.options, sortBy: 'one' },
  },
  {
    ...good,
    // @ts-expect-error the stat's colour mode is one of Grafana's (value, background, …)
    options: { ...good.options, colorMode: 'rainbow' },
  },
];

describe('typed dashboards (@grafana/schema)', () => {
  it('builds well-formed panels; malformed ones are compile errors', () => {
    const { json } = dashboard({ uid: 't', title: 'T', description: '', variables: [], panels: [good, goodTable] });
    expect(json.panels.map((p) => p.type)).toEqual(['stat', 'table']);
    expect(malformed).toHaveLength(4);
  });
});
