/**
 * Chinese labels of the registry workbook's sheets and columns. The columns themselves come from
 * the schemas (columns.ts); a column without a label here is shown by its key, so a field added
 * to a schema is never lost for want of a label.
 */

/** Chinese names of the registry tables (sheets). */
const TABLES: Readonly<Record<string, string>> = Object.freeze({
  districts: '区县',
  institutions: '公共机构',
  buildings: '建筑',
  gateways: '采集器',
  meters: '计量表',
});

/** Chinese labels by column key (the same key means the same thing in every table). */
const COLUMNS: Readonly<Record<string, string>> = Object.freeze({
  id: '编号',
  name: '名称',
  districtId: '所属区县编号',
  institutionId: '所属机构编号',
  buildingId: '所属建筑编号',
  gatewayId: '采集器编号',
  type: '机构类型',
  floorAreaM2: '建筑面积(m²)',
  occupants: '用能人数',
  secret: '接入密钥',
  energy: '能源类型',
  subItem: '分项编码',
  unit: '计量单位',
  multiplier: '倍率(CT/PT)',
  registerModulus: '表码模数',
  intervalS: '采集间隔(秒)',
  direction: '计量方向',
  maxPlausiblePerHour: '每小时最大合理用量',
  installedAt: '安装时间',
  registeredAt: '登记时间',
  parentId: '上级表编号',
  reading: '抄读方式',
  'virtual.plus': '虚拟表加项',
  'virtual.minus': '虚拟表减项',
  gridRegion: '电网区域',
  creditCode: '统一社会信用代码',
  nature: '单位性质',
  accountNo: '户号',
  attribution: '历史归属(平台记录)',
  weatherStationId: '气象站编号',
});

/** Notes (zh, en) for columns whose type and bounds do not say enough. */
const NOTES: Readonly<Record<string, readonly [string, string]>> = Object.freeze({
  'gateways.secret': [
    '仅用于新采集器或更换密钥；导出文件不含密钥，留空则保留现有密钥',
    'only for a new gateway or a new secret; never exported; empty keeps the current secret',
  ],
  'meters.unit': ['须与能源类型相符，见下方“单位”表', 'must fit the energy: see the table of units below'],
  'meters.subItem': ['仅电表；见下方“分项编码”表', 'electricity meters only: see the sub-item codes below'],
  'meters.registeredAt': [
    '由平台登记时填写，导入时忽略',
    'set by the platform when first registered; ignored on import',
  ],
  'meters.installedAt': [
    '带时区，如 2025-01-01T00:00:00+08:00；日期单元格按平台时区读取',
    'with offset, e.g. 2025-01-01T00:00:00+08:00; a date cell is read in the platform time zone',
  ],
  'meters.parentId': ['同建筑、同能源的上级表（总表）', 'the main meter above this one: same building and energy'],
  'meters.virtual.plus': ['逗号分隔的表编号', 'meter ids, comma-separated'],
  'meters.virtual.minus': ['逗号分隔的表编号', 'meter ids, comma-separated'],
});

/** The Chinese name of a table, or its key. */
export function tableLabel(table: string): string {
  return TABLES[table] ?? table;
}

/** The Chinese label of a column key, or the key itself when it has none. */
export function columnLabel(key: string): string {
  return COLUMNS[key] ?? key;
}

/** A note on a column of a table, in Chinese and English, when there is one. */
export function columnNote(table: string, key: string): readonly [string, string] | undefined {
  return NOTES[`${table}.${key}`];
}
