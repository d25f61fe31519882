import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { canRead } from '../../core/domain/access.js';
import {
  BASELINE_FIELDS,
  SavingsAdjustmentInputSchema,
  SavingsAdjustmentSchema,
  type SavingsAnswer,
  SavingsAnswerSchema,
  type SavingsProject,
  SavingsProjectDefinitionSchema,
  SavingsProjectInputSchema,
  SavingsProjectPatchSchema,
  SavingsProjectSchema,
} from '../../core/domain/savings-projects.js';
import { scopeWeatherStation } from '../../core/domain/weather-station.js';
import { AppError, badRequest } from '../../core/errors.js';
import { computeSavingsProject } from '../../core/mv/project.js';
import { REPORT_LANGS } from '../../core/reports/model.js';
import { renderSavings, SAVINGS_EXPORT_FORMATS } from '../../core/savings/export.js';
import { loadSavingsProjectData } from '../../core/savings/load.js';
import { accessFor, requireAction, requireScope } from '../access.js';
import { audit } from '../audit.js';
import { resolveScope } from '../params.js';
import { ERRORS, fileAnswer } from '../schemas/common.js';

const Params = z.object({ id: z.string() });
const ListAnswer = z.object({ projects: z.array(SavingsProjectSchema) });
const ExportQuery = z.object({
  format: z.enum(SAVINGS_EXPORT_FORMATS).describe('xlsx | pdf'),
  lang: z.enum(REPORT_LANGS).default('zh').describe('zh (default) | en'),
});

/**
 * Savings projects (issue 18, item 3): `POST` and `GET /api/v1/savings-projects`, one project
 * computed on request (`GET …/{id}`: model, fit, savings and their uncertainty, months,
 * adjustments), its non-routine adjustments (`POST …/{id}/adjustments`, appended, never changed)
 * and its export (`GET …/{id}/export?format=xlsx|pdf&lang=zh|en`). Creating and adjusting need the
 * `act` action (officers) and the project's scope, and are audited; reading needs the scope.
 * Without `weatherStationId` a project takes its scope's station. `PATCH …/{id}` edits a project
 * (audited, before and after): its name and reporting end always; its baseline period, model,
 * reporting start and station only while it has no adjustments (409 `JN_SAVINGS_PROJECT_ADJUSTED`
 * after: they were made against that baseline; register a new project instead).
 */
