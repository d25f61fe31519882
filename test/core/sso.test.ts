import { describe, expect, it } from 'vitest';
import {
  externalCredential,
  GroupRolesJsonSchema,
  grantOfGroups,
  groupsOf,
  isExternalUser,
  ssoProfileOf,
} from '../../core/domain/sso.js';
import { verifyPassword } from '../../core/security.js';

const MAPPING = GroupRolesJsonSchema.parse(
  JSON.stringify({
    'energy-admins': { role: 'admin' },
    'gulou-admins': { role: 'admin', scopes: ['district:gulou'] },
    'xuanwu-admins': { role: 'admin', scopes: ['district:xuanwu'] },
    auditors: { role: 'auditor' },
    'gulou-officers': { role: 'officer', scopes: ['district:gulou'] },
    'i-003-officers': { role: 'officer', scopes: ['institution:i-003'] },
    'gulou-viewers': { role: 'viewer', scopes: ['district:gulou'] },
  }),
);

describe('groups to roles and scopes (OIDC_GROUP_ROLES)', () => {
  it('lets the first mapped group in the order written decide the role', () => {
    expect(grantOfGroups(['gulou-viewers', 'gulou-officers'], MAPPING)).toEqual({
      role: 'officer',
      scopes: ['district:gulou'],
    });
    expect(grantOfGroups(['gulou-officers', 'auditors'], MAPPING)).toEqual({ role: 'auditor', scopes: [] });
    expect(grantOfGroups(['staff', 'gulou-viewers'], MAPPING)).toEqual({ role: 'viewer', scopes: ['district:gulou'] });
  });

  it('joins the scopes of every group with that role; a city admin group wins over district ones', () => {
    expect(grantOfGroups(['i-003-officers', 'gulou-officers'], MAPPING)).toEqual({
      role: 'officer',
      scopes: ['district:gulou', 'institution:i-003'],
    });
    expect(grantOfGroups(['xuanwu-admins', 'gulou-admins'], MAPPING)).toEqual({
      role: 'admin',
      scopes: ['district:gulou', 'district:xuanwu'],
    });
    expect(grantOfGroups(['gulou-admins', 'energy-admins'], MAPPING)).toEqual({ role: 'admin', scopes: [] });
  });

  it('grants nothing without a mapped group (names are exact)', () => {
    expect(grantOfGroups([], MAPPING)).toBeUndefined();
    expect(grantOfGroups(['Energy-Admins', '/energy-admins', 'staff'], MAPPING)).toBeUndefined();
  });

  it('refuses a mapping whose grant a user could not have', () => {
    expect(GroupRolesJsonSchema.safeParse('{"a":{"role":"viewer"}}').success).toBe(false);
    expect(GroupRolesJsonSchema.safeParse('{"a":{"role":"auditor","scopes":["district:x"]}}').success).toBe(false);
    expect(GroupRolesJsonSchema.safeParse('{"a":{"role":"admin","scopes":["institution:i"]}}').success).toBe(false);
    expect(GroupRolesJsonSchema.safeParse('{"a":{"role":"root"}}').success).toBe(false);
    expect(GroupRolesJsonSchema.safeParse('{}').success).toBe(false);
  });
});

describe('claims', () => {
  it('reads groups at a dotted path, as a list or one string', () => {
    expect(groupsOf({ groups: ['a', 'b', 3] }, 'groups')).toEqual(['a', 'b']);
    expect(groupsOf({ realm_access: { roles: ['r'] } }, 'realm_access.roles')).toEqual(['r']);
    expect(groupsOf({ group: 'only' }, 'group')).toEqual(['only']);
    expect(groupsOf({ groups: { a: 1 } }, 'groups')).toEqual([]);
    expect(groupsOf({}, 'realm_access.roles')).toEqual([]);
  });

  it('takes the username from preferred_username, else email, else sub, normalised', () => {
    expect(ssoProfileOf({ sub: 's1', preferred_username: 'Zhang.Wei', name: '张伟' })).toEqual({
      subject: 's1',
      username: 'zhang.wei',
      displayName: '张伟',
    });
    expect(ssoProfileOf({ sub: 's2', preferred_username: 'has space', email: 'Li@Example.cn' })?.username).toBe(
      'li@example.cn',
    );
    expect(ssoProfileOf({ sub: 'f3a9-77' })).toEqual({
      subject: 'f3a9-77',
      username: 'f3a9-77',
      displayName: 'f3a9-77',
    });
    expect(ssoProfileOf({ preferred_username: 'no.sub' })).toBeUndefined();
    expect(ssoProfileOf({ sub: ' ', name: 'x' })).toBeUndefined();
  });

  it('keeps a display name without control characters, else shows the username', () => {
    expect(ssoProfileOf({ sub: 's', preferred_username: 'u', name: 'evil\u202Eexe' })?.displayName).toBe('u');
  });
});

describe('external users', () => {
  it('keep a credential no password matches, tied to one subject of one issuer', async () => {
    const credential = externalCredential('https://sso.example/realms/city', 'sub$1');
    expect(isExternalUser({ passwordHash: credential })).toBe(true);
    expect(isExternalUser({ passwordHash: 'scrypt$16384$8$5$salt$hash' })).toBe(false);
    expect(credential).not.toBe(externalCredential('https://other.example', 'sub$1'));
    expect(await verifyPassword(credential, credential)).toBe(false);
    expect(await verifyPassword('', credential)).toBe(false);
  });
});
