/**
 * Chinese public holidays (法定节假日) and make-up workdays (调休上班), 2015–2027, as data (issue 17,
 * item 5). [verify] Source: the State Council's annual notices, 国务院办公厅关于XXXX年部分节假日安排的通知
 * (each year's `notices`, on gov.cn), transcribed from the machine-readable copy kept by
 * NateScarlet/holiday-cn (MIT licence; commit d4e53bf, August 2026). Check a year against its notice
 * before relying on it in a published figure.
 *
 * - Years are calendar years: the late-December days set by the next year's notice (2018-12-29 worked,
 *   2018-12-30/31 and 2022-12-31 off for New Year) are listed under December's year.
 * - Ranges include the weekends a notice joins to a holiday; a rest day is a rest day either way.
 * - 2020: the Spring Festival was extended to 2 February by the notice of 27 January 2020 (COVID-19),
 *   which also cancelled the make-up workday of Saturday 1 February.
 * - 2027 is ESTIMATED from the lunar calendar (Spring Festival 6 Feb, Qingming 5 Apr, Dragon Boat
 *   9 Jun, Mid-Autumn 15 Sep) with no make-up days: replace it when the State Council publishes the
 *   schedule (each November), and bump `CN_HOLIDAYS_VERSION`.
 */

/** Holidays (inclusive `MM-DD` ranges) and make-up workdays (`MM-DD`, weekend days worked) of one year. */
export interface HolidayYear {
  readonly holidays: readonly (readonly [string, string])[];
  readonly workdays: readonly string[];
  /** The notices the year was taken from (gov.cn addresses); none for an estimate. */
  readonly notices?: readonly string[];
  /** True while the year is an estimate, not yet published. */
  readonly estimated?: boolean;
}

/** Holiday years keyed by year. */
export type HolidayTable = Readonly<Record<number, HolidayYear>>;

/**
 * The version of `CN_HOLIDAYS`: the newest notice it includes (the schedule of 2026, published
 * November 2025), and whether a year after it is estimated. Bumped whenever a year is added or corrected.
 */
export const CN_HOLIDAYS_VERSION = '2026-notice+2027-estimate';

