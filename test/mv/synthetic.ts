/**
 * Constructed weather and use for the model tests: a seasonal temperature with autocorrelated
 * weather noise, and use that follows a known law plus seeded noise, so that a test knows the
 * balance point, slopes and occupancy a model should find.
 */
import type { DailyObservation } from '../../core/mv/daily-model.js';
import type { HourlyObservation } from '../../core/mv/hourly-model.js';
import { Rng } from '../../simulator/random.js';

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

/** AR(1) noise: each value φ times the last plus a fresh normal draw of `sd`. */
export function ar1(rng: Rng, length: number, phi: number, sd: number): number[] {
  const out: number[] = [];
  let last = 0;
  for (let i = 0; i < length; i++) {
    last = phi * last + rng.normal(0, sd);
    out.push(last);
  }
  return out;
}

/** Daily mean temperatures of a year from `startMs`: 10 °C ± 8 °C over the seasons, plus weather. */
export function dailyTemperatures(
  seed: number,
  startMs: number,
  days = 365,
): { dayMs: number; temperatureC: number }[] {
  const weather = ar1(new Rng(seed), days, 0.7, 2.5);
  return weather.map((w, d) => ({
    dayMs: startMs + d * DAY_MS,
    temperatureC: 10 - 8 * Math.cos((2 * Math.PI * (d - 15)) / 365) + w,
  }));
}

/** Days whose use is `law(temperature)` plus AR(1) noise (φ, sd). */
export function dailyUse(
  temperatures: readonly { dayMs: number; temperatureC: number }[],
  law: (temperatureC: number) => number,
  noise: { seed: number; phi?: number; sd: number },
): DailyObservation[] {
  const e = ar1(new Rng(noise.seed), temperatures.length, noise.phi ?? 0, noise.sd);
  return temperatures.map((t, i) => ({ ...t, kwh: law(t.temperatureC) + (e[i] ?? 0) }));
}

/** Hourly temperatures: the daily ones with a ±4 °C day–night swing (coldest at 04:00 UTC). */
export function hourlyTemperatures(
  seed: number,
  startMs: number,
  days = 365,
): { hourMs: number; temperatureC: number }[] {
  return dailyTemperatures(seed, startMs, days).flatMap((d) =>
    Array.from({ length: 24 }, (_, h) => ({
      hourMs: d.dayMs + h * HOUR_MS,
      temperatureC: d.temperatureC - 4 * Math.cos((2 * Math.PI * (h - 4)) / 24),
    })),
  );
}

/** Whether an hour (UTC) is in office hours: Monday to Friday, 08:00–18:00. */
export function officeHour(hourMs: number): boolean {
  const d = new Date(hourMs);
  const weekday = d.getUTCDay();
  return weekday >= 1 && weekday <= 5 && d.getUTCHours() >= 8 && d.getUTCHours() < 18;
}

/** An office: 40 kWh base, +60 kWh in office hours, heating 3 kWh/°C below 15 °C in office hours, 1 kWh/°C out of them. */
export function officeUse(
  hours: readonly { hourMs: number; temperatureC: number }[],
  seed: number,
  sd = 3,
): HourlyObservation[] {
  const rng = new Rng(seed);
  return hours.map((h) => {
    const open = officeHour(h.hourMs);
    const heating = Math.max(0, 15 - h.temperatureC) * (open ? 3 : 1);
    return { ...h, kwh: 40 + (open ? 60 : 0) + heating + rng.normal(0, sd) };
  });
}
