/**
 * Weather observations as they come in (issue 18, item 1): a JSON upload, a CSV upload
 * (`datetime,temperature_c` in UTC, as the Met Office MIDAS extracts in `data/cambridge-weather/`)
 * and an MQTT message of a gateway. An upload is refused whole when any row is bad, naming the row
 * and field; an MQTT message keeps its good observations and dead-letters each bad one.
 */
import { z } from 'zod';
import { IdSchema, type WeatherStation } from './registry.js';
import {
  isWholeHour,
  TEMPERATURE_C_MAX,
  TEMPERATURE_C_MIN,
  type WeatherObservation,
  WeatherObservationInputSchema,
} from './weather.js';

/** Observations one upload may carry: 100,000 hours, over eleven years of one station. */
export const WEATHER_UPLOAD_MAX = 100_000;

/** Observations one MQTT message may carry: a gateway sends what it has buffered, a few days at most. */
export const WEATHER_MESSAGE_MAX = 1000;

/** A problem of an upload: where (`observations.3.ts`, `line 7.temperature_c`) and what. */
export interface WeatherInputProblem {
  readonly path: string;
  readonly message: string;
}

/**
 * Observations a gateway stamps before this (2000-01-01Z, as readings without `installedAt`) come
 * from a clock that was never set (1970 after a power cut): refused over MQTT. The API takes older
 * history, which an officer uploads on purpose.
 */
export const DEVICE_EARLIEST_MS = Date.UTC(2000, 0, 1);

/** `value` as JSON, at most 2,000 characters; `fallback`'s start when it cannot be serialised (nested too deep). */
function rawOf(value: unknown, fallback: string): string {
  try {
    return JSON.stringify(value).slice(0, 2000);
  } catch {
    return fallback.slice(0, 2000);
  }
}

/** Why an observation cannot be taken as it is, or undefined when it can. */
function instantProblem(tsMs: number): string | undefined {
  return isWholeHour(tsMs) ? undefined : 'must be on a whole UTC hour (hourly observations)';
}

/**
 * `PUT /api/v1/weather/{stationId}` as JSON: hourly observations, each on a whole UTC hour. The
 * same instant twice with two values is refused (which one is right?); twice with one value is a
 * harmless repeat.
 */
export const WeatherUploadSchema = z
  .object({ observations: z.array(WeatherObservationInputSchema).min(1).max(WEATHER_UPLOAD_MAX) })
  .superRefine((upload, ctx) => {
    const first = new Map<number, { i: number; temperatureC: number }>();
    upload.observations.forEach((o, i) => {
      const tsMs = Date.parse(o.ts);
      // A malformed `ts` has its issue already (zod 4 runs this refinement on such input too).
      if (!Number.isFinite(tsMs)) return;
      const problem = instantProblem(tsMs);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['observations', i, 'ts'], message: problem });
      const before = first.get(tsMs);
      if (before === undefined) first.set(tsMs, { i, temperatureC: o.temperatureC });
      else if (before.temperatureC !== o.temperatureC)
        ctx.addIssue({
          code: 'custom',
          path: ['observations', i, 'temperatureC'],
          message: `${o.ts} is already given as observations[${before.i}] with ${before.temperatureC} °C`,
        });
    });
  });
export type WeatherUpload = z.infer<typeof WeatherUploadSchema>;

/** An upload's observations, each instant once, and how many rows only repeated an earlier one. */
export function uploadObservations(upload: WeatherUpload): { observations: WeatherObservation[]; duplicates: number } {
  const byTs = new Map<number, WeatherObservation>();
  for (const o of upload.observations) {
    const tsMs = Date.parse(o.ts);
    byTs.set(tsMs, { tsMs, temperatureC: o.temperatureC });
  }
  return {
    observations: [...byTs.values()].sort((a, b) => a.tsMs - b.tsMs),
    duplicates: upload.observations.length - byTs.size,
  };
}

/** The CSV header the upload takes, as in the MIDAS extracts. */
export const WEATHER_CSV_HEADER = 'datetime,temperature_c';

/** `YYYY-MM-DD HH:MM[:SS]`, UTC (a `T` and a `Z` are accepted too). */
const CSV_DATETIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?Z?$/;
const CSV_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/** A CSV datetime as epoch ms (UTC), or undefined when malformed or impossible. */
function csvInstant(text: string): number | undefined {
  const m = CSV_DATETIME.exec(text);
  if (m === null) return undefined;
  const [y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0] = m.slice(1).map((part) => Number(part ?? 0));
  const ms = Date.UTC(y, mo - 1, d, h, mi, sec);
  const back = new Date(ms);
  const same = back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d;
  if (!same || h > 23 || mi > 59 || sec > 59) return undefined;
  return ms;
}

/**
 * A CSV upload as the JSON one: the header `datetime,temperature_c` (either order, other columns
 * ignored), then one row per hour. Problems name the line (the header is line 1) and the column;
 * at most `maxProblems` are listed.
 */
