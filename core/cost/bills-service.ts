/**
 * Recording utility bills (issue "The statutory year", item 1): validate, check accounts and
 * overlaps, store all or none. Every problem names its item (`bills[3].from`).
 */
import type { z } from 'zod';
import { type Bill, BillsInputSchema, billOf, billOverlaps } from '../domain/bills.js';
import type { Registry } from '../domain/registry.js';
import { AppError } from '../errors.js';
import type { MetadataStore } from '../storage/metadata-store.js';

/** A problem of a request field. */
export interface FieldProblem {
  readonly path: string;
  readonly message: string;
}

/** `bills[3].from` from a zod path `['bills', 3, 'from']`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return (
    path.reduce<string>(
      (out, key) => (typeof key === 'number' ? `${out}[${key}]` : out === '' ? String(key) : `${out}.${String(key)}`),
      '',
    ) || 'body'
  );
}

/** The problems of a zod parse, each naming its field. */
export function zodProblems(error: z.ZodError): FieldProblem[] {
  return error.issues.map((i) => ({ path: fieldPath(i.path), message: i.message }));
}

/** A 400 listing the problems (`JN_REQUEST_INVALID`), each naming its field. */
export function invalidRequest(problems: readonly FieldProblem[]): AppError {
  return new AppError(
    'JN_REQUEST_INVALID',
    400,
    problems
      .slice(0, 20)
      .map((p) => `${p.path}: ${p.message}`)
      .join('; '),
    { details: [...problems] },
  );
}

/**
 * Stores the bills of a `{"bills":[…]}` body, all or none, and returns them; a 400 naming each
 * item at fault when one is invalid, of an account no meter of that energy carries, or overlaps
 * another bill of the same account and energy (in the body or stored). `rename` maps a problem's
 * path for the caller (an XLSX row).
 */
export async function recordBills(
  store: MetadataStore,
  registry: Registry,
  body: unknown,
  ctx: { readonly nowMs: number; readonly by: string; readonly rename?: (p: FieldProblem) => FieldProblem },
): Promise<Bill[]> {
  const rename = ctx.rename ?? ((p: FieldProblem) => p);
  const parsed = BillsInputSchema.safeParse(body);
  if (!parsed.success) throw invalidRequest(zodProblems(parsed.error).map(rename));
  const fresh = parsed.data.bills;
  const metered = new Set(
    registry.meters.flatMap((m) => (m.accountNo === undefined ? [] : [`${m.accountNo}|${m.energy}`])),
  );
  const problems: FieldProblem[] = [];
  fresh.forEach((b, i) => {
    if (!metered.has(`${b.accountNo}|${b.energy}`))
      problems.push({
        path: `bills[${i}].accountNo`,
        message: `no ${b.energy} meter carries account "${b.accountNo}"`,
      });
  });
  const accounts = new Set(fresh.map((b) => b.accountNo));
  const stored = (await store.bills()).filter((b) => accounts.has(b.accountNo));
  problems.push(...billOverlaps(fresh, stored));
  if (problems.length > 0) throw invalidRequest(problems.map(rename));
  const bills = fresh.map((b) => billOf(b, ctx.nowMs, ctx.by));
  await store.addBills(bills);
  return bills;
}
