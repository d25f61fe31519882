import type { DuckDBConnection } from '@duckdb/node-api';
import type { Building, District, Gateway, Institution, Meter, Registry } from '../../domain/registry.js';

type Row = Record<string, unknown>;

const str = (v: unknown): string => String(v);
const opt = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : String(v));

async function rows(conn: DuckDBConnection, sql: string): Promise<Row[]> {
  return (await conn.runAndReadAll(sql)).getRowObjectsJS() as Row[];
}

/** Reads the registry from its tables. */
export async function readRegistry(conn: DuckDBConnection): Promise<Registry> {
  const districts: District[] = (await rows(conn, 'SELECT * FROM districts ORDER BY id')).map((r) => ({
    id: str(r.id),
    name: str(r.name),
  }));
  const institutions: Institution[] = (await rows(conn, 'SELECT * FROM institutions ORDER BY id')).map((r) => ({
    id: str(r.id),
    name: str(r.name),
    districtId: str(r.district_id),
    type: str(r.type) as Institution['type'],
    floorAreaM2: Number(r.floor_area_m2),
    occupants: Number(r.occupants),
  }));
  const buildings: Building[] = (await rows(conn, 'SELECT * FROM buildings ORDER BY id')).map((r) => ({
    id: str(r.id),
    institutionId: str(r.institution_id),
    name: str(r.name),
    floorAreaM2: Number(r.floor_area_m2),
  }));
  const gateways: Gateway[] = (await rows(conn, 'SELECT * FROM gateways ORDER BY id')).map((r) => {
    const name = opt(r.name);
    return { id: str(r.id), ...(name === undefined ? {} : { name }), secretHash: str(r.secret_hash) };
  });
  const meters: Meter[] = (await rows(conn, 'SELECT * FROM meters ORDER BY id')).map((r) => {
    const name = opt(r.name);
    const subItem = opt(r.sub_item);
    const modulus = r.register_modulus === null ? undefined : Number(r.register_modulus);
    const direction = opt(r.direction) as Meter['direction'];
    const maxRate =
      r.max_plausible_per_hour === null || r.max_plausible_per_hour === undefined
        ? undefined
        : Number(r.max_plausible_per_hour);
    const installedAt = opt(r.installed_at);
    return {
      id: str(r.id),
      ...(name === undefined ? {} : { name }),
      buildingId: str(r.building_id),
      gatewayId: str(r.gateway_id),
      energy: str(r.energy) as Meter['energy'],
      ...(subItem === undefined ? {} : { subItem }),
      unit: str(r.unit),
      multiplier: Number(r.multiplier),
      ...(modulus === undefined ? {} : { registerModulus: modulus }),
      intervalS: Number(r.interval_s),
      ...(direction === undefined ? {} : { direction }),
      ...(maxRate === undefined ? {} : { maxPlausiblePerHour: maxRate }),
      ...(installedAt === undefined ? {} : { installedAt }),
    };
  });
  return { districts, institutions, buildings, gateways, meters };
}

async function fill(conn: DuckDBConnection, table: string, values: unknown[][]): Promise<void> {
  if (values.length === 0) return;
  const appender = await conn.createAppender(table);
  for (const row of values) {
    for (const v of row) {
      if (v === undefined || v === null) appender.appendNull();
      else if (typeof v === 'number') appender.appendDouble(v);
      else appender.appendVarchar(String(v));
    }
    appender.endRow();
  }
  appender.closeSync();
}

/** Replaces the registry tables' contents. Call inside a transaction. */
export async function writeRegistry(conn: DuckDBConnection, reg: Registry): Promise<void> {
  for (const t of ['meters', 'gateways', 'buildings', 'institutions', 'districts']) await conn.run(`DELETE FROM ${t}`);
  await fill(
    conn,
    'districts',
    reg.districts.map((d) => [d.id, d.name]),
  );
  await fill(
    conn,
    'institutions',
    reg.institutions.map((i) => [i.id, i.name, i.districtId, i.type, i.floorAreaM2, i.occupants]),
  );
  await fill(
    conn,
    'buildings',
    reg.buildings.map((b) => [b.id, b.institutionId, b.name, b.floorAreaM2]),
  );
  await fill(
    conn,
    'gateways',
    reg.gateways.map((g) => [g.id, g.name, g.secretHash]),
  );
  await fill(
    conn,
    'meters',
    reg.meters.map((m) => [
      m.id,
      m.name,
      m.buildingId,
      m.gatewayId,
      m.energy,
      m.subItem,
      m.unit,
      m.multiplier,
      m.registerModulus,
      m.intervalS,
      m.direction,
      m.maxPlausiblePerHour,
      m.installedAt,
    ]),
  );
}