export function parseWeatherCsv(
  text: string,
  maxProblems = 50,
): { ok: true; upload: WeatherUpload } | { ok: false; problems: WeatherInputProblem[] } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1]?.trim() === '') lines.pop();
  const header = (lines[0] ?? '').split(',').map((c) => c.trim().toLowerCase());
  const at = { datetime: header.indexOf('datetime'), temperature: header.indexOf('temperature_c') };
  if (at.datetime < 0 || at.temperature < 0)
    return { ok: false, problems: [{ path: 'line 1', message: `expected the header ${WEATHER_CSV_HEADER}` }] };
  if (lines.length < 2) return { ok: false, problems: [{ path: 'line 2', message: 'no observations' }] };
  if (lines.length - 1 > WEATHER_UPLOAD_MAX)
    return { ok: false, problems: [{ path: 'body', message: `at most ${WEATHER_UPLOAD_MAX} rows` }] };
  const problems: WeatherInputProblem[] = [];
  const observations: WeatherUpload['observations'] = [];
  const first = new Map<number, { line: number; temperatureC: number }>();
  for (let n = 2; n <= lines.length && problems.length < maxProblems; n++) {
    const cells = (lines[n - 1] ?? '').split(',').map((c) => c.trim());
    const where = `line ${n}`;
    const tsText = cells[at.datetime] ?? '';
    const tText = cells[at.temperature] ?? '';
    const tsMs = csvInstant(tsText);
    const temperatureC = CSV_NUMBER.test(tText) ? Number(tText) : Number.NaN;
    if (tsMs === undefined)
      problems.push({ path: `${where}.datetime`, message: `"${tsText}" is not YYYY-MM-DD HH:MM:SS (UTC)` });
    else if (instantProblem(tsMs) !== undefined)
      problems.push({ path: `${where}.datetime`, message: instantProblem(tsMs) ?? '' });
    if (!Number.isFinite(temperatureC) || temperatureC < TEMPERATURE_C_MIN || temperatureC > TEMPERATURE_C_MAX)
      problems.push({
        path: `${where}.temperature_c`,
        message: `"${tText}" is not a temperature in °C from ${TEMPERATURE_C_MIN} to ${TEMPERATURE_C_MAX}`,
      });
    if (tsMs === undefined || !Number.isFinite(temperatureC)) continue;
    const before = first.get(tsMs);
    if (before === undefined) first.set(tsMs, { line: n, temperatureC });
    else if (before.temperatureC !== temperatureC)
      problems.push({
        path: `${where}.temperature_c`,
        message: `${tsText} is already given on line ${before.line} with ${before.temperatureC} °C`,
      });
    observations.push({ ts: new Date(tsMs).toISOString(), temperatureC });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, upload: { observations } };
}

/** `jieneng/v1/{gatewayId}/weather`: a station's observations, sent by a gateway it allows. */
export const WeatherMessageSchema = z.object({
  stationId: IdSchema,
  observations: z.array(z.unknown()).min(1).max(WEATHER_MESSAGE_MAX),
});

/** Why an MQTT weather message or one of its observations was refused: a dead letter's code. */
export type WeatherRejectCode = 'invalid_payload' | 'unknown_station' | 'foreign_station' | 'invalid_weather';

/** A refused message (no `tsMs`) or observation. */
export interface WeatherRejection {
  readonly code: WeatherRejectCode;
  readonly reason: string;
  readonly raw: string;
  readonly tsMs?: number;
}

/**
 * Checks a gateway's weather message against the registry's stations: the whole message is
 * refused when it is no JSON of the right shape, names an unknown station or one that does not
 * allow the gateway; otherwise each observation stands alone (bad ones refused, good ones kept).
 * Observations later than `latestMs` (now plus the allowed clock skew) are refused.
 */
export function validateWeatherMessage(
  payload: string,
  gatewayId: string,
  stations: readonly WeatherStation[],
  latestMs: number,
): { stationId?: string; observations: WeatherObservation[]; rejections: WeatherRejection[] } {
  const raw = payload.slice(0, 2000);
  let json: unknown;
  try {
    json = JSON.parse(payload);
  } catch {
    return { observations: [], rejections: [{ code: 'invalid_payload', reason: 'payload: not JSON', raw }] };
  }
  const message = WeatherMessageSchema.safeParse(json);
  if (!message.success) {
    const issue = message.error.issues[0];
    const reason = `payload: ${issue?.path.join('.') || 'message'}: ${issue?.message ?? 'invalid'}`;
    return { observations: [], rejections: [{ code: 'invalid_payload', reason, raw }] };
  }
  const { stationId } = message.data;
  const station = stations.find((s) => s.id === stationId);
  if (station === undefined)
    return {
      observations: [],
      rejections: [{ code: 'unknown_station', reason: `unknown weather station "${stationId}"`, raw }],
    };
  if (!(station.gatewayIds ?? []).includes(gatewayId)) {
    const reason = `weather station "${stationId}" does not take observations from gateway "${gatewayId}"`;
    return { observations: [], rejections: [{ code: 'foreign_station', reason, raw }] };
  }
  const observations: WeatherObservation[] = [];
  const rejections: WeatherRejection[] = [];
  message.data.observations.forEach((item, i) => {
    // Only a refused item is kept, cut to 2,000 characters; one too deep to serialise keeps the payload's start.
    const itemRaw = () => rawOf({ stationId, observations: [item] }, payload);
    const parsed = WeatherObservationInputSchema.safeParse(item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const reason = `observations[${i}].${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`;
      rejections.push({ code: 'invalid_weather', reason, raw: itemRaw() });
      return;
    }
    const tsMs = Date.parse(parsed.data.ts);
    const problem =
      instantProblem(tsMs) ??
      (tsMs > latestMs ? 'in the future' : tsMs < DEVICE_EARLIEST_MS ? 'before 2000: a clock never set' : undefined);
    if (problem !== undefined) {
      rejections.push({ code: 'invalid_weather', reason: `observations[${i}].ts: ${problem}`, raw: itemRaw(), tsMs });
      return;
    }
    observations.push({ tsMs, temperatureC: parsed.data.temperatureC });
  });
  return { stationId, observations, rejections };
}
