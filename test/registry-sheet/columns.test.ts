import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EnergySchema } from '../../core/domain/energy.js';
import {
  BuildingSchema,
  DistrictSchema,
  GatewayInputSchema,
  InstitutionSchema,
  MeterSchema,
} from '../../core/domain/registry.js';
import { deriveColumns, sheetTables } from '../../core/registry-sheet/columns.js';
import { columnLabel } from '../../core/registry-sheet/labels.js';

const column = (table: string, key: string) =>
  sheetTables()
    .find((t) => t.name === table)
    ?.columns.find((c) => c.key === key);

describe('registry sheet columns from the zod schemas', () => {
  it('has one sheet per registry table and one column per field of its schema', () => {
    const schemas = {
      districts: DistrictSchema,
      institutions: InstitutionSchema,
      buildings: BuildingSchema,
      gateways: GatewayInputSchema,
      meters: MeterSchema,
    };
    expect(sheetTables().map((t) => t.name)).toEqual(Object.keys(schemas));
    for (const table of sheetTables()) {
      const fields = [...new Set(table.columns.map((c) => c.path[0]))];
      expect(fields, table.name).toEqual(Object.keys(schemas[table.name as keyof typeof schemas].shape));
    }
  });

  it('knows each column kind, whether it is required, its default, options and bounds', () => {
    expect(column('institutions', 'floorAreaM2')).toEqual({
      key: 'floorAreaM2',
      path: ['floorAreaM2'],
      kind: 'number',
      required: true,
      nested: false,
      bounds: ['> 0'],
      writeOnly: false,
    });
    expect(column('institutions', 'occupants')).toMatchObject({ kind: 'integer', bounds: ['≥ 0'] });
    expect(column('institutions', 'type')).toMatchObject({
      kind: 'enum',
      options: ['office', 'school', 'hospital', 'venue', 'other'],
    });
    expect(column('meters', 'energy')).toMatchObject({ kind: 'enum', required: true, options: EnergySchema.options });
    expect(column('meters', 'intervalS')).toMatchObject({
      kind: 'integer',
      required: false,
      defaultValue: 900,
      bounds: ['≥ 1', '≤ 86400'],
    });
    expect(column('meters', 'installedAt')).toMatchObject({ kind: 'datetime', required: false });
    expect(column('gateways', 'secret')).toMatchObject({ kind: 'text', required: true, writeOnly: true });
    expect(column('districts', 'id')).toMatchObject({ kind: 'text', bounds: ['1–64 characters'] });
  });

  it('picks up fields added to a schema: nested objects as a.b, lists, booleans, defaults', () => {
    const grown = MeterSchema.safeExtend({
      tariff: z.object({ zone: z.enum(['peak', 'valley']), shares: z.array(z.string()).optional() }).optional(),
      commissioned: z.boolean().default(true),
      readings: z.array(z.object({ ts: z.string() })).optional(),
    });
    const known = new Set(Object.keys(MeterSchema.shape));
    const added = deriveColumns('meters', grown).filter((c) => !known.has(c.path[0] as string));
    expect(added.map(({ key, kind, required, nested, options }) => ({ key, kind, required, nested, options }))).toEqual(
      [
        { key: 'tariff.zone', kind: 'enum', required: true, nested: true, options: ['peak', 'valley'] },
        { key: 'tariff.shares', kind: 'list', required: false, nested: true, options: undefined },
        { key: 'commissioned', kind: 'boolean', required: false, nested: false, options: undefined },
        { key: 'readings', kind: 'json', required: false, nested: false, options: undefined },
      ],
    );
    expect(added.find((c) => c.key === 'commissioned')?.defaultValue).toBe(true);
  });

  it('labels columns in Chinese, and a column without a label by its key', () => {
    expect(columnLabel('floorAreaM2')).toBe('建筑面积(m²)');
    expect(columnLabel('virtual.plus')).toBe('虚拟表加项');
    expect(columnLabel('tariff.zone')).toBe('tariff.zone');
  });
});
