/**
 * Relative load shapes: how hard a kind of load runs at a local hour of a day, for each type of
 * institution. Dimensionless; `profiles.ts` scales them to each meter's annual consumption.
 * The numbers are plausible guesses for the demo, not measured curves.
 */
import type { Energy } from '../core/domain/energy.js';
import type { InstitutionType } from '../core/domain/registry.js';
import { type DayInfo, temperatureC } from './calendar.js';

/** What a meter measures, as far as its shape is concerned. */
export type LoadKind = 'lighting' | 'hvac' | 'power' | 'special' | 'water' | 'gas' | 'heat';

/** The load kind of a meter from its energy type and electricity sub-item. */
export function loadKindOf(energy: Energy, subItem: string | undefined): LoadKind {
  if (energy === 'water') return 'water';
  if (energy === 'gas') return 'gas';
  if (energy === 'heat' || energy === 'steam') return 'heat';
  const cls = subItem?.slice(0, 3);
  if (cls === '01B') return 'hvac';
  if (cls === '01C') return 'power';
  if (cls === '01D') return 'special';
  return 'lighting';
}

/** 0 before a, ramps to 1 at b, 1 until c, ramps to 0 at d (hours). */
export function trapezoid(h: number, a: number, b: number, c: number, d: number): number {
  if (h <= a || h >= d) return 0;
  if (h < b) return (h - a) / (b - a);
  if (h <= c) return 1;
  return (d - h) / (d - c);
}

/** Cooling demand, 0 below 22 °C, 1 at 28 °C and above that linearly. */
function coolingDemand(tempC: number): number {
  return Math.max(0, tempC - 22) / 6;
}

/** Heating demand, 0 above 12 °C, 1 at 4 °C and above that linearly. */
function heatingDemand(tempC: number): number {
  return Math.max(0, 12 - tempC) / 8;
}

function isSchoolDay(day: DayInfo): boolean {
  return day.kind === 'workday' && !day.schoolVacation;
}

/** Share of the building in use, 0..1. */
export function occupancy(type: InstitutionType, day: DayInfo, h: number): number {
  switch (type) {
    case 'hospital': {
      // 24/7 wards, plus outpatients on workdays and fewer on rest days.
      const outpatient = day.kind === 'workday' ? 1 : day.kind === 'weekend' ? 0.6 : 0.45;
      return 0.45 + 0.45 * outpatient * trapezoid(h, 7, 8, 17, 18.5) + 0.1 * trapezoid(h, 18, 19, 21.5, 22.5);
    }
    case 'school': {
      if (!isSchoolDay(day)) return 0.05 * trapezoid(h, 8, 9, 16, 17);
      // Lessons, then evening self-study (晚自习) at a third of the building.
      return trapezoid(h, 6.75, 7.5, 16.75, 17.75) + 0.35 * trapezoid(h, 18.25, 18.5, 21, 21.5);
    }
    case 'venue': {
      // Museums and libraries close on Mondays except on holidays; busiest on rest days.
      if (day.weekday === 1 && day.kind !== 'holiday') return 0.03 * trapezoid(h, 8, 9, 17, 18);
      const crowd = day.kind === 'holiday' ? 1.3 : day.kind === 'weekend' ? 1.15 : 0.8;
      return crowd * trapezoid(h, 8.5, 9, 20.5, 21.5);
    }
    default: {
      // Offices (and "other"): 08:30–17:30 with a lunch dip and some overtime.
      if (day.kind !== 'workday') return (day.kind === 'weekend' ? 0.08 : 0.04) * trapezoid(h, 8.5, 9.5, 16.5, 17.5);
      const lunchDip = 1 - 0.3 * trapezoid(h, 11.75, 12, 13.25, 13.5);
      return trapezoid(h, 7.5, 8.5, 17.5, 19.5) * lunchDip + 0.08 * trapezoid(h, 17.5, 19.5, 20.5, 21.5);
    }
  }
}

/** Whether air conditioning runs, 0..1 (pre-cooling half an hour before opening). */
function hvacSchedule(type: InstitutionType, day: DayInfo, h: number): number {
  switch (type) {
    case 'hospital':
      return 1;
    case 'school':
      return isSchoolDay(day) ? trapezoid(h, 7, 7.5, 17, 17.5) : 0.03;
    case 'venue':
      return day.weekday === 1 && day.kind !== 'holiday' ? 0.03 : trapezoid(h, 8, 8.5, 21, 21.5);
    default:
      return day.kind === 'workday' ? trapezoid(h, 7.5, 8, 17.5, 18) : 0.05 * trapezoid(h, 8.5, 9.5, 16.5, 17.5);
  }
}

function mealPeaks(h: number): number {
  return 0.5 * trapezoid(h, 6, 6.5, 7.5, 8) + trapezoid(h, 10, 10.5, 12.5, 13) + 0.7 * trapezoid(h, 16, 16.5, 18, 18.5);
}

/**
 * Relative rate of a load kind at local hour `h` (0 ≤ h < 24) of a day. Always > 0 for
 * electricity, water and gas (standby); heat is 0 outside the heating season.
 */
export function relativeRate(type: InstitutionType, kind: LoadKind, day: DayInfo, h: number): number {
  const occ = occupancy(type, day, h);
  switch (kind) {
    case 'lighting':
      return 0.15 + occ;
    case 'power':
      return 0.25 + 0.75 * occ;
    case 'hvac': {
      const t = temperatureC(day, h);
      const on = hvacSchedule(type, day, h);
      return 0.02 + on * (0.08 + coolingDemand(t) + 0.8 * heatingDemand(t));
    }
    case 'special':
      if (type === 'school') return 0.05 + (isSchoolDay(day) ? mealPeaks(h) : 0); // kitchen
      if (type === 'hospital') return 0.5 + 0.5 * occ; // imaging, labs, IT
      if (type === 'venue') return 0.05 + trapezoid(h, 18.5, 19, 21, 21.5) * Math.min(1, occ + 0.2); // sports/stage lighting
      return 0.85 + 0.15 * occ; // IT centre, 24/7
    case 'water':
      return 0.03 + occ;
    case 'gas':
      if (type === 'hospital') return 0.3 + 0.5 * mealPeaks(h) + 0.6 * heatingDemand(temperatureC(day, h)); // boilers, kitchen
      return 0.01 + (type === 'school' && !isSchoolDay(day) ? 0 : mealPeaks(h)); // canteen
    case 'heat': {
      const demand = heatingDemand(temperatureC(day, h));
      return demand * (0.2 + 0.8 * hvacSchedule(type, day, h));
    }
  }
}