export async function savingsProjectRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { store, registry, timeZone, coefficients, defaultGridRegion, lifecycle } = app.deps;
  const nowMs = () => (app.deps.now ?? Date.now)();
  const by = (request: FastifyRequest) => request.token?.name ?? 'unknown';

  /** The project of `id` if the request may see it: 404 when there is none, 403 outside its scopes. */
  const found = async (request: FastifyRequest, id: string): Promise<SavingsProject> => {
    const p = await store.savingsProjects.get(id);
    if (p === undefined) throw new AppError('JN_NOT_FOUND', 404, `savings project "${id}" not found`);
    requireScope(request, p.scope, 'id');
    return p;
  };

  const knownStation = (id: string) => {
    if (!(registry.get().weatherStations ?? []).some((s) => s.id === id))
      throw badRequest('weatherStationId', `unknown weather station "${id}"`);
  };

  const answer = async (project: SavingsProject): Promise<SavingsAnswer> => {
    const adjustments = await store.savingsProjects.adjustments(project.id);
    const data = await loadSavingsProjectData(
      {
        store,
        registry: registry.get(),
        timeZone,
        coefficients,
        ...(defaultGridRegion === undefined ? {} : { defaultGridRegion }),
        eventsOf: (meterId) => lifecycle.eventsOf(meterId),
        nowMs: nowMs(),
      },
      project,
      adjustments,
    );
    return computeSavingsProject(data);
  };

  app.post(
    '/savings-projects',
    {
      schema: {
        summary: 'Register a savings project (a retrofit or an energy-hosting contract); never replaced',
        body: SavingsProjectInputSchema,
        response: { 201: SavingsProjectSchema, ...ERRORS },
      },
    },
    async (request, reply) => {
      requireAction(request, 'act');
      const input = request.body;
      const scope = resolveScope(request, input.scope, { levels: ['meter', 'building', 'institution'] });
      let weatherStationId = input.weatherStationId;
      if (weatherStationId === undefined) {
        const derived = scopeWeatherStation(registry.get(), scope);
        if (!derived.ok) throw badRequest('weatherStationId', `not given, and ${derived.reason}`);
        weatherStationId = derived.stationId;
      }
      knownStation(weatherStationId);
      const project: SavingsProject = {
        ...input,
        weatherStationId,
        createdAt: new Date(nowMs()).toISOString(),
        createdBy: by(request),
      };
      if (!(await store.savingsProjects.create(project)))
        throw new AppError('JN_SAVINGS_PROJECT_EXISTS', 409, `id: savings project "${input.id}" exists`, {
          details: [{ path: 'id', message: 'exists' }],
        });
      await audit(request, `savings-project:${project.id}`, null, project);
      return reply.status(201).send(project);
    },
  );

  app.get(
    '/savings-projects',
    { schema: { summary: 'Savings projects in the token scope, by id', response: { 200: ListAnswer, ...ERRORS } } },
    async (request) => {
      const access = accessFor(request);
      return { projects: (await store.savingsProjects.list()).filter((p) => canRead(access, p.scope)) };
    },
  );

  app.get(
    '/savings-projects/:id',
    {
      schema: {
        summary: 'A savings project computed now: model and fit, savings and their 90 % uncertainty, months',
        params: Params,
        response: { 200: SavingsAnswerSchema, ...ERRORS },
      },
    },
    async (request) => answer(await found(request, request.params.id)),
  );

  app.patch(
    '/savings-projects/:id',
    {
      schema: {
        summary:
          'Edit a savings project: name and reporting end; baseline period, model, reporting start and station only without adjustments',
        params: Params,
        body: SavingsProjectPatchSchema,
        response: { 200: SavingsProjectSchema, ...ERRORS },
      },
    },
    async (request) => {
      requireAction(request, 'act');
      const before = await found(request, request.params.id);
      const { reportingTo, ...patch } = request.body;
      if (patch.weatherStationId !== undefined) knownStation(patch.weatherStationId);
      const { reportingTo: storedTo, createdAt, createdBy, ...definition } = before;
      // Absent: kept; null: the reporting period runs to today again.
      const to = reportingTo === undefined ? storedTo : (reportingTo ?? undefined);
      const merged = { ...definition, ...patch, ...(to === undefined ? {} : { reportingTo: to }) };
      const checked = SavingsProjectDefinitionSchema.safeParse(merged);
      if (!checked.success) {
        const details = checked.error.issues.map((i) => ({ path: i.path.join('.') || 'body', message: i.message }));
        throw new AppError('JN_REQUEST_INVALID', 400, details.map((d) => `${d.path}: ${d.message}`).join('; '), {
          details,
        });
      }
      const after: SavingsProject = { ...checked.data, createdAt, createdBy };
      const changed = BASELINE_FIELDS.filter((f) => after[f] !== before[f]);
      const outcome = await store.savingsProjects.update(after, { requireNoAdjustments: changed.length > 0 });
      if (outcome === 'not_found') throw new AppError('JN_NOT_FOUND', 404, `savings project "${before.id}" not found`);
      if (outcome === 'has_adjustments')
        throw new AppError(
          'JN_SAVINGS_PROJECT_ADJUSTED',
          409,
          `${changed.join(', ')}: the project has adjustments made against its baseline; register a new project instead`,
          { details: changed.map((path) => ({ path, message: 'cannot change once the project has adjustments' })) },
        );
      await audit(request, `savings-project:${before.id}`, before, after);
      return after;
    },
  );

  app.post(
    '/savings-projects/:id/adjustments',
    {
      schema: {
        summary: 'Append a non-routine adjustment of the baseline (constant per day or percent), with a reason',
        params: Params,
        body: SavingsAdjustmentInputSchema,
        response: { 201: SavingsAdjustmentSchema, ...ERRORS },
      },
    },
    async (request, reply) => {
      requireAction(request, 'act');
      const project = await found(request, request.params.id);
      const added = await store.savingsProjects.addAdjustment(project.id, request.body, {
        createdBy: by(request),
        createdAtMs: nowMs(),
      });
      if (added === undefined) throw new AppError('JN_NOT_FOUND', 404, `savings project "${project.id}" not found`);
      await audit(request, `savings-project:${project.id}:adjustment:${added.n}`, null, added);
      return reply.status(201).send(added);
    },
  );

  app.get(
    '/savings-projects/:id/export',
    {
      schema: {
        summary: 'A savings project as XLSX or PDF, in Chinese or English',
        params: Params,
        querystring: ExportQuery,
        response: { 200: fileAnswer('the project as XLSX or PDF', ['xlsx', 'pdf']), ...ERRORS },
      },
    },
    async (request, reply) => {
      const project = await found(request, request.params.id);
      const out = await renderSavings(
        await answer(project),
        request.query.format,
        request.query.lang,
        new Date(nowMs()).toISOString(),
      );
      return reply
        .header('content-type', out.contentType)
        .header('content-disposition', `attachment; filename="${out.fileName}"`)
        .send(out.body);
    },
  );
}
