/** Labels of the savings-project exports (issue 18, item 3), Chinese and English. */
import type { ReportLang } from '../reports/model.js';

/** Every label an export prints. */
export interface SavingsLabels {
  readonly title: string;
  readonly summary: string;
  readonly item: string;
  readonly value: string;
  readonly scope: string;
  readonly energy: string;
  readonly station: string;
  readonly baselinePeriod: string;
  readonly reportingPeriod: string;
  readonly model: string;
  readonly n: string;
  readonly ashrae: string;
  readonly baselineSteps: string;
  readonly reportingSteps: string;
  readonly used: string;
  readonly missingTemperature: string;
  readonly incomplete: string;
  readonly unpredictable: string;
  readonly baseline: string;
  readonly actual: string;
  readonly savings: string;
  readonly fsu: string;
  readonly uncertainty: string;
  readonly significant: string;
  readonly yuan: string;
  readonly kgceBasis: string;
  readonly kgco2Basis: string;
  readonly yuanBasis: string;
  readonly none: string;
  readonly yes: string;
  readonly no: string;
  readonly excludedNote: string;
  readonly months: string;
  readonly month: string;
  readonly steps: string;
  readonly adjustments: string;
  readonly kind: string;
  readonly constant: string;
  readonly percent: string;
  readonly from: string;
  readonly to: string;
  readonly reason: string;
  readonly applied: string;
  readonly by: string;
}

const ZH: SavingsLabels = {
  title: '节能量测量与验证',
  summary: '概要',
  item: '项目',
  value: '数值',
  scope: '范围',
  energy: '能源品种',
  station: '气象站',
  baselinePeriod: '基准期',
  reportingPeriod: '报告期',
  model: '基准模型',
  n: '样本数 n',
  ashrae: '符合 ASHRAE 14',
  baselineSteps: '基准期步长',
  reportingSteps: '报告期步长',
  used: '已用',
  missingTemperature: '缺气温',
  incomplete: '能耗不完整',
  unpredictable: '无法预测',
  baseline: '调整后基准能耗',
  actual: '实际能耗',
  savings: '节能量',
  fsu: '节能量相对不确定度 (90%)',
  uncertainty: '不确定度 ±(90%)',
  significant: '节能量显著',
  yuan: '元',
  kgceBasis: '折标系数',
  kgco2Basis: '排放因子',
  yuanBasis: '价格依据',
  none: '无',
  yes: '是',
  no: '否',
  excludedNote: '缺少气温或能耗不完整（缺测、估算、可疑）的日或小时不参与计算，只计数，不补值。',
  months: '逐月',
  month: '月份',
  steps: '步数',
  adjustments: '非常规调整',
  kind: '类型',
  constant: '定值（每日）',
  percent: '百分比',
  from: '起',
  to: '止',
  reason: '原因',
  applied: '调整量',
  by: '记录',
};

const EN: SavingsLabels = {
  title: 'Savings measurement and verification',
  summary: 'Summary',
  item: 'Item',
  value: 'Value',
  scope: 'Scope',
  energy: 'Energy',
  station: 'Weather station',
  baselinePeriod: 'Baseline period',
  reportingPeriod: 'Reporting period',
  model: 'Baseline model',
  n: 'Observations n',
  ashrae: 'Meets ASHRAE 14',
  baselineSteps: 'Baseline steps',
  reportingSteps: 'Reporting steps',
  used: 'used',
  missingTemperature: 'no temperature',
  incomplete: 'incomplete consumption',
  unpredictable: 'unpredictable',
  baseline: 'Adjusted baseline',
  actual: 'Actual',
  savings: 'Savings',
  fsu: 'Fractional savings uncertainty (90 %)',
  uncertainty: 'Uncertainty ± (90 %)',
  significant: 'Savings significant',
  yuan: 'yuan',
  kgceBasis: 'Standard coal coefficient',
  kgco2Basis: 'Emission factors',
  yuanBasis: 'Prices',
  none: 'none',
  yes: 'yes',
  no: 'no',
  excludedNote:
    'Days or hours without a temperature or with incomplete consumption (missing, estimated, suspect) are left out and counted, never filled in.',
  months: 'Months',
  month: 'Month',
  steps: 'Steps',
  adjustments: 'Non-routine adjustments',
  kind: 'Kind',
  constant: 'constant (per day)',
  percent: 'percent',
  from: 'From',
  to: 'To',
  reason: 'Reason',
  applied: 'Applied',
  by: 'Recorded',
};

/** The labels by language. */
export const SAVINGS_LABELS: Readonly<Record<ReportLang, SavingsLabels>> = Object.freeze({ zh: ZH, en: EN });
