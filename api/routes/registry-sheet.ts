import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { registryInScope } from '../../core/domain/access.js';
import { AppError } from '../../core/errors.js';
import { upsertRegistry } from '../../core/registry-service.js';
import { bodyProblem, listProblems, locateDetail, type SheetProblem } from '../../core/registry-sheet/problems.js';
import { IMPORT_BODY_LIMIT_BYTES, readRegistryWorkbook, type WorkbookRead } from '../../core/registry-sheet/read.js';
import { registryProblems } from '../../core/registry-sheet/validate.js';
import { registryWorkbook } from '../../core/registry-sheet/write.js';
import { accessFor, adminOnly } from '../access.js';
import { checkedInHandler, ERRORS, fileAnswer } from '../schemas/common.js';
import { ImportAnswerSchema } from '../schemas/registry.js';
import { applyRegistry } from './registry.js';

/** The content type of an XLSX workbook. */
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const ImportQuery = z.object({
  dryRun: z.enum(['true', 'false']).optional().describe('true: validate only, apply nothing'),
});

/** A 400 listing every problem of an import; `JN_REQUEST_INVALID` when the body is no workbook. */
function refused(listed: readonly SheetProblem[], unreadable: boolean): AppError {
  const head = listed.slice(0, 20).map((p) => `${p.path}: ${p.message}`);
  return new AppError(
    unreadable ? 'JN_REQUEST_INVALID' : 'JN_REGISTRY_INVALID',
    400,
    `registry import: ${listed.length} problem(s): ${head.join('; ')}`,
    { details: [...listed] },
  );
}

/** The registry service's own problems (rules the sheet checks did not cover), placed in the workbook. */
function placed(error: unknown, read: WorkbookRead): unknown {
  if (!(error instanceof AppError) || error.code !== 'JN_REGISTRY_INVALID') return error;
  return refused(listProblems(error.details.map((d) => locateDetail(read.places, read.input, d))), false);
}

function sendWorkbook(reply: FastifyReply, body: Buffer, fileName: string) {
  return reply
    .header('content-type', XLSX)
    .header('content-disposition', `attachment; filename="${fileName}"`)
    .send(body);
}

/**
 * The registry as a spreadsheet (issue 15, item 6): `GET /api/v1/registry/template.xlsx`,
 * `GET /api/v1/registry/export.xlsx` (the registry in the token's scope, never a secret) and
 * `POST /api/v1/registry/import` (an XLSX body, admin; all or nothing, as `PUT /api/v1/registry`,
 * `?dryRun=true` validates only). The XLSX body parser belongs to this plugin only.
 */
export async function registrySheetRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { store, registry, timeZone } = app.deps;

  app.addContentTypeParser([XLSX, 'application/octet-stream'], { parseAs: 'buffer' }, (_request, body, done) =>
    done(null, body),
  );

  app.get(
    '/registry/template.xlsx',
    {
      schema: {
        summary: 'Empty registry workbook: one sheet per table, zh and en headers, instructions',
        response: { 200: fileAnswer('The workbook', ['xlsx']), ...ERRORS },
      },
    },
    async (_request, reply) =>
      sendWorkbook(reply, await registryWorkbook({}, 'input'), 'jieneng-registry-template.xlsx'),
  );

  app.get(
    '/registry/export.xlsx',
    {
      schema: {
        summary: 'The registry in the token scope as a workbook that imports unchanged (no secrets)',
        response: { 200: fileAnswer('The workbook', ['xlsx']), ...ERRORS },
      },
    },
    async (request, reply) => {
      const rows = registryInScope(registry.get(), accessFor(request));
      return sendWorkbook(reply, await registryWorkbook(rows, 'export'), 'jieneng-registry.xlsx');
    },
  );

  app.post(
    '/registry/import',
    {
      // Before the body is read: a token that may not import does not get 20 MiB parsed.
      onRequest: adminOnly,
      bodyLimit: IMPORT_BODY_LIMIT_BYTES,
      schema: {
        summary: `Import a registry workbook (XLSX body, at most ${IMPORT_BODY_LIMIT_BYTES / 2 ** 20} MiB): all or nothing; a 400 lists every problem with sheet, row and column`,
        querystring: ImportQuery,
        consumes: [XLSX],
        body: checkedInHandler(z.string().meta({ format: 'binary' })),
        response: { 200: ImportAnswerSchema, ...ERRORS },
      },
    },
    async (request) => {
      const dryRun = request.query.dryRun === 'true';
      if (!Buffer.isBuffer(request.body) || request.body.length === 0)
        throw refused([bodyProblem(`expected an XLSX workbook (content type ${XLSX})`)], true);
      const read = await readRegistryWorkbook(request.body, timeZone);
      if (read.unreadable) throw refused(read.problems, true);
      const problems = listProblems(read.problems, ...registryProblems(read, registry.get()));
      if (problems.length > 0) throw refused(problems, false);
      const options = { keepMissingSecrets: true, dryRun };
      const result = await (dryRun
        ? upsertRegistry(store, registry, read.input, undefined, options)
        : applyRegistry(request, read.input, options)
      ).catch((error: unknown) => {
        throw placed(error, read);
      });
      const rows = Object.fromEntries(Object.entries(read.input).map(([table, r]) => [table, r.length]));
      return { dryRun, rows, registry: result };
    },
  );
}
