/**
 * A synthetic building for weather-normalised comparisons (issue 18, item 4): its daily use is a
 * function of its heating degree days (100 + 20 per HDD, base 15 °C = 59 °F, on CalTRACK's grid)
 * with ±0.3 % deterministic noise, each local day's temperature constant over its hours. A cold
 * year and a mild one then differ a lot raw, and not at all once normalised.
 */
import type { HourlyConsumption } from '../../core/domain/consumption.js';
import { HOUR_MS, localToEpochMs, nextBucketStart } from '../../core/domain/time.js';
import type { WeatherObservation } from '../../core/domain/weather.js';

/** A day's use from its mean temperature and its index in the year. */
const dayUse = (t: number, k: number) => (100 + 20 * Math.max(0, 15 - t)) * (1 + 0.003 * Math.sin(k * 7.3));
/** A year's daily mean temperature: `meanC` with a ±10 °C seasonal swing, coldest in mid-January. */
const dayTemperature = (meanC: number, k: number) => meanC - 10 * Math.cos((2 * Math.PI * (k - 15)) / 365);

/** The hours of `meterId` and the temperatures of its station over local years, each `[year, mean °C]`. */
export function hddBuilding(meterId: string, timeZone: string, years: readonly (readonly [number, number])[]) {
  const rows: HourlyConsumption[] = [];
  const weather: WeatherObservation[] = [];
  for (const [year, meanC] of years) {
    const end = localToEpochMs(timeZone, year + 1, 1, 1);
    for (let d = localToEpochMs(timeZone, year, 1, 1), k = 0; d < end; d = nextBucketStart(d, 'day', timeZone), k++) {
      const next = nextBucketStart(d, 'day', timeZone);
      const t = dayTemperature(meanC, k);
      const perHourMicro = Math.round((dayUse(t, k) / ((next - d) / HOUR_MS)) * 1e6);
      for (let h = d; h < next; h += HOUR_MS) {
        rows.push({
          meterId,
          hourStartMs: h,
          amountMicro: perHourMicro,
          estimatedMicro: 0,
          quality: 'good',
          readingsCount: 1,
        });
        weather.push({ tsMs: h, temperatureC: t });
      }
    }
  }
  return { rows, weather };
}
