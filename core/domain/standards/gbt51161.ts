/**
 * GB/T 51161-2016 "Standard for energy consumption of building": constraint (约束值) and guide
 * (引导值) values of electricity per m² per year for office buildings, by climate zone, with the
 * operating-hours correction γ1 = 0.3 + 0.7 × 2500 / T. All values are [verify] (DOMAIN.md): kept
 * as data, replaceable.
 */
export const GBT_51161_2016 = Object.freeze({
  version: 'GB/T 51161-2016 (office buildings, to verify)',
  /** kWh/(m²·a) for party and government offices, by climate zone. */
  officeKwhPerM2: Object.freeze({
    'severe-cold': { constraint: 70, guide: 50 },
    cold: { constraint: 70, guide: 50 },
    'hot-summer-cold-winter': { constraint: 85, guide: 70 },
    'hot-summer-warm-winter': { constraint: 80, guide: 65 },
    mild: { constraint: 70, guide: 50 },
  }),
  /** Annual operating hours the values assume. */
  referenceHours: 2500,
});

/** Climate zones of GB 50176 used by GB/T 51161. */
export type ClimateZone = keyof typeof GBT_51161_2016.officeKwhPerM2;

/** The operating-hours correction factor for offices: γ1 = 0.3 + 0.7 × 2500 / T. */
export function officeHoursCorrection(annualOperatingHours: number): number {
  return 0.3 + (0.7 * GBT_51161_2016.referenceHours) / annualOperatingHours;
}

/**
 * The default annual electricity intensity target (kWh/m²) of an office in a climate zone, to
 * compare with *measured* consumption: the standard corrects the measured value (E₀ = γ1 × E), so
 * measured consumption meets the value when E ≤ value / γ1.
 */
export function defaultOfficeIntensity(
  zone: ClimateZone,
  level: 'constraint' | 'guide' = 'constraint',
  annualOperatingHours: number = GBT_51161_2016.referenceHours,
): number {
  return GBT_51161_2016.officeKwhPerM2[zone][level] / officeHoursCorrection(annualOperatingHours);
}
