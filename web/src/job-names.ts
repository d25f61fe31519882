/**
 * What each scheduled job does, in Chinese (the API's `description` is English and stays the
 * source for a job this table does not know, e.g. one added later). Keyed by job name
 * (ingest/jobs/).
 */
import { lang } from './i18n.js';

const ZH: Readonly<Record<string, string>> = {
  'detect-hourly':
    '每小时检查最近的数据：离线的采集点、尖峰、读数不变（卡表）、不可信的读数。手动运行时可填“从”“至”（本地日期，“至”不含当天）检查过去的一段日期。',
  'detect-daily':
    '每晚检查前一天：下班后与周末的基础负荷、用水泄漏、持续运行、基础负荷阶跃、主表与分表不平衡、超出天气基线的用能。手动运行时可检查过去的一段日期。',
  'detect-targets':
    '超目标：本月累计加上本月余下的预测超过月度目标；过去的月份在月末以全月合计对比目标。手动运行时可检查过去的一段日期。',
  'data-audit':
    '数据会审：审核一年的数据（默认上一年；手动运行可填 {"year"}）：同比变化、同类离群、建筑面积或用能人数变化、不完整的月份、主分表不平衡、账单与计量不符。',
  'monthly-reports': '上月的全市与各区月报（xlsx、pdf、csv、json），按版本归档。',
  'annual-reports': '上一年的全市与各区年报（xlsx、pdf、csv、json），按版本归档。',
  backup: '备份：存储库、预写日志与报表归档写入 DATA_DIR/backups（保留最近的几份）。',
  rebuild: '重算：按原始读数重新计算每块表的小时能耗，替换与之不同的已存小时数据。',
  'fit-baselines':
    '天气基线：每月按每块表最近 12 个月的用能与所属气象站的气温拟合基线模型（CalTRACK 日模型），保存拟合统计与 ASHRAE 14 结论；手动运行可填 {"from","to","model","scope"}。',
  'cluster-rollups':
    '整理汇总表：把已结束月份的日、月汇总按表重新排序，使单个机构的查询只读自己的数据（只处理上次以来新结束的月份）。',
};

/** The description of job `name` in the page's language. */
export function jobDescription(name: string, apiDescription: string): string {
  return lang() === 'zh' ? (ZH[name] ?? apiDescription) : apiDescription;
}
