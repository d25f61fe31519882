/**
 * Data the fleet builder draws from: district and institution names, and per-type ranges of floor
 * area, staff and consumption intensity. Intensities are plausible values for the hot-summer-
 * cold-winter zone (DOMAIN.md quotes 85/70 kWh/(m²·a) constraint/guide values for offices), not
 * measurements [verify before using them as benchmarks].
 */

/** Districts of Nanjing, used in order; a fleet with more districts repeats them with a number. */
export const DISTRICTS: readonly { readonly id: string; readonly name: string }[] = [
  { id: 'gulou', name: '鼓楼区' },
  { id: 'xuanwu', name: '玄武区' },
  { id: 'qinhuai', name: '秦淮区' },
  { id: 'jianye', name: '建邺区' },
  { id: 'qixia', name: '栖霞区' },
  { id: 'yuhuatai', name: '雨花台区' },
  { id: 'jiangning', name: '江宁区' },
  { id: 'pukou', name: '浦口区' },
  { id: 'liuhe', name: '六合区' },
  { id: 'lishui', name: '溧水区' },
  { id: 'gaochun', name: '高淳区' },
];

/** Institution types the simulator builds, with their share of the fleet. */
export const TYPE_SHARES = { office: 0.4, school: 0.3, hospital: 0.15, venue: 0.15 } as const;

/** A simulated institution type. */
export type SimInstitutionType = keyof typeof TYPE_SHARES;

/** A [min, max) range drawn uniformly. */
export type Range = readonly [number, number];

/** Electricity sub-item classes the simulator meters. */
export type SubItemClass = '01A00' | '01B00' | '01C00' | '01D00';

/** What the builder needs to know about one institution type. */
export interface TypeSpec {
  /** Name stems, prefixed with the district name. */
  readonly names: readonly string[];
  readonly buildingNames: readonly string[];
  /** Total floor area of an institution. */
  readonly floorAreaM2: Range;
  /** Floor area per occupant (staff; students too for schools). */
  readonly m2PerOccupant: Range;
  readonly electricityKwhPerM2: Range;
  /** Share of electricity per sub-item class (renormalised over the classes a building has). */
  readonly electricityShares: Readonly<Record<SubItemClass, number>>;
  /** Chance that the institution has a special-use meter (IT centre, kitchen, stage lighting). */
  readonly specialChance: number;
  readonly specialLabel: string;
  readonly waterM3PerM2: Range;
  /** Chance of a gas meter (hospital boilers, canteens) and its intensity over the institution's area. */
  readonly gasChance: number;
  readonly gasM3PerM2: Range;
  /** Chance that a building has a district-heat meter. */
  readonly heatChance: number;
  readonly heatGjPerM2: Range;
}

/** Per-type facts. */
export const TYPE_SPECS: Readonly<Record<SimInstitutionType, TypeSpec>> = {
  office: {
    names: [
      '行政中心',
      '人民政府',
      '发展和改革委员会',
      '财政局',
      '教育局',
      '税务局',
      '市场监督管理局',
      '住房和城乡建设局',
      '民政局',
      '人力资源和社会保障局',
      '生态环境局',
      '交通运输局',
      '政务服务中心',
      '档案馆',
      '机关事务管理局',
      '统计局',
    ],
    buildingNames: ['主楼', '附楼', '综合楼'],
    floorAreaM2: [5_000, 60_000],
    m2PerOccupant: [20, 35],
    electricityKwhPerM2: [60, 100],
    electricityShares: { '01A00': 0.35, '01B00': 0.38, '01C00': 0.15, '01D00': 0.12 },
    specialChance: 0.4,
    specialLabel: '信息中心',
    waterM3PerM2: [0.6, 1.2],
    gasChance: 0,
    gasM3PerM2: [0, 0],
    heatChance: 0.12,
    heatGjPerM2: [0.1, 0.25],
  },
  school: {
    names: [
      '第一中学',
      '第二中学',
      '实验中学',
      '实验小学',
      '外国语学校',
      '第一小学',
      '中心小学',
      '高级中学',
      '职业技术学校',
      '第三中学',
      '特殊教育学校',
      '第二小学',
    ],
    buildingNames: ['教学楼', '实验楼', '综合楼'],
    floorAreaM2: [8_000, 60_000],
    m2PerOccupant: [6, 12],
    electricityKwhPerM2: [30, 55],
    electricityShares: { '01A00': 0.45, '01B00': 0.25, '01C00': 0.12, '01D00': 0.18 },
    specialChance: 0.6,
    specialLabel: '食堂',
    waterM3PerM2: [0.8, 1.6],
    gasChance: 1, // schools with a canteen (the special meter) cook with gas
    gasM3PerM2: [0.3, 0.8],
    heatChance: 0.05,
    heatGjPerM2: [0.05, 0.15],
  },
  hospital: {
    names: [
      '人民医院',
      '中医院',
      '妇幼保健院',
      '第二人民医院',
      '儿童医院',
      '口腔医院',
      '疾病预防控制中心',
      '社区卫生服务中心',
    ],
    buildingNames: ['门诊楼', '住院楼', '医技楼'],
    floorAreaM2: [15_000, 120_000],
    m2PerOccupant: [40, 70],
    electricityKwhPerM2: [110, 190],
    electricityShares: { '01A00': 0.28, '01B00': 0.4, '01C00': 0.12, '01D00': 0.2 },
    specialChance: 1,
    specialLabel: '医疗设备',
    waterM3PerM2: [1.8, 3.2],
    gasChance: 1,
    gasM3PerM2: [3, 8],
    heatChance: 0.2,
    heatGjPerM2: [0.15, 0.35],
  },
  venue: {
    names: ['体育馆', '图书馆', '博物馆', '文化馆', '美术馆', '大剧院', '体育中心', '科技馆', '游泳馆', '会展中心'],
    buildingNames: ['主馆', '副馆', '综合楼'],
    floorAreaM2: [5_000, 50_000],
    m2PerOccupant: [80, 200],
    electricityKwhPerM2: [60, 120],
    electricityShares: { '01A00': 0.4, '01B00': 0.35, '01C00': 0.1, '01D00': 0.15 },
    specialChance: 0.5,
    specialLabel: '场馆照明',
    waterM3PerM2: [0.3, 0.8],
    gasChance: 0,
    gasM3PerM2: [0, 0],
    heatChance: 0.1,
    heatGjPerM2: [0.1, 0.25],
  },
};

/** Current-transformer ratios (primary/5 A), smallest first. */
export const CT_RATIOS: readonly number[] = [20, 40, 60, 80, 100, 150, 200, 300, 400];

/** Largest current, A, that a meter measures directly (without a CT). */
export const DIRECT_CONNECT_MAX_A = 60;

/** Sub-item classes cycled through when a building gets extra meters (floor zones, plant rooms). */
export const EXTRA_CLASS_CYCLE: readonly SubItemClass[] = ['01A00', '01B00', '01A00', '01C00'];