/** Chinese public holidays and make-up workdays, 2015–2027 (see the file's comment for sources). */
export const CN_HOLIDAYS: HolidayTable = {
  2015: {
    notices: [
      'http://www.gov.cn/zhengce/zhengceku/2014-12/16/content_9302.htm',
      'http://www.gov.cn/zhengce/zhengceku/2015-05/13/content_9742.htm',
    ],
    holidays: [
      ['01-01', '01-03'], // 元旦 New Year
      ['02-18', '02-24'], // 春节 Spring Festival
      ['04-05', '04-06'], // 清明节 Qingming
      ['05-01', '05-01'], // 劳动节 Labour Day
      ['06-20', '06-22'], // 端午节 Dragon Boat
      ['09-03', '09-05'], // 抗日战争暨世界反法西斯战争胜利70周年纪念日 70th anniversary of the victory of 1945
      ['09-27', '09-27'], // 中秋节 Mid-Autumn
      ['10-01', '10-07'], // 国庆节 National Day
    ],
    workdays: ['01-04', '02-15', '02-28', '09-06', '10-10'],
  },
  2016: {
    notices: ['http://www.gov.cn/zhengce/zhengceku/2015-12/10/content_10394.htm'],
    holidays: [
      ['01-01', '01-01'], // 元旦 New Year
      ['02-07', '02-13'], // 春节 Spring Festival
      ['04-04', '04-04'], // 清明节 Qingming
      ['05-01', '05-02'], // 劳动节 Labour Day
      ['06-09', '06-11'], // 端午节 Dragon Boat
      ['09-15', '09-17'], // 中秋节 Mid-Autumn
      ['10-01', '10-07'], // 国庆节 National Day
    ],
    workdays: ['02-06', '02-14', '06-12', '09-18', '10-08', '10-09'],
  },
  2017: {
    notices: ['http://www.gov.cn/zhengce/zhengceku/2016-12/01/content_5141603.htm'],
    holidays: [
      ['01-01', '01-02'], // 元旦 New Year
      ['01-27', '02-02'], // 春节 Spring Festival
      ['04-02', '04-04'], // 清明节 Qingming
      ['05-01', '05-01'], // 劳动节 Labour Day
      ['05-28', '05-30'], // 端午节 Dragon Boat
      ['10-01', '10-08'], // 中秋节、国庆节 Mid-Autumn and National Day
    ],
    workdays: ['01-22', '02-04', '04-01', '05-27', '09-30'],
  },
  2018: {
    notices: ['http://www.gov.cn/zhengce/zhengceku/2017-11/30/content_5243579.htm'],
    holidays: [
      ['01-01', '01-01'], // 元旦 New Year
      ['02-15', '02-21'], // 春节 Spring Festival
      ['04-05', '04-07'], // 清明节 Qingming
      ['04-29', '05-01'], // 劳动节 Labour Day
      ['06-18', '06-18'], // 端午节 Dragon Boat
      ['09-24', '09-24'], // 中秋节 Mid-Autumn
      ['10-01', '10-07'], // 国庆节 National Day
      ['12-30', '12-31'], // 元旦 New Year
    ],
    workdays: ['02-11', '02-24', '04-08', '04-28', '09-29', '09-30', '12-29'],
  },
  2019: {
    notices: [
      'http://www.gov.cn/zhengce/zhengceku/2018-12/06/content_5346276.htm',
      'http://www.gov.cn/zhengce/zhengceku/2019-03/22/content_5375877.htm',
    ],
    holidays: [
      ['01-01', '01-01'], // 元旦 New Year
      ['02-04', '02-10'], // 春节 Spring Festival
      ['04-05', '04-05'], // 清明节 Qingming
      ['05-01', '05-04'], // 劳动节 Labour Day
      ['06-07', '06-07'], // 端午节 Dragon Boat
      ['09-13', '09-13'], // 中秋节 Mid-Autumn
      ['10-01', '10-07'], // 国庆节 National Day
    ],
    workdays: ['02-02', '02-03', '04-28', '05-05', '09-29', '10-12'],
  },
  2020: {
    notices: [
      'http://www.gov.cn/zhengce/zhengceku/2019-11/21/content_5454164.htm',
      'http://www.gov.cn/zhengce/zhengceku/2020-01/27/content_5472352.htm',
    ],
    holidays: [
      ['01-01', '01-01'], // 元旦 New Year
      ['01-24', '02-02'], // 春节 Spring Festival
      ['04-04', '04-06'], // 清明节 Qingming
      ['05-01', '05-05'], // 劳动节 Labour Day
      ['06-25', '06-27'], // 端午节 Dragon Boat
      ['10-01', '10-08'], // 国庆节、中秋节 National Day and Mid-Autumn
    ],
    workdays: ['01-19', '04-26', '05-09', '06-28', '09-27', '10-10'],
  },
  2021: {
    notices: ['http://www.gov.cn/zhengce/zhengceku/2020-11/25/content_5564127.htm'],
    holidays: [
      ['01-01', '01-03'], // 元旦 New Year
      ['02-11', '02-17'], // 春节 Spring Festival
      ['04-03', '04-05'], // 清明节 Qingming
      ['05-01', '05-05'], // 劳动节 Labour Day
      ['06-12', '06-14'], // 端午节 Dragon Boat
      ['09-19', '09-21'], // 中秋节 Mid-Autumn
      ['10-01', '10-07'], // 国庆节 National Day
    ],
    workdays: ['02-07', '02-20', '04-25', '05-08', '09-18', '09-26', '10-09'],
  },
  2022: {
    notices: ['http://www.gov.cn/zhengce/zhengceku/2021-10/25/content_5644835.htm'],
    holidays: [
      ['01-01', '01-03'], // 元旦 New Year
      ['01-31', '02-06'], // 春节 Spring Festival
      ['04-03', '04-05'], // 清明节 Qingming
      ['04-30', '05-04'], // 劳动节 Labour Day
      ['06-03', '06-05'], // 端午节 Dragon Boat
      ['09-10', '09-12'], // 中秋节 Mid-Autumn
      ['10-01', '10-07'], // 国庆节 National Day
      ['12-31', '12-31'], // 元旦 New Year
    ],
    workdays: ['01-29', '01-30', '04-02', '04-24', '05-07', '10-08', '10-09'],
  },
  2023: {
    notices: ['http://www.gov.cn/zhengce/zhengceku/2022-12/08/content_5730844.htm'],
    holidays: [
      ['01-01', '01-02'], // 元旦 New Year
      ['01-21', '01-27'], // 春节 Spring Festival
      ['04-05', '04-05'], // 清明节 Qingming
      ['04-29', '05-03'], // 劳动节 Labour Day
      ['06-22', '06-24'], // 端午节 Dragon Boat
      ['09-29', '10-06'], // 中秋节、国庆节 Mid-Autumn and National Day
    ],
    workdays: ['01-28', '01-29', '04-23', '05-06', '06-25', '10-07', '10-08'],
  },
  2024: {
    notices: ['https://www.gov.cn/zhengce/zhengceku/202310/content_6911528.htm'],
    holidays: [
      ['01-01', '01-01'], // 元旦 New Year
      ['02-10', '02-17'], // 春节 Spring Festival
      ['04-04', '04-06'], // 清明节 Qingming
      ['05-01', '05-05'], // 劳动节 Labour Day
      ['06-10', '06-10'], // 端午节 Dragon Boat
      ['09-15', '09-17'], // 中秋节 Mid-Autumn
      ['10-01', '10-07'], // 国庆节 National Day
    ],
    workdays: ['02-04', '02-18', '04-07', '04-28', '05-11', '09-14', '09-29', '10-12'],
  },
  2025: {
    notices: ['https://www.gov.cn/zhengce/zhengceku/202411/content_6986383.htm'],
    holidays: [
      ['01-01', '01-01'], // 元旦 New Year
      ['01-28', '02-04'], // 春节 Spring Festival
      ['04-04', '04-06'], // 清明节 Qingming
      ['05-01', '05-05'], // 劳动节 Labour Day
      ['05-31', '06-02'], // 端午节 Dragon Boat
      ['10-01', '10-08'], // 国庆节、中秋节 National Day and Mid-Autumn
    ],
    workdays: ['01-26', '02-08', '04-27', '09-28', '10-11'],
  },
  2026: {
    notices: ['https://www.gov.cn/zhengce/zhengceku/202511/content_7047091.htm'],
    holidays: [
      ['01-01', '01-03'], // 元旦 New Year
      ['02-15', '02-23'], // 春节 Spring Festival
      ['04-04', '04-06'], // 清明节 Qingming
      ['05-01', '05-05'], // 劳动节 Labour Day
      ['06-19', '06-21'], // 端午节 Dragon Boat
      ['09-25', '09-27'], // 中秋节 Mid-Autumn
      ['10-01', '10-07'], // 国庆节 National Day
    ],
    workdays: ['01-04', '02-14', '02-28', '05-09', '09-20', '10-10'],
  },
  2027: {
    estimated: true,
    holidays: [
      ['01-01', '01-03'], // 元旦 New Year
      ['02-05', '02-11'], // 春节 Spring Festival
      ['04-03', '04-05'], // 清明节 Qingming
      ['05-01', '05-05'], // 劳动节 Labour Day
      ['06-09', '06-09'], // 端午节 Dragon Boat
      ['09-15', '09-15'], // 中秋节 Mid-Autumn
      ['10-01', '10-07'], // 国庆节 National Day
    ],
    workdays: [],
  },
};
