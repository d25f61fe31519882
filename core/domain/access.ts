import { z } from 'zod';
import type { Registry } from './registry.js';
import { parseScope, type Scope } from './scope.js';

/**
 * Who may see and change what (issue "Access control and hostile input"): pure rules over the
 * registry. `admin` does everything; `auditor` reads everything and the audit log; `officer` reads
 * and acts (acknowledge anomalies, corrections, targets) inside its scopes; `viewer` reads inside
 * its scopes. A token's scopes are districts or institutions; their closure (→ institutions →
 * buildings → meters) is what it may read.
 */
export const RoleSchema = z.enum(['admin', 'officer', 'auditor', 'viewer']);

/** A token's role. */
export type Role = z.infer<typeof RoleSchema>;

/** A scope a token can be limited to: `district:ID` or `institution:ID`. */
export const TokenScopeSchema = z
  .string()
  .regex(/^(district|institution):.+$/, 'expected district:ID or institution:ID');

/** `POST /api/v1/tokens`: a token to issue. Officers and viewers need at least one scope. */
export const TokenInputSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    role: RoleSchema,
    scopes: z.array(TokenScopeSchema).max(1000).default([]),
    expiresAt: z.iso
      .date()
      .or(z.iso.datetime({ offset: true }))
      .optional()
      .describe('YYYY-MM-DD (UTC midnight) or ISO 8601 with offset'),
  })
  .superRefine((t, ctx) => {
    const scoped = t.role === 'officer' || t.role === 'viewer';
    if (scoped && t.scopes.length === 0)
      ctx.addIssue({ code: 'custom', path: ['scopes'], message: `a ${t.role} needs at least one scope` });
    if (!scoped && t.scopes.length > 0)
      ctx.addIssue({ code: 'custom', path: ['scopes'], message: `a ${t.role} is not scoped` });
  });

/** A token to issue, parsed. */
export type TokenInput = z.infer<typeof TokenInputSchema>;

/** What an access decision needs of a token. */
export interface Grant {
  readonly role: Role;
  readonly scopes?: readonly string[];
}

/** What a token may read: everything, or the closure of its scopes. */
export interface Access {
  readonly role: Role;
  /** True for admin and auditor: no scope filter. */
  readonly all: boolean;
  readonly districts: ReadonlySet<string>;
  readonly institutions: ReadonlySet<string>;
  readonly buildings: ReadonlySet<string>;
  readonly meters: ReadonlySet<string>;
  /** Gateways with at least one meter in scope. */
  readonly gateways: ReadonlySet<string>;
}

/** Computes what a grant may read in this registry; unknown scope ids simply match nothing. */
export function accessOf(grant: Grant, registry: Registry): Access {
  const all = grant.role === 'admin' || grant.role === 'auditor';
  const districts = new Set<string>();
  const institutions = new Set<string>();
  for (const text of grant.scopes ?? []) {
    const scope = parseScope(text);
    if (scope?.level === 'district') districts.add(scope.id);
    if (scope?.level === 'institution') institutions.add(scope.id);
  }
  for (const i of registry.institutions) if (all || districts.has(i.districtId)) institutions.add(i.id);
  if (all) for (const d of registry.districts) districts.add(d.id);
  const buildings = new Set(registry.buildings.filter((b) => institutions.has(b.institutionId)).map((b) => b.id));
  const meters = registry.meters.filter((m) => buildings.has(m.buildingId));
  return {
    role: grant.role,
    all,
    districts,
    institutions,
    buildings,
    meters: new Set(meters.map((m) => m.id)),
    gateways: all
      ? new Set(registry.gateways.map((g) => g.id))
      : new Set(meters.flatMap((m) => (m.gatewayId === undefined ? [] : [m.gatewayId]))),
  };
}

/** Whether the access covers the whole scope (a district-wide query needs the whole district). */
export function canRead(access: Access, scope: Scope | string): boolean {
  if (access.all) return true;
  const s = typeof scope === 'string' ? parseScope(scope) : scope;
  if (s === undefined) return false;
  switch (s.level) {
    case 'city':
      return false;
    case 'district':
      return access.districts.has(s.id);
    case 'institution':
      return access.institutions.has(s.id);
    case 'building':
      return access.buildings.has(s.id);
    case 'meter':
      return access.meters.has(s.id);
  }
}

/** Actions beyond reading, by who may take them. */
export type Action = 'act' | 'admin' | 'audit';

/**
 * Whether a role may take an action: `act` (acknowledge/resolve anomalies, corrections, targets)
 * is for admins and officers, in scope; `audit` (read the audit log) for admins and auditors;
 * `admin` (registry, tokens, jobs, gateway secrets, meter events) for admins only.
 */
export function allows(role: Role, action: Action): boolean {
  if (role === 'admin') return true;
  if (action === 'act') return role === 'officer';
  if (action === 'audit') return role === 'auditor';
  return false;
}

/** The part of the registry a token may read (gateway secret hashes are dropped by the caller). */
export function registryInScope(registry: Registry, access: Access): Registry {
  if (access.all) return registry;
  return {
    ...registry,
    districts: registry.districts.filter((d) => access.districts.has(d.id)),
    institutions: registry.institutions.filter((i) => access.institutions.has(i.id)),
    buildings: registry.buildings.filter((b) => access.buildings.has(b.id)),
    gateways: registry.gateways.filter((g) => access.gateways.has(g.id)),
    meters: registry.meters.filter((m) => access.meters.has(m.id)),
    // Every station is shown (outdoor temperature is no one's secret), with only the gateways in scope.
    ...(registry.weatherStations === undefined
      ? {}
      : {
          weatherStations: registry.weatherStations.map((s) =>
            s.gatewayIds === undefined ? s : { ...s, gatewayIds: s.gatewayIds.filter((g) => access.gateways.has(g)) },
          ),
        }),
  };
}
