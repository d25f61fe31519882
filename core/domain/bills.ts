import { z } from 'zod';
import { EnergySchema } from './energy.js';
import { REGISTER_MAX } from './reading.js';
import { LocalDateSchema, MICRO_PER_YUAN } from './tariffs.js';

/**
 * Utility bills (issue "The statutory year", item 1: cost): what a utility charged one account
 * (户号) for one energy over local days [from, to). Bills are the truth for cost (DOMAIN.md "Cost"):
 * where a bill covers an hour, its amount replaces tariff × consumption. Two bills of the same
 * account and energy never overlap. Money is yuan with 2 decimals, kept in whole fen.
 */

/** Fen in one yuan. */
export const FEN_PER_YUAN = 100;

/** A bill as `POST /api/v1/bills` takes it (JSON, or a row of the XLSX body). */
export const BillInputSchema = z
  .object({
    accountNo: z.string().trim().min(1).max(64).describe('the utility account number (户号) meters carry'),
    energy: EnergySchema,
    from: LocalDateSchema.describe('first local day billed'),
    to: LocalDateSchema.describe('local day after the last one billed (exclusive)'),
    quantity: z
      .number()
      .finite()
      .nonnegative('must be ≥ 0')
      .max(REGISTER_MAX)
      .describe('billed quantity, in the native unit (at most a register can count)'),
    amountYuan: z
      .number()
      .finite()
      .nonnegative('must be ≥ 0')
      .max(1e10)
      .refine((a) => Math.abs(a * FEN_PER_YUAN - Math.round(a * FEN_PER_YUAN)) < 1e-6, 'at most 2 decimals'),
  })
  .superRefine((b, ctx) => {
    // Compared only when both are dates (zod runs this check after a field failed too).
    const dates = !Number.isNaN(Date.parse(b.from)) && !Number.isNaN(Date.parse(b.to));
    if (dates && b.to <= b.from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
  });
/** A bill as submitted. */
export type BillInput = z.infer<typeof BillInputSchema>;

/** The JSON body of `POST /api/v1/bills`. */
export const BillsInputSchema = z.object({ bills: z.array(BillInputSchema).min(1).max(10_000) });

/** A stored bill: the amount in whole fen, who recorded it when. */
export const BillSchema = z.object({
  id: z.string().min(1),
  accountNo: z.string(),
  energy: EnergySchema,
  from: LocalDateSchema,
  to: LocalDateSchema,
  quantity: z.number(),
  amountFen: z.number().int(),
  createdAtMs: z.number(),
  createdBy: z.string(),
});
/** A stored bill. */
export type Bill = z.infer<typeof BillSchema>;

/** A bill's id: its account, energy and first day (unique, as bills of one account and energy never overlap). */
export function billId(b: Pick<Bill, 'accountNo' | 'energy' | 'from'>): string {
  return `${b.accountNo}|${b.energy}|${b.from}`;
}

/** A submitted bill as stored. */
export function billOf(input: BillInput, createdAtMs: number, createdBy: string): Bill {
  const { amountYuan, ...rest } = input;
  return { ...rest, id: billId(input), amountFen: Math.round(amountYuan * FEN_PER_YUAN), createdAtMs, createdBy };
}

/** Yuan from fen, for presentation (2 decimals). */
export function yuanOfFen(fen: number): number {
  return fen / FEN_PER_YUAN;
}

/** Yuan from micro-yuan, rounded to the fen once, at presentation (half away from zero). */
export function yuanOfMicro(micro: number): number {
  const fen = Math.sign(micro) * Math.round(Math.abs(micro) / (MICRO_PER_YUAN / FEN_PER_YUAN));
  return fen / FEN_PER_YUAN + 0;
}

/**
 * Problems of new bills that overlap each other or a stored bill of the same account and energy,
 * each naming the new bill (`bills[3].from`) and the bill it overlaps.
 */
export function billOverlaps(
  fresh: readonly Pick<Bill, 'accountNo' | 'energy' | 'from' | 'to'>[],
  stored: readonly Pick<Bill, 'accountNo' | 'energy' | 'from' | 'to'>[],
): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  const overlaps = (a: (typeof fresh)[number], b: (typeof fresh)[number]) =>
    a.accountNo === b.accountNo && a.energy === b.energy && a.from < b.to && b.from < a.to;
  fresh.forEach((b, i) => {
    const old = stored.find((s) => overlaps(b, s));
    const mate = fresh.findIndex((o, j) => j < i && overlaps(b, o));
    if (old !== undefined)
      problems.push({
        path: `bills[${i}].from`,
        message: `overlaps the stored bill of account ${old.accountNo} (${old.energy}) from ${old.from} to ${old.to}`,
      });
    else if (mate >= 0) problems.push({ path: `bills[${i}].from`, message: `overlaps bills[${mate}]` });
  });
  return problems;
}

/**
 * Splits `totalMicro` (whole micro-yuan) over cells by weight, in whole micro-yuan that add up to it
 * exactly (largest remainder; ties to the earlier cell). Negative weights count as 0; when no
 * weight is positive, the total is split evenly.
 */
export function spread(totalMicro: number, weights: readonly number[]): number[] {
  if (weights.length === 0) return [];
  const w = weights.map((x) => Math.max(x, 0));
  let sum = w.reduce((s, x) => s + x, 0);
  if (!(sum > 0)) {
    w.fill(1);
    sum = w.length;
  }
  const exact = w.map((x) => (totalMicro * x) / sum);
  const out = exact.map(Math.floor);
  let left = totalMicro - out.reduce((s, x) => s + x, 0);
  const order = exact.map((x, i) => ({ i, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (let k = 0; left > 0 && order.length > 0; k = (k + 1) % order.length, left--) {
    const at = order[k]?.i ?? 0;
    out[at] = (out[at] ?? 0) + 1;
  }
  // Floating error may floor a cell one too high: take it back from the smallest remainders.
  for (let k = order.length - 1; left < 0 && k >= 0; k--, left++) {
    const at = order[k]?.i ?? 0;
    out[at] = (out[at] ?? 0) - 1;
  }
  return out;
}
