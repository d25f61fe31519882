import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { invalidRequest, recordBills } from '../../core/cost/bills-service.js';
import { readBillsWorkbook } from '../../core/cost/bills-sheet.js';
import { costedMeters } from '../../core/cost/meters.js';
import { reconcileBills } from '../../core/cost/reconciliation.js';
import { type Bill, BillsInputSchema, yuanOfFen } from '../../core/domain/bills.js';
import { EnergySchema } from '../../core/domain/energy.js';
import { formatScope } from '../../core/domain/scope.js';
import { adminOnly } from '../access.js';
import { audit } from '../audit.js';
import { resolveScope, scopeText } from '../params.js';
import { checkedInHandler, ERRORS } from '../schemas/common.js';

/** The content type of an XLSX workbook. */
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** Largest bills body: 20 MiB, as the registry import. */
const BODY_LIMIT_BYTES = 20 * 2 ** 20;
/** `BILL_TOLERANCE` when the platform gives none. */
const DEFAULT_BILL_TOLERANCE = 0.02;

const BillOut = z.object({
  accountNo: z.string(),
  energy: EnergySchema,
  from: z.string(),
  to: z.string().describe('exclusive'),
  quantity: z.number(),
  amountYuan: z.number(),
  createdAt: z.string(),
  createdBy: z.string(),
});

const Year = z.string().regex(/^\d{4}$/, 'expected YYYY');
const ListQuery = z.object({ scope: scopeText(), year: Year.optional() });
const ReconQuery = z.object({ scope: scopeText(), year: Year });

const BillCheckOut = z.object({
  accountNo: z.string(),
  energy: EnergySchema,
  from: z.string(),
  to: z.string(),
  amountYuan: z.number(),
  meterIds: z.array(z.string()).readonly().describe("the account's meters (without a parent) compared"),
  billedQuantity: z.number(),
  meteredQuantity: z.number(),
  difference: z.number().describe('metered − billed, in the native unit'),
  share: z.number().nullable().describe('difference / billed; null when nothing was billed'),
  flagged: z.boolean().describe('|share| beyond the tolerance, or something metered where nothing was billed'),
});

const ReconOut = z.object({
  scope: z.string(),
  year: z.number(),
  timezone: z.string(),
  tolerance: z.number(),
  flagged: z.number().int(),
  bills: z.array(BillCheckOut),
});

function present(b: Bill): z.infer<typeof BillOut> {
  return {
    accountNo: b.accountNo,
    energy: b.energy,
    from: b.from,
    to: b.to,
    quantity: b.quantity,
    amountYuan: yuanOfFen(b.amountFen),
    createdAt: new Date(b.createdAtMs).toISOString(),
    createdBy: b.createdBy,
  };
}

/**
 * `POST/GET /api/v1/bills` and `GET /api/v1/bills/reconciliation` (issue "The statutory year",
 * item 1): utility bills per account number (户号), as JSON or an XLSX body (admin, audited, all or
 * none), and billed against metered quantity. The XLSX body parser belongs to this plugin only.
 */
export async function billRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.addContentTypeParser([XLSX, 'application/octet-stream'], { parseAs: 'buffer' }, (_request, body, done) =>
    done(null, body),
  );

  app.post(
    '/bills',
    {
      onRequest: adminOnly,
      bodyLimit: BODY_LIMIT_BYTES,
      schema: {
        summary: 'Record utility bills (admin): JSON {"bills":[…]} or an XLSX body; all or none',
        description:
          'Each bill: {"accountNo","energy","from":"YYYY-MM-DD","to":"YYYY-MM-DD" (exclusive),"quantity","amountYuan"}. ' +
          'An XLSX body: a sheet (named bills, or the first) with a header row of these keys in rows 1–5. ' +
          'Bills of one account and energy never overlap; a 400 names each item at fault (bills[3].from).',
        consumes: ['application/json', XLSX],
        body: checkedInHandler(BillsInputSchema.or(z.string().meta({ format: 'binary' }))),
        response: { 201: z.object({ bills: z.array(BillOut) }), ...ERRORS },
      },
    },
    async (request, reply) => {
      const { store, registry, now } = app.deps;
      const ctx = { nowMs: (now ?? Date.now)(), by: request.token?.name ?? 'unknown' };
      let bills: Bill[];
      if (Buffer.isBuffer(request.body)) {
        const sheet = await readBillsWorkbook(request.body);
        if ('problem' in sheet) throw invalidRequest([{ path: 'body', message: sheet.problem }]);
        // A problem of bills[i] names its sheet row too.
        const rename = (p: { path: string; message: string }) => {
          const i = /^bills\[(\d+)\]/.exec(p.path)?.[1];
          const row = i === undefined ? undefined : sheet.rows[Number(i)];
          return row === undefined ? p : { path: p.path, message: `row ${row}: ${p.message}` };
        };
        bills = await recordBills(store, registry.get(), { bills: sheet.bills }, { ...ctx, rename });
      } else bills = await recordBills(store, registry.get(), request.body, ctx);
      await audit(request, `bills:${bills.map((b) => b.id).join(',')}`.slice(0, 1000), null, bills.map(present));
      request.log.info({ bills: bills.length }, 'bills recorded');
      return reply.status(201).send({ bills: bills.map(present) });
    },
  );

  app.get(
    '/bills',
    {
      schema: {
        summary: 'Bills of the accounts metered in a scope, optionally overlapping a year',
        querystring: ListQuery,
        response: { 200: z.object({ scope: z.string(), bills: z.array(BillOut) }), ...ERRORS },
      },
    },
    async (request) => {
      const q = request.query;
      const scope = resolveScope(request, q.scope);
      const keys = new Set(
        costedMeters(app.deps.registry.get(), scope, undefined).flatMap((m) =>
          m.accountNo === undefined ? [] : [`${m.accountNo}|${m.energy}`],
        ),
      );
      const year = q.year;
      const bills = (await app.deps.store.bills()).filter(
        (b) =>
          keys.has(`${b.accountNo}|${b.energy}`) &&
          (year === undefined || (b.from < `${Number(year) + 1}` && b.to > `${year}-01-01`)),
      );
      return { scope: formatScope(scope), bills: bills.map(present) };
    },
  );

  app.get(
    '/bills/reconciliation',
    {
      schema: {
        summary: 'Billed against metered quantity per account and bill period, flagged beyond BILL_TOLERANCE',
        querystring: ReconQuery,
        response: { 200: ReconOut, ...ERRORS },
      },
    },
    async (request) => {
      const q = request.query;
      const scope = resolveScope(request, q.scope);
      const { store, registry, timeZone } = app.deps;
      const tolerance = app.deps.billTolerance ?? DEFAULT_BILL_TOLERANCE;
      const bills = await reconcileBills(store, registry.get(), { scope, year: Number(q.year), timeZone, tolerance });
      return {
        scope: formatScope(scope),
        year: Number(q.year),
        timezone: timeZone,
        tolerance,
        flagged: bills.filter((b) => b.flagged).length,
        bills,
      };
    },
  );
}
