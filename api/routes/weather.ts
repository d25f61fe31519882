import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { formatLocalIso, HOUR_MS } from '../../core/domain/time.js';
import { weatherGaps } from '../../core/domain/weather.js';
import { parseWeatherCsv, uploadObservations, WeatherUploadSchema } from '../../core/domain/weather-input.js';
import { weatherBuckets } from '../../core/domain/weather-summary.js';
import { AppError, badRequest } from '../../core/errors.js';
import { adminOnly } from '../access.js';
import { audit } from '../audit.js';
import { LocalRangeQuery, withLocalRange } from '../params.js';
import { ERRORS } from '../schemas/common.js';

const Params = z.object({ stationId: z.string().max(64) });

/** Most buckets one answer holds: 10,000 (over a year of hours, 27 years of days). */
const MAX_BUCKETS = 10_000;

const Query = LocalRangeQuery.extend({
  interval: z.enum(['hour', 'day', 'month']).default('day'),
  heatingBaseC: z.coerce.number().min(-30).max(40).default(18).describe('heating degree-day base, °C'),
  coolingBaseC: z.coerce.number().min(-30).max(40).default(18).describe('cooling degree-day base, °C'),
});

const Gap = (zone: string) =>
  z.object({
    from: z.string().describe(`first missing hour (${zone})`),
    to: z.string().describe('the next hour that is not missing (exclusive)'),
    hours: z.number().int(),
  });

const PutAnswer = z
  .object({
    stationId: z.string(),
    inserted: z.number().int().describe('hours not stored before'),
    replaced: z.number().int().describe('hours stored before with another value (corrections)'),
    unchanged: z.number().int().describe('hours stored before with the same value'),
    duplicates: z.number().int().describe('rows repeating an hour given earlier in this upload, same value'),
    from: z.string().describe('first uploaded hour, UTC'),
    to: z.string().describe('the hour after the last uploaded one, UTC'),
    gaps: z.array(Gap('UTC')).describe('hours of [from, to) the station still has no observation for'),
  })
  .describe('All rows stored, or none: a bad row refuses the whole upload (400 naming the row and field)');

const Bucket = z.object({
  from: z.string(),
  to: z.string(),
  meanC: z.number().nullable(),
  minC: z.number().nullable(),
  maxC: z.number().nullable(),
  hoursObserved: z.number().int(),
  hoursMissing: z.number().int(),
  hddC: z
    .number()
    .nullable()
    .describe('heating degree days, °C·d: of an hour its degree-hours / 24, of a day from its mean (≥ 90 % hours)'),
  cddC: z.number().nullable().describe('cooling degree days, °C·d, as hddC'),
  daysWithDegreeDays: z.number().int().nullable().describe('days summed in hddC/cddC; null for hours'),
});

const GetAnswer = z.object({
  stationId: z.string(),
  name: z.string(),
  interval: z.enum(['hour', 'day', 'month']),
  timezone: z.string(),
  from: z.string(),
  to: z.string(),
  heatingBaseC: z.number(),
  coolingBaseC: z.number(),
  hoursObserved: z.number().int(),
  hoursMissing: z.number().int(),
  buckets: z.array(Bucket),
  gaps: z.array(Gap('local time')),
});

/**
 * Weather (issue 18, item 1): `PUT /api/v1/weather/{stationId}` stores hourly outdoor
 * temperatures, as CSV (`datetime,temperature_c`, UTC) or JSON (`{"observations":[{ts,
 * temperatureC}]}`), all rows or none; admins only (a person, or an admin API token of a feed).
 * `GET …/{stationId}` sums them up by local hour, day or month with degree days; every signed-in
 * role may read it. Missing hours are reported as gaps, never filled in.
 */
