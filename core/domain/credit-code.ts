import { z } from 'zod';

/**
 * The characters of a unified social credit code (统一社会信用代码) and their values, GB 32100-2015
 * §4.2 and Table 1: the digits and the capital letters except I, O, S, V and Z (31 characters,
 * 0–30). **[verify]** against the text of the standard.
 */
export const CREDIT_CODE_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/** The weights of positions 1–17 (3^(i−1) mod 31), GB 32100-2015 §5.1 **[verify]**. */
export const CREDIT_CODE_WEIGHTS: readonly number[] = Object.freeze([
  1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
]);

/** Length of a unified social credit code. */
export const CREDIT_CODE_LENGTH = 18;

/**
 * The check character of the first 17 characters of a code: C18 = 31 − (Σ Ci × Wi mod 31), 0 when
 * that is 31 (GB 32100-2015 §5.1). Undefined when a character is outside the charset or the
 * length is not 17.
 */
export function creditCodeCheckChar(first17: string): string | undefined {
  if (first17.length !== CREDIT_CODE_LENGTH - 1) return undefined;
  let sum = 0;
  for (let i = 0; i < first17.length; i++) {
    const value = CREDIT_CODE_CHARSET.indexOf(first17.charAt(i));
    if (value < 0) return undefined;
    sum += value * (CREDIT_CODE_WEIGHTS[i] ?? 0);
  }
  return CREDIT_CODE_CHARSET.charAt((31 - (sum % 31)) % 31);
}

/** What is wrong with a code (length, a character outside the charset, the check digit), or undefined when it is valid. */
export function creditCodeProblem(code: string): string | undefined {
  if (code.length !== CREDIT_CODE_LENGTH) return `expected ${CREDIT_CODE_LENGTH} characters, got ${code.length}`;
  for (let i = 0; i < code.length; i++) {
    if (!CREDIT_CODE_CHARSET.includes(code.charAt(i)))
      return `character ${i + 1} "${code.charAt(i)}" is not one of ${CREDIT_CODE_CHARSET} (GB 32100-2015)`;
  }
  const expected = creditCodeCheckChar(code.slice(0, CREDIT_CODE_LENGTH - 1));
  const given = code.charAt(CREDIT_CODE_LENGTH - 1);
  return expected === given ? undefined : `check digit "${given}" is wrong: GB 32100-2015 gives "${expected}"`;
}

/** A unified social credit code: 18 characters of the standard's charset with a valid check digit. */
export const CreditCodeSchema = z.string().superRefine((code, ctx) => {
  const problem = creditCodeProblem(code);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `unified social credit code: ${problem}` });
});

/**
 * The nature of a public institution (单位性质) as the statistics system's basic-information form
 * codes it (DOMAIN.md "The statutory year": 01 government body, 021–026 public-service units, 03
 * associations). Names and sub-codes follow a published form of the system **[verify against the
 * 2025 revision]**.
 */
export const INSTITUTION_NATURES = Object.freeze({
  government: { code: '01', nameZh: '党政机关' },
  education: { code: '021', nameZh: '事业单位（教育）' },
  science: { code: '022', nameZh: '事业单位（科技）' },
  culture: { code: '023', nameZh: '事业单位（文化）' },
  health: { code: '024', nameZh: '事业单位（卫生）' },
  sports: { code: '025', nameZh: '事业单位（体育）' },
  other_public_service: { code: '026', nameZh: '事业单位（其他）' },
  association: { code: '03', nameZh: '团体组织' },
} as const);

/** A nature key, e.g. `government`. */
export type InstitutionNature = keyof typeof INSTITUTION_NATURES;

/** `nature` of an institution: one of INSTITUTION_NATURES' keys. */
export const InstitutionNatureSchema = z.enum(
  Object.keys(INSTITUTION_NATURES) as [InstitutionNature, ...InstitutionNature[]],
);
