/**
 * The layout of the statistics forms (公共机构能源资源消费统计调查制度, DOMAIN.md "The statutory
 * year") as a versioned data table: which energies in which order, the unit each is reported in
 * on the forms, and the Chinese names of sheets and columns. **[verify against the official
 * forms]**: nothing here was checked against the 2025 text; change a value only with a new version.
 */
import { DEFAULT_DENSITY_TABLE, type DensityTable, type Energy } from '../domain/energy.js';

/** How one energy is reported on the consumption form. */
export interface FormUnit {
  /** The unit as code, e.g. `kWh`, `t`, `L`. */
  readonly unit: string;
  /** The unit as the form prints it, e.g. `千瓦时`. */
  readonly unitZh: string;
  /** Form units per native unit (1/1000 for kg → t; 1/density for kg → L). */
  readonly perNative: number;
}

/** A revision of the forms' layout. */
export interface StatisticsLayout {
  /** Recorded in every export, e.g. `jieneng.statistics-forms/2025-1`. */
  readonly version: string;
  /** The revision of the statistics system the layout follows. */
  readonly follows: string;
  /** What was and was not checked against the official forms. */
  readonly verification: string;
  /** The density table litres of fuel are converted with. */
  readonly densities: string;
  /** Energies in the order of the consumption form. */
  readonly energies: readonly Energy[];
  readonly units: Readonly<Record<Energy, FormUnit>>;
  /** Sheet names of the XLSX (and section titles of the PDF). */
  readonly sheets: {
    readonly institutions: string;
    readonly byDistrict: string;
    readonly byType: string;
    readonly byNature: string;
    readonly about: string;
  };
  readonly title: string;
}

const litres = (energy: Energy, densities: DensityTable): FormUnit => {
  const kgPerLitre = densities.kgPerLitre[energy];
  if (kgPerLitre === undefined) throw new Error(`no density for ${energy} in ${densities.version}`);
  return { unit: 'L', unitZh: '升', perNative: 1 / kgPerLitre };
};

/**
 * The layout Jieneng prints, after the 2025 revision (国管局, approved by the NBS): the basic
 * information and consumption forms in one table per institution, and the roll-ups by
 * administrative region and by category. Units: electricity in kWh, water in t (= m³), gas in m³,
 * heat and cooling in GJ (百万千焦), oils in litres (DOMAIN.md: "oil in litres"), LPG in kg, steam
 * and coal in t, "other energy" in tce (DOMAIN.md: "already in tce") **[verify each against the
 * official forms; an older form prints electricity in 万千瓦时]**.
 */
export const STATISTICS_LAYOUT_2025: StatisticsLayout = Object.freeze<StatisticsLayout>({
  version: 'jieneng.statistics-forms/2025-1',
  follows: '公共机构能源资源消费统计调查制度（国管局 2025 年修订，国家统计局批准）',
  verification:
    'not verified against the official forms: form order, units, nature codes and column names follow DOMAIN.md and a published older form. ' +
    'Checked against the published notices only: the 2025 revision (国管局 notice of 2025-11-10, ecpi.ggj.gov.cn/tzgg/202511/t20251119_48732.htm) ' +
    "removed 用地面积, 充电桩数量, 可再生能源应用 and UPS装机容量 (none is printed here), renamed the heating form's 热力消费量 to " +
    '热力消费量（按热量收费） (the heating form is not printed here) and limited the survey to institutions in the 公共机构名录库; ' +
    'the 2022 revision (国管节能〔2022〕301号) asks for the 统一社会信用代码 (printed, check digit validated)',
  densities: DEFAULT_DENSITY_TABLE.version,
  energies: [
    'electricity',
    'water',
    'coal',
    'gas',
    'lpg',
    'gasoline',
    'diesel',
    'kerosene',
    'heat',
    'cooling',
    'steam',
    'other',
  ],
  units: Object.freeze({
    electricity: { unit: 'kWh', unitZh: '千瓦时', perNative: 1 },
    water: { unit: 't', unitZh: '吨', perNative: 1 },
    gas: { unit: 'm3', unitZh: '立方米', perNative: 1 },
    heat: { unit: 'GJ', unitZh: '百万千焦', perNative: 1 },
    cooling: { unit: 'GJ', unitZh: '百万千焦', perNative: 1 },
    diesel: litres('diesel', DEFAULT_DENSITY_TABLE),
    gasoline: litres('gasoline', DEFAULT_DENSITY_TABLE),
    kerosene: litres('kerosene', DEFAULT_DENSITY_TABLE),
    steam: { unit: 't', unitZh: '吨', perNative: 0.001 },
    lpg: { unit: 'kg', unitZh: '千克', perNative: 1 },
    coal: { unit: 't', unitZh: '吨', perNative: 0.001 },
    other: { unit: 'tce', unitZh: '吨标准煤', perNative: 0.001 },
  }),
  sheets: {
    institutions: '基本信息及能源资源消费',
    byDistrict: '行政区域汇总',
    byType: '分类汇总',
    byNature: '单位性质汇总',
    about: '说明',
  },
  title: '公共机构能源资源消费统计',
});

/** The layout used when none is named. */
export const DEFAULT_STATISTICS_LAYOUT = STATISTICS_LAYOUT_2025;