export async function weatherRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { registry, store, timeZone } = app.deps;
  const station = (stationId: string) => {
    const found = (registry.get().weatherStations ?? []).find((s) => s.id === stationId);
    if (found === undefined) throw new AppError('JN_NOT_FOUND', 404, `weather station "${stationId}" not found`);
    return found;
  };

  // A CSV upload becomes the JSON one; a bad row refuses it whole, naming the line and column.
  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_request, body, done) => {
    const parsed = parseWeatherCsv(String(body));
    if (parsed.ok) {
      done(null, parsed.upload);
      return;
    }
    const list = parsed.problems.map((p) => `${p.path}: ${p.message}`);
    const message = `csv: ${parsed.problems.length} problem(s): ${list.slice(0, 10).join('; ')}`;
    done(new AppError('JN_REQUEST_INVALID', 400, message, { details: parsed.problems }), undefined);
  });

  app.put(
    '/weather/:stationId',
    {
      onRequest: adminOnly,
      schema: {
        summary: 'Store hourly outdoor temperatures of a weather station (text/csv or JSON; all rows or none)',
        params: Params,
        consumes: ['application/json', 'text/csv'],
        body: WeatherUploadSchema,
        response: { 200: PutAnswer, ...ERRORS },
      },
    },
    async (request) => {
      const { stationId } = request.params;
      station(stationId);
      const { observations, duplicates } = uploadObservations(request.body);
      const outcome = await store.weather.putObservations(stationId, observations);
      const fromMs = observations[0]?.tsMs ?? 0;
      const toMs = (observations.at(-1)?.tsMs ?? 0) + HOUR_MS;
      const stored = await store.weather.observations(stationId, fromMs, toMs);
      const answer = {
        stationId,
        ...outcome,
        duplicates,
        from: new Date(fromMs).toISOString(),
        to: new Date(toMs).toISOString(),
        gaps: weatherGaps(stored, fromMs, toMs).map((g) => ({
          from: new Date(g.fromMs).toISOString(),
          to: new Date(g.toMs).toISOString(),
          hours: g.hours,
        })),
      };
      const { gaps: _gaps, ...summary } = answer;
      await audit(request, `weather:${stationId}`, null, { ...summary, gaps: answer.gaps.length });
      return answer;
    },
  );

  app.get(
    '/weather/:stationId',
    {
      schema: {
        summary: 'Temperatures and degree days of a weather station by local hour, day or month, with its gaps',
        params: Params,
        querystring: withLocalRange(Query, timeZone),
        response: { 200: GetAnswer, ...ERRORS },
      },
    },
    async (request) => {
      const found = station(request.params.stationId);
      const { fromMs, toMs, interval, heatingBaseC, coolingBaseC } = request.query;
      const perBucketMs = { hour: HOUR_MS, day: 24 * HOUR_MS, month: 28 * 24 * HOUR_MS }[interval];
      if ((toMs - fromMs) / perBucketMs > MAX_BUCKETS)
        throw badRequest('to', `at most ${MAX_BUCKETS} buckets of a ${interval} from from`);
      const observations = await store.weather.observations(found.id, fromMs, toMs);
      const buckets = weatherBuckets(observations, fromMs, toMs, interval, timeZone, { heatingBaseC, coolingBaseC });
      const local = (ms: number) => formatLocalIso(ms, timeZone);
      return {
        stationId: found.id,
        name: found.name,
        interval,
        timezone: timeZone,
        from: local(fromMs),
        to: local(toMs),
        heatingBaseC,
        coolingBaseC,
        hoursObserved: buckets.reduce((n, b) => n + b.hoursObserved, 0),
        hoursMissing: buckets.reduce((n, b) => n + b.hoursMissing, 0),
        buckets: buckets.map(({ fromMs: f, toMs: t, ...b }) => ({ from: local(f), to: local(t), ...b })),
        gaps: weatherGaps(observations, fromMs, toMs).map((g) => ({
          from: local(g.fromMs),
          to: local(g.toMs),
          hours: g.hours,
        })),
      };
    },
  );
}
