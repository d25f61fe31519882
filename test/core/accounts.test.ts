import { describe, expect, it } from 'vitest';
import {
  administeredDistricts,
  grantOfUser,
  normalizeUsername,
  scopesWithin,
  UsernameSchema,
  userGrantProblem,
} from '../../core/domain/accounts.js';
import { EMPTY_REGISTRY } from '../../core/domain/registry.js';
import { hashPassword, verifyPassword } from '../../core/security.js';

const registry = {
  ...EMPTY_REGISTRY,
  institutions: [
    { id: 'i-1', name: 'A', districtId: 'gulou', type: 'office' as const, floorAreaM2: 1, occupants: 1 },
    { id: 'i-2', name: 'B', districtId: 'xuanwu', type: 'office' as const, floorAreaM2: 1, occupants: 1 },
  ],
};

describe('accounts: usernames, grants and district admins (issue 17, item 1)', () => {
  it('keeps usernames in one form and refuses control, bidi and blank characters', () => {
    expect(normalizeUsername('  Wang.LI ')).toBe('wang.li');
    // NFC: a composed and a decomposed é are one username.
    expect(UsernameSchema.parse('Rene\u0301')).toBe(UsernameSchema.parse('Ren\u00e9'));
    expect(UsernameSchema.parse('张伟')).toBe('张伟');
    for (const bad of ['', ' ', 'a b', '.dot', 'tab\there', 'rtl\u202Eexe', 'lri\u2066x', 'nul\u0000', 'x'.repeat(65)])
      expect(UsernameSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
  });

  it('checks roles against scopes as tokens do, with district admins', () => {
    expect(userGrantProblem('officer', [])).toMatch(/at least one scope/);
    expect(userGrantProblem('auditor', ['district:gulou'])).toMatch(/not scoped/);
    expect(userGrantProblem('admin', ['institution:i-1'])).toMatch(/districts only/);
    expect(userGrantProblem('admin', ['district:gulou'])).toBeUndefined();
    expect(userGrantProblem('admin', [])).toBeUndefined();
    expect(userGrantProblem('viewer', ['institution:i-1'])).toBeUndefined();
  });

  it('makes a district admin an officer of its districts everywhere but the user routes', () => {
    expect(grantOfUser({ role: 'admin', scopes: ['district:gulou'] })).toEqual({
      role: 'officer',
      scopes: ['district:gulou'],
    });
    expect(grantOfUser({ role: 'admin', scopes: [] })).toEqual({ role: 'admin' });
    expect(grantOfUser({ role: 'viewer', scopes: ['institution:i-1'] })).toEqual({
      role: 'viewer',
      scopes: ['institution:i-1'],
    });
    expect(administeredDistricts({ role: 'admin' })).toBe('all');
    expect(administeredDistricts({ role: 'admin', scopes: ['district:gulou'] })).toEqual(new Set(['gulou']));
    expect(administeredDistricts({ role: 'officer', scopes: ['district:gulou'] })).toEqual(new Set());
  });

  it('finds a user inside districts only when every scope is, and never an unscoped one', () => {
    const gulou = new Set(['gulou']);
    expect(scopesWithin(['district:gulou', 'institution:i-1'], gulou, registry)).toBe(true);
    expect(scopesWithin(['institution:i-2'], gulou, registry)).toBe(false);
    expect(scopesWithin(['institution:i-1', 'district:xuanwu'], gulou, registry)).toBe(false);
    expect(scopesWithin(['institution:unknown'], gulou, registry)).toBe(false);
    expect(scopesWithin([], gulou, registry)).toBe(false);
    expect(scopesWithin([], 'all', registry)).toBe(true);
  });

  it('hashes passwords with a salt and their scrypt parameters, and checks them', async () => {
    const [a, b] = await Promise.all([hashPassword('a good long password'), hashPassword('a good long password')]);
    expect(a).not.toBe(b);
    expect(a.split('$').slice(0, 4)).toEqual(['scrypt', '16384', '8', '5']);
    expect(await verifyPassword('a good long password', a)).toBe(true);
    expect(await verifyPassword('a good long passworD', a)).toBe(false);
    expect(await verifyPassword('a good long password', 'not a hash')).toBe(false);
    expect(await verifyPassword('x', 'scrypt$NaN$8$1$c2FsdA$aGFzaA')).toBe(false);
  });
});
