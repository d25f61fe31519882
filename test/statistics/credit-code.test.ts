import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CREDIT_CODE_CHARSET,
  CreditCodeSchema,
  creditCodeCheckChar,
  creditCodeProblem,
  INSTITUTION_NATURES,
  InstitutionNatureSchema,
} from '../../core/domain/credit-code.js';

/** Codes published with their check digits: the standard's example and two registered companies. */
const VALID = ['91350100M000100Y43', '91110000600037341L', '91440300708461136T'];

describe('unified social credit code (GB 32100-2015)', () => {
  it('computes the check digit of published codes', () => {
    for (const code of VALID) {
      expect(creditCodeCheckChar(code.slice(0, 17)), code).toBe(code.charAt(17));
      expect(creditCodeProblem(code), code).toBeUndefined();
      expect(CreditCodeSchema.safeParse(code).success).toBe(true);
    }
  });

  it('computes 31 − (Σ Ci·Wi mod 31), 0 for 31, with weights 3^(i−1) mod 31', () => {
    // Σ = 0 gives 31 − 0 = 31, which the standard writes as 0.
    expect(creditCodeCheckChar('0'.repeat(17))).toBe('0');
    // Only position 1 = 1: Σ = 1, check 30 = 'Y'; only position 17 = 1: Σ = 28 (3^16 mod 31), check 3.
    expect(creditCodeCheckChar(`1${'0'.repeat(16)}`)).toBe('Y');
    expect(creditCodeCheckChar(`${'0'.repeat(16)}1`)).toBe('3');
  });

  it('refuses a wrong check digit, a bad length and letters outside the charset', () => {
    expect(creditCodeProblem('91350100M000100Y44')).toMatch(/check digit "4" is wrong: GB 32100-2015 gives "3"/);
    expect(creditCodeProblem('91350100M000100Y4')).toMatch(/expected 18 characters/);
    expect(creditCodeProblem('91350100I000100Y43')).toMatch(/character 9 "I"/);
    expect(creditCodeProblem('91350100m000100Y43')).toMatch(/character 9 "m"/);
    expect(CreditCodeSchema.safeParse('91350100M000100Y44').success).toBe(false);
  });

  it('accepts every code completed with its own check digit, and no other digit (property)', () => {
    const char = fc.constantFrom(...CREDIT_CODE_CHARSET.split(''));
    fc.assert(
      fc.property(fc.array(char, { minLength: 17, maxLength: 17 }), char, (chars, other) => {
        const body = chars.join('');
        const check = creditCodeCheckChar(body) ?? '';
        expect(creditCodeProblem(body + check)).toBeUndefined();
        if (other !== check) expect(creditCodeProblem(body + other)).toBeDefined();
      }),
    );
  });

  it('codes the nature of units as the forms do (01, 021–026, 03)', () => {
    expect(Object.values(INSTITUTION_NATURES).map((n) => n.code)).toEqual([
      '01',
      '021',
      '022',
      '023',
      '024',
      '025',
      '026',
      '03',
    ]);
    expect(InstitutionNatureSchema.safeParse('government').success).toBe(true);
    expect(InstitutionNatureSchema.safeParse('01').success).toBe(false);
  });
});
