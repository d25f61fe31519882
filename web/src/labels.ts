/** Names of domain codes (energies, sub-items, anomaly types) in the page's language, and number formats. */
import { ENERGIES, SUB_ITEM_NAMES } from './codes.js';
import { lang, t } from './i18n.js';
import type { Energy, Registry } from './types.js';
import { isFigureUnit, unitSymbol } from './units.js';

const ANOMALY_TYPES: Readonly<Record<string, readonly [zh: string, en: string]>> = {
  over_target: ['预计超目标', 'Projected over target'],
  after_hours: ['非工作时间用能', 'After-hours use'],
  spike: ['突增', 'Spike'],
  flat: ['读数不变', 'Flat line'],
  offline: ['离线', 'Offline'],
  continuous: ['持续运行', 'Running continuously'],
  leak: ['疑似漏水', 'Possible leak'],
  step: ['基础负荷突变', 'Base-load step'],
  implausible: ['不合理跳变', 'Implausible jump'],
  weather_baseline: ['超出天气基线', 'Above weather baseline'],
  imbalance: ['总分表不平衡', 'Main/sub-meter imbalance'],
};

/** Chinese names of the evidence fields detectors record (the English key is shown too). */
const EVIDENCE_ZH: Readonly<Record<string, string>> = {
  observed: '实际值',
  expected: '预期值',
  forecast: '预测值',
  bandLow: '正常下限',
  bandHigh: '正常上限',
  unit: '单位',
  method: '方法',
  status: '状态',
  historyDays: '历史天数',
  monthToDate: '月初至今',
  forecastRest: '剩余预测',
  target: '目标',
  overShare: '超出比例',
  note: '说明',
  parent: '总表',
  children: '分表合计',
  difference: '差值',
  share: '差值占比',
  tolerance: '允许偏差',
  childIds: '分表',
  days: '天数',
  meanTemperatureC: '平均气温 °C',
  intervalPerDay: '每日预测区间',
  confidence: '置信度',
  model: '基线模型',
  cvrmse: 'CV(RMSE)',
  baselineFrom: '基线起',
  baselineTo: '基线止',
};

/** An evidence field's label. */
export function evidenceKey(key: string): string {
  const zh = EVIDENCE_ZH[key];
  return lang() === 'zh' && zh !== undefined ? `${zh} ${key}` : key;
}

/** Anomaly types the filters offer (the API accepts any string). */
export const ANOMALY_TYPE_CODES = Object.keys(ANOMALY_TYPES);

/** An energy type's name, e.g. 电 / Electricity; `all` is the kgce total. */
export function energyName(energy: string): string {
  if (energy === 'all') return t('total');
  const info = ENERGIES[energy];
  if (info === undefined) return energy;
  return lang() === 'zh' ? info.nameZh : info.nameEn;
}

/** An energy's native unit as shown (m3 → m³). */
export function nativeUnit(energy: string): string {
  const unit = ENERGIES[energy]?.nativeUnit ?? '';
  return unit.replace('m3', 'm³').replace('m2', 'm²');
}

/** Shows a unit from the API (`kgce/m2` → `kgce/m²`, `kgco2` → `kgCO₂`, `yuan` → 元). */
export function showUnit(unit: string): string {
  const [base = '', ...per] = unit.split('/');
  const shown = isFigureUnit(base) ? unitSymbol(base) : base;
  return [shown, ...per].join('/').replace('m3', 'm³').replace('m2', 'm²');
}

/** Whether an energy is added into the kgce total (water is not). */
export function countsAsEnergy(energy: Energy): boolean {
  return ENERGIES[energy]?.countsAsEnergy ?? true;
}

/** A sub-item's name, e.g. 空调用电 (01B00). */
export function subItemName(code: string): string {
  const info = SUB_ITEM_NAMES[code];
  if (info === undefined) return code;
  return `${lang() === 'zh' ? info.nameZh : info.nameEn} (${code})`;
}

/** An anomaly type's name. */
export function anomalyTypeName(type: string): string {
  const names = ANOMALY_TYPES[type];
  return names === undefined ? type : names[lang() === 'zh' ? 0 : 1];
}

/** A scope (`institution:ID`, `meter:ID`, …) named from the registry. */
export function scopeName(scope: string, registry: Registry): string {
  const [kind, id] = scope.split(':');
  if (kind === 'city') return t('city');
  const list =
    kind === 'district' ? registry.districts : kind === 'institution' ? registry.institutions : registry.buildings;
  const found = (list as readonly { id: string; name: string }[]).find((x) => x.id === id);
  if (found !== undefined) return found.name;
  if (kind === 'meter') return `${t('meter')} ${id}`;
  return scope;
}

/** A number in the page's language with at most `digits` decimals. */
export function num(value: number, digits = 1): string {
  return new Intl.NumberFormat(lang() === 'zh' ? 'zh-CN' : 'en-GB', { maximumFractionDigits: digits }).format(value);
}

/** A share 0..1 as a percentage. */
export function pct(share: number | null | undefined): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return '—';
  return `${num(share * 100, 1)} %`;
}

/** A timestamp in local time, `YYYY-MM-DD HH:mm` (the API's ISO strings carry their offset). */
export function when(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return '—';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
