/**
 * The instructions sheet of the registry workbook, in Chinese and English: the import rules,
 * every column of every sheet (from the schemas), energies with their units and the sub-item codes
 * (from the domain tables), so that the sheet stays true as the registry grows.
 */
import type ExcelJS from 'exceljs';
import { ENERGY_INFO, type Energy } from '../domain/energy.js';
import { SUB_ITEMS } from '../domain/sub-items.js';
import { METER_UNITS } from '../domain/units.js';
import type { Column, ColumnKind, SheetTable } from './columns.js';
import { columnLabel, columnNote, tableLabel } from './labels.js';
import { DEFAULT_READ_LIMITS, IMPORT_BODY_LIMIT_BYTES } from './read.js';

/** The name of the instructions sheet (ignored on import). */
export const INSTRUCTIONS_SHEET = '说明 instructions';

const KIND_LABELS: Readonly<Record<ColumnKind, string>> = {
  text: '文本 text',
  number: '数字 number',
  integer: '整数 integer',
  boolean: '是/否 true/false',
  enum: '枚举 one of',
  datetime: '时间 date-time',
  list: '列表(逗号分隔) list, comma-separated',
  json: 'JSON',
};

const MiB = 2 ** 20;

/** The import rules, each as [zh, en]. */
function rules(tables: readonly SheetTable[]): [string, string][] {
  const names = tables.map((t) => t.name).join(', ');
  const { maxRowsPerSheet, maxInflatedBytes } = DEFAULT_READ_LIMITS;
  return [
    [
      `每个表一个工作表，工作表名即表名（${names}）；其他工作表忽略，缺少的工作表视为没有记录。`,
      `One sheet per table, named as the table (${names}); other sheets are ignored, a missing one has no rows.`,
    ],
    [
      '第 1 行为中文列名，第 2 行为列键；导入按列键（第 1–5 行中含 id 的一行）识别列，顺序不限；列键处为空或中文（如“备注”）的列忽略，未知的英文列键为错误。',
      'Row 1: Chinese labels; row 2: column keys. Import finds columns by key (the row of rows 1–5 with an "id" cell), in any order; a column whose key cell is empty or not a key (e.g. 备注) is ignored, an unknown key is a problem.',
    ],
    [
      '数据从列键行的下一行开始；空行忽略；单元格首尾空白忽略。',
      'Data starts below the key row; empty rows are skipped; cells are trimmed.',
    ],
    [
      '按编号新增或替换整条记录（与 PUT /api/v1/registry 相同）：留空的选填列即清除该字段；工作簿中没有的记录不变，不删除记录。',
      'Rows are upserted by id, each replacing the whole record as PUT /api/v1/registry does: an empty optional cell clears the field; records not in the workbook stay; nothing is deleted.',
    ],
    [
      '全部或全不：有任何错误则不导入，并列出全部错误（工作表、行号、列键）。?dryRun=true 只校验。',
      'All or nothing: with any problem nothing is applied, and every problem is listed (sheet, row number, column key). ?dryRun=true only validates.',
    ],
    [
      '数字可填数字或文本（如 1,200）；列表用逗号分隔；公式取 Excel 保存的计算结果；合并单元格只有左上角有值，其余视为空，数据区请勿合并。',
      'Numbers as number cells or text (e.g. 1,200); lists comma-separated; a formula counts by the result Excel saved; a merged cell holds its value in the top-left cell only (the others read as empty): do not merge data cells.',
    ],
    [
      '采集器密钥从不导出；导入时留空则保留原密钥，新采集器须填写。',
      'Gateway secrets are never exported; an empty secret keeps the stored one; a new gateway needs one.',
    ],
    [
      '时间带时区（ISO 8601，如 2025-01-01T00:00:00+08:00）；日期单元格或不带时区的时间按平台时区读取。',
      "Times with an offset (ISO 8601, e.g. 2025-01-01T00:00:00+08:00); a date cell or a time without offset is read in the platform's time zone.",
    ],
    [
      `上限：文件 ${IMPORT_BODY_LIMIT_BYTES / MiB} MiB，解压后 ${maxInflatedBytes / MiB} MiB，每个工作表 ${maxRowsPerSheet} 行。`,
      `Limits: ${IMPORT_BODY_LIMIT_BYTES / MiB} MiB per file, ${maxInflatedBytes / MiB} MiB inflated, ${maxRowsPerSheet} rows per sheet.`,
    ],
  ];
}

function requiredText(column: Column, nestedIn: string): string {
  if (column.writeOnly) return '新增时必填 for new rows';
  if (!column.required || column.defaultValue !== undefined) return '';
  return column.nested ? `填写 ${nestedIn}.* 时必填 when ${nestedIn}.* is given` : '必填 required';
}

/** One line per column: table, key, label, required, type, default, allowed values, notes. */
function columnLines(tables: readonly SheetTable[]): string[][] {
  return tables.flatMap((table) =>
    table.columns.map((c) => {
      const note = columnNote(table.name, c.key) ?? ['', ''];
      return [
        `${tableLabel(table.name)} ${table.name}`,
        c.key,
        columnLabel(c.key),
        requiredText(c, c.path.slice(0, -1).join('.')),
        KIND_LABELS[c.kind],
        c.defaultValue === undefined ? '' : JSON.stringify(c.defaultValue),
        [...(c.options === undefined ? [] : [c.options.join(' | ')]), ...c.bounds].join('; '),
        note[0],
        note[1],
      ];
    }),
  );
}

/** Adds the instructions sheet to a workbook. */
export function addInstructions(wb: ExcelJS.Workbook, tables: readonly SheetTable[]): void {
  const ws = wb.addWorksheet(INSTRUCTIONS_SHEET);
  ws.columns = [22, 22, 18, 20, 20, 10, 40, 40, 50].map((width) => ({ width }));
  const heading = (text: string) => {
    ws.addRow([]);
    ws.addRow([text]).font = { bold: true, size: 12 };
  };
  ws.addRow(['节能登记表 · Jieneng registry workbook']).font = { bold: true, size: 14 };
  heading('导入规则 Import rules');
  for (const [zh, en] of rules(tables)) {
    ws.addRow([zh]);
    ws.addRow([en]).font = { color: { argb: 'FF555555' } };
  }
  heading('列 Columns');
  ws.addRow([
    '表 table',
    '列键 column',
    '中文名 label',
    '必填 required',
    '类型 type',
    '默认 default',
    '允许值与范围 allowed',
    '说明',
    'note',
  ]).font = { bold: true };
  for (const line of columnLines(tables)) ws.addRow(line);
  heading('能源与单位 Energies and units (meters.energy, meters.unit)');
  ws.addRow(['energy', '中文', 'English', '代码 code', '单位 units (第一个为基本单位 native first)']).font = {
    bold: true,
  };
  for (const [energy, units] of Object.entries(METER_UNITS)) {
    const info = ENERGY_INFO[energy as Energy] as (typeof ENERGY_INFO)[Energy] | undefined;
    const native = info?.nativeUnit;
    const ordered = [
      ...Object.keys(units).filter((u) => u === native),
      ...Object.keys(units).filter((u) => u !== native),
    ];
    ws.addRow([energy, info?.nameZh ?? '', info?.nameEn ?? '', info?.code ?? '', ordered.join(', ')]);
  }
  heading('电分项编码 Electricity sub-item codes (meters.subItem)');
  ws.addRow(['code', '中文', 'English']).font = { bold: true };
  for (const [code, item] of Object.entries(SUB_ITEMS)) ws.addRow([code, item.nameZh, item.nameEn]);
}
